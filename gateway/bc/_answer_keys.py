"""The key of a read in the answer cache: its exact request (digested), company, owner, kind of
data and record, and the generations its answer is read under."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from ._answer_generations import generation_key, record_generation_key, records_generation_key
from ._answer_owners import OWNERS_GENERATION
from ._answer_policy import KIND_OF, SHARED_SETS, DataKind

__all__ = ["ReadKey", "group_key", "read_key", "read_keys_by_filter"]


@dataclass(frozen=True)
class ReadKey:
    """One read: ``digest`` names the exact request; ``customer`` is ``None`` for shared data;
    ``record`` names the record a read by key is of (``keyed_record``), ``None`` for any other."""

    digest: str
    company: UUID
    customer: str | None
    kind: DataKind
    record: str | None = None

    @property
    def storage(self) -> str:
        return f"answers:{self.digest}"

    @functools.cached_property
    def generation_keys(self) -> tuple[str, ...]:
        """The generations the answer is read under: its kind's, company-wide and, for a
        customer's data, the owners generation (``_answer_owners``) and that customer's — of
        their lists, or, read by a record's key, of their records and of that record; for a
        shared record read by its key (an item by id), the company's of its kind's records and
        of that record."""
        company_wide = generation_key(self.company, None, self.kind)
        if self.record is None:
            if self.customer is None:
                return (company_wide,)
            return (generation_key(self.company, self.customer, self.kind), company_wide, OWNERS_GENERATION)
        keyed = (
            records_generation_key(self.company, self.customer, self.kind),
            record_generation_key(self.company, self.customer, self.kind, self.record),
        )
        return (*keyed, company_wide) if self.customer is None else (*keyed, company_wide, OWNERS_GENERATION)


def read_key(
    route: str,
    company: UUID,
    customer: str,
    entity_set: str,
    params: Mapping[str, str],
    *,
    record: str | None = None,
) -> ReadKey | None:
    """The key of a read of ``entity_set`` for ``customer``, or ``None`` when it is never cached.
    ``record``: the read is of one record's key (``keyed_record``), and is invalidated by it —
    a customer's record, or a shared one (an item by id) for every customer of the company.

    The customer is part of the key unless the set is shared (``SHARED_SETS``): two customers'
    identical requests for their own data are two answers, always.
    """
    kind = KIND_OF.get(entity_set)
    if kind is None:
        return None
    owner = None if entity_set in SHARED_SETS else customer
    parts = [route, str(company), owner or "*", entity_set, *(f"{k}={v}" for k, v in sorted(params.items()))]
    return ReadKey(_digest("\x1f".join(parts)), company, owner, kind, record)


def read_keys_by_filter(
    route: str,
    company: UUID,
    customer: str,
    entity_set: str,
    params: Mapping[str, str],
    filters: Iterable[tuple[str, str | None]],
) -> list[ReadKey]:
    """``read_key`` of each read that is ``params`` with its ``$filter`` replaced by one of
    ``filters``, each with the record it is of (the reads by key of ``BCSession.fetch_by_key``:
    one per key), the same keys worked out together: the rest of the request is written once,
    not once per read.  Empty when reads of ``entity_set`` are never cached."""
    kind = KIND_OF.get(entity_set)
    if kind is None:
        return []
    owner = None if entity_set in SHARED_SETS else customer
    rest = sorted((k, v) for k, v in params.items() if k != "$filter")
    before = [f"{k}={v}" for k, v in rest if k < "$filter"]
    after = "".join(f"\x1f{k}={v}" for k, v in rest if k > "$filter")
    head = "\x1f".join([route, str(company), owner or "*", entity_set, *before, "$filter="])
    return [
        ReadKey(_digest(f"{head}{shown}{after}"), company, owner, kind, record) for shown, record in filters
    ]


def _digest(request: str) -> str:
    return hashlib.sha256(request.encode()).hexdigest()[:40]


def group_key(keys: Sequence[ReadKey]) -> ReadKey:
    """One key for reads kept as one answer (read together, expired together); they must be of
    one company, owner and kind, so one set of generations and one time to live applies."""
    first = keys[0]
    if any((k.company, k.customer, k.kind) != (first.company, first.customer, first.kind) for k in keys):
        raise ValueError("reads kept together must be of one company, owner and kind of data")
    digest = hashlib.sha256("\x1f".join(k.digest for k in keys).encode()).hexdigest()[:40]
    return ReadKey(digest, first.company, first.customer, first.kind)
