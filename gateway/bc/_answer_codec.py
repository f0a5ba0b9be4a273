"""An answer as bytes for the shared store, and back, with BC's decimals exact.

An answer is the rows of one read as BC sent them (``json.loads(..., parse_float=Decimal)``), so
every ``Decimal`` in it came from a JSON number with a fraction or an exponent.  The standard
encoder cannot write a ``Decimal`` as a number, so each is written as a marked string and the
marks are taken off afterwards: ``"\\u0000D12.50"`` becomes ``12.50``.  Decoding is then plain
``json.loads`` with ``parse_float=Decimal``, which gives back the same ``Decimal`` (``12.50``, not
``12.5``).  A text value that happens to hold the mark is caught by counting, and such an answer
is not kept (``UnencodableAnswer``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

__all__ = ["StoredAnswer", "UnencodableAnswer", "decode_answer", "encode_answer", "generations_of"]

Rows = list[dict[str, Any]]
_MARK: Final = "\x00D"
_MARKED: Final = re.compile(rb'"\\u0000D([-+.0-9Ee]+)"')
_VERSION: Final = 1


class UnencodableAnswer(ValueError):
    """The rows cannot be written exactly (a text value holds the decimal mark)."""


@dataclass(frozen=True)
class StoredAnswer:
    """Rows as BC answered them, when (wall-clock seconds) and under which generations.

    ``decoded``: the rows as each model that read them (frozen ``msgspec`` Structs, so every
    request may share them), decoded on the first read rather than on every one; never encoded.
    """

    rows: Rows
    stored_at: float
    generations: tuple[str, ...]
    decoded: dict[type, list[Any]] = field(default_factory=dict, compare=False, repr=False)


def encode_answer(answer: StoredAnswer) -> bytes:
    decimals = 0

    def mark(value: object) -> str:
        nonlocal decimals
        if isinstance(value, Decimal) and value.is_finite():
            decimals += 1
            return f"{_MARK}{value}"
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    head = {"v": _VERSION, "at": repr(answer.stored_at), "gens": list(answer.generations)}
    try:
        text = json.dumps([head, answer.rows], ensure_ascii=False, separators=(",", ":"), default=mark)
    except (TypeError, ValueError) as error:
        raise UnencodableAnswer(str(error)) from None
    body = text.encode()
    if decimals:
        body, replaced = _MARKED.subn(rb"\1", body)
        if replaced != decimals:
            raise UnencodableAnswer("a text value holds the decimal mark")
    return body


def decode_answer(raw: bytes) -> StoredAnswer | None:
    """The answer, or ``None`` for bytes this version did not write (they are read from BC again)."""
    try:
        head, rows = json.loads(raw, parse_float=Decimal)
        if head.get("v") != _VERSION or not _is_rows(rows):
            return None
        return StoredAnswer(rows, float(head["at"]), tuple(str(g) for g in head["gens"]))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _is_rows(rows: object) -> bool:
    return isinstance(rows, list) and all(isinstance(row, dict) for row in rows)


def generations_of(raw: Sequence[bytes | None]) -> tuple[str, ...]:
    """Generation values as read from the store: an absent one is the first generation, ``""``."""
    return tuple(value.decode() if value is not None else "" for value in raw)
