"""Why a read went to BC instead of being served kept: for whoever tunes the cache.

Each answer read from BC says why it was not served kept (:class:`Miss`): the process kept no
answer of that read (never read here, or pushed out of memory), the one kept was older than its
time to live, or a generation it was read under had been replaced since.  The BC session logs
it, with the operation and request id, on ``gateway.bc.answers.misses`` at DEBUG; the cache logs
on the same logger each generation it replaces and why (a customer's own write, BC's change
notification).  So a run with ``GATEWAY_LOG_LEVEL=debug`` tells which change cost which BC read
(``bench/portal_mix.py --explain``).  At any other level nothing is formatted or written.

The lines name customers and generations (company, customer, kind, record), never a query.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from ._answer_codec import StoredAnswer

__all__ = ["MISSES_LOGGER", "Miss", "explaining", "log_forgotten", "log_misses", "why_missed"]

MISSES_LOGGER: Final = logging.getLogger("gateway.bc.answers.misses")


def explaining() -> bool:
    """Whether misses are logged: only then is a miss's reason worked out (a read from BC is on
    the hot path; its reason serves nobody else)."""
    return MISSES_LOGGER.isEnabledFor(logging.DEBUG)


@dataclass(frozen=True)
class Miss:
    """``reason``: ``absent`` (no answer of the read kept in this process), ``expired`` (kept,
    past its time to live) or ``changed`` (kept under a generation since replaced: ``changed``
    names those generations).  ``digest`` names the exact read."""

    reason: str
    digest: str
    changed: tuple[str, ...] = ()


def why_missed(
    digest: str, names: Sequence[str], kept: StoredAnswer | None, generations: Sequence[str]
) -> Miss:
    """Why ``kept`` (the answer this process held for the read, if any) could not serve it under
    the current ``generations`` (of ``names``)."""
    if kept is None:
        return Miss("absent", digest)
    changed = tuple(
        name for name, old, new in zip(names, kept.generations, generations, strict=True) if old != new
    )
    return Miss("changed", digest, changed) if changed else Miss("expired", digest)


def log_misses(
    misses: Sequence[Miss], *, entity_set: str, operation: str | None, request_id: str | None
) -> None:
    """One read from BC (of one key, or of several keys at once: ``misses`` has one each)."""
    MISSES_LOGGER.debug(
        "answer_missed",
        extra={
            "answer_missed": {
                "operation": operation,
                "request_id": request_id,
                "entity_set": entity_set,
                "keys": [
                    {"reason": miss.reason, "digest": miss.digest, "changed": list(miss.changed)}
                    for miss in misses
                ],
            }
        },
    )


def log_forgotten(names: Iterable[str], why: str) -> None:
    """Generations ``names`` replaced, because of ``why`` (``write salesOrders``, ``bc
    salesShipments``, …)."""
    if explaining():
        MISSES_LOGGER.debug(
            "answers_forgotten", extra={"answers_forgotten": {"why": why, "names": list(names)}}
        )
