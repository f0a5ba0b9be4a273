"""Number series for documents created through the API, continuing from BC's "Last No. Used"."""

from __future__ import annotations

import re

from gateway.sandbox.journal import UndoJournal
from gateway.sandbox.store import SandboxStore

_LAST_DIGITS = re.compile(r"(\d+)(?!.*\d)")


def increment(number: str) -> str:
    """AL's ``IncStr``: add one to the rightmost run of digits, keeping its width (``SZA/25/000009``
    → ``SZA/25/000010``, ``S-ORD101999`` → ``S-ORD102000``)."""
    match = _LAST_DIGITS.search(number)
    if match is None:
        return f"{number}1"
    digits = match.group(1)
    bumped = str(int(digits) + 1).rjust(len(digits), "0")
    return number[: match.start()] + bumped + number[match.end() :]


def next_number(
    store: SandboxStore, journal: UndoJournal, company_id: str, route: str, entity_set: str, first: str
) -> str:
    """The next number of ``entity_set``'s series in one company; ``first`` when nothing was used yet."""
    key = (company_id.lower(), route, entity_set)
    last = store.last_numbers.get(key)
    if last is None:
        numbers = [str(r.get("number", "")) for r in store.table(company_id, route, entity_set)]
        numbers = [n for n in numbers if n]
        last = max(numbers, key=_sort_key) if numbers else None
    number = increment(last) if last else first
    journal.set_last_number(store, key, number)
    return number


def _sort_key(number: str) -> tuple[int, str]:
    match = _LAST_DIGITS.search(number)
    return (int(match.group(1)) if match else -1, number)
