"""What one HTTP call to BC is about, shared by the client and its sessions: its audit context,
counters and deadline (``_Call``), one collection read (``_Paged``) and the reader of one entity."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from ._audit import CallContext
from ._deadline import Deadline
from ._entity import PageReader
from ._errors import BCProtocolError
from ._settings import ApiRoute

__all__ = ["Row", "RowCheck"]

Row = Any  # a model instance, or a plain row (``dict``) where no model is asked for
RowCheck = Callable[[Row], bool]  # False: drop the row


@dataclass
class _Stats:
    request_count: int = 0
    bc_seconds: float = 0.0


@dataclass(frozen=True)
class _Call:
    """What one HTTP call is about: for the audit record, the session's counters and deadline."""

    context: CallContext
    route: ApiRoute
    entity_set: str
    stats: _Stats = field(default_factory=_Stats)
    deadline: Deadline | None = None  # None: the client's operation deadline, from the first attempt
    # A write's: it always goes through the principal this names (``_principals``); None: any.
    affinity: str | None = None
    batch: tuple[str, ...] = ()  # a $batch's entity sets, for its audit record
    # False: one attempt only, for background reads whose own next turn is their retry (the
    # change poller, which backs off on a 429 rather than spend BC's patience on it).
    retried: bool = True


@dataclass(frozen=True)
class _Paged:
    """One collection read of a ``fetch_many``: where, which options, how to check and read rows."""

    path: str  # relative to the API root, as $batch wants it
    url: str
    params: Mapping[str, str]
    top: int | None
    call: _Call
    check_row: RowCheck | None
    reader: PageReader[Any]


def _read_entity(response: httpx.Response) -> tuple[dict[str, Any], int | None]:
    """Parse one entity (a POST's answer); decimals stay exact."""
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise BCProtocolError("Business Central sent a body that is not JSON") from exc
    if not isinstance(body, dict):
        raise BCProtocolError("Business Central sent an entity that is not a JSON object")
    return body, 1
