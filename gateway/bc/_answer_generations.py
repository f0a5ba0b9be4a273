"""The generations kept answers are read under: their keys in the shared store, and reading,
making and replacing them (``_answers`` has the design; docs/caching.md, "Invalidation")."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterable, Sequence
from uuid import UUID

from ._answer_codec import generations_of
from ._answer_owners import OWNERS_GENERATION, owners_generation
from ._answer_policy import GENERATION_TTL_SECONDS, DataKind
from ._answer_store import AnswerStore

__all__ = ["Generations", "generation_key", "record_generation_key", "records_generation_key"]


@functools.lru_cache(maxsize=4096)
def generation_key(company: UUID, customer: str | None, kind: DataKind) -> str:
    """The generation of the company's answers of ``kind`` (``customer`` ``None``), or of the
    customer's lists of it: every answer of theirs not read by a record's key."""
    return f"answers:gen:{company}:{customer or '*'}:{kind.value}"


def records_generation_key(company: UUID, customer: str | None, kind: DataKind) -> str:
    """The generation of every answer of the customer's ``kind`` read by a record's key (of the
    company's, ``customer`` ``None``: a shared kind's)."""
    return f"{generation_key(company, customer, kind)}:keyed"


def record_generation_key(company: UUID, customer: str | None, kind: DataKind, record: str) -> str:
    """The generation of the customer's (or, ``None``, the company's) answers of ``kind`` read
    by ``record``'s key."""
    return f"{generation_key(company, customer, kind)}:{record}"


class Generations:
    """The generations in the shared store: read in one round trip, made when absent, and the
    ones a write replaces (``pending`` until the store answers)."""

    def __init__(self, store: AnswerStore, new_token: Callable[[], str]) -> None:
        self._store = store
        self._new_token = new_token
        self.pending: dict[str, None] = {}  # generations to replace once the store answers again

    async def current(self, names: Sequence[str]) -> tuple[str, ...]:
        """The current generations; one that is absent (never made, expired, or lost with the
        store) is made now, with a token no answer was ever read under — never read as a value
        that an old answer may have been kept under."""
        values = await self.values(names)
        return tuple(values[name] for name in names)

    async def values(self, names: Iterable[str], *, made_here: bool = False) -> dict[str, str]:
        """``current`` by name, read in one round trip (``get_many``; the absent ones are
        made together).  ``made_here``: a generation absent when read that another reader made
        meanwhile is left out (it may have been renewed since the read): only one this call
        made is given."""
        wanted = list(dict.fromkeys(names))
        kv = self._store.kv
        found = await kv.get_many(wanted)
        absent = [name for name, value in zip(wanted, found, strict=True) if value is None]
        if self._store.replicated:  # the claims go to Redis together (a page's orders: many)
            making = await asyncio.gather(*map(self._make, absent))
        else:  # in process, a claim never waits
            making = [await self._make(name) for name in absent]
        made = dict(zip(absent, making, strict=True))
        values: dict[str, str] = {}
        for name, value in zip(wanted, found, strict=True):
            if value is None:
                value, ours = made[name]
                if made_here and not ours:
                    continue
            values[name] = generations_of([value])[0]
        return values

    async def _make(self, name: str) -> tuple[bytes, bool]:
        """A generation found absent, made now (or as another reader made it meanwhile: then
        ``False``)."""
        kv = self._store.kv
        made = (
            owners_generation(await kv.losses()) if name == OWNERS_GENERATION else self._new_token().encode()
        )
        present = await kv.claim(name, made, ttl_seconds=GENERATION_TTL_SECONDS)
        return (made, True) if present is None else (present, False)

    async def replace_pending(self) -> None:
        while self.pending:
            name = next(iter(self.pending))
            await self._store.kv.put(name, self._new_token().encode(), ttl_seconds=GENERATION_TTL_SECONDS)
            self.pending.pop(name, None)
