"""Reads by key: how a list's rows are each the answer to a read by their own key, and rows split
by the key each one answers (``BCSession.fetch_by_key``, docs/caching.md "One answer per key")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ._answer_policy import keyed_record
from ._calls import Row
from ._odata import Query, pinned
from ._scope import ScopedQuery

__all__ = ["RowsByKey"]


@dataclass(frozen=True)
class RowsByKey:
    """How the rows of a list are each the answer to a read by key: ``field``, unique among the
    rows of the set in the read's scope (an order's number), and the read of some keys of it,
    exactly as ``fetch_by_key`` is given it."""

    field: str
    query_for: Callable[[Sequence[Any]], Query | ScopedQuery]


def _pinned_record(plain: Query) -> str | None:
    """The record a read is of, when its filter pins a key a change can name (``keyed_record``):
    read by key (``fetch_by_key``) or alone, the same request is the same answer."""
    entity_set = plain.entity_set
    return next(
        (r for field, literal in pinned(plain.filter) if (r := keyed_record(entity_set, field, literal))),
        None,
    )


def _folded(value: object) -> str:
    """A key as BC compares it: codes without case, GUIDs in either case."""
    return str(value).casefold()


def _rows_by_key(rows: list[Row], field: str, folded: list[str]) -> list[list[Row]] | None:
    """``rows`` split by the key (``folded``, in order) each one answers, or ``None`` when a row
    answers none of them: BC then did not apply the filter as asked, and no row is any key's."""
    places = {key: place for place, key in enumerate(folded)}
    by_key: list[list[Row]] = [[] for _ in folded]
    for row in rows:
        value = row.get(field)
        place = places.get(_folded(value)) if value is not None else None
        if place is None:
            return None
        by_key[place].append(row)
    return by_key
