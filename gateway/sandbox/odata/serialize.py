"""Rows to BC's JSON: ``@odata.etag`` first, EDM properties only, Decimals as JSON numbers, UTF-8."""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from typing import Any

from gateway.sandbox.store import Row

# id(row) → (quick hash of the row's values, etag).  Hashing the content deterministically is the
# costliest part of rendering, so it is redone only when a row's values change.
_etags: dict[int, tuple[int, str]] = {}
_MAX_CACHED = 2_000_000


def etag(row: Row) -> str:
    """A weak ETag that changes whenever the row's content does, shaped like BC's (base64 of
    ``'20;<number>;00;'``) and the same in every process for the same content."""
    try:
        quick = hash(tuple(row.items()))
    except TypeError:  # an unhashable value: no caching
        return _content_etag(row)
    cached = _etags.get(id(row))
    if cached is not None and cached[0] == quick:
        return cached[1]
    tag = _content_etag(row)
    if len(_etags) > _MAX_CACHED:  # rows of discarded stores leave stale entries behind
        _etags.clear()
    _etags[id(row)] = (quick, tag)
    return tag


def _content_etag(row: Row) -> str:
    digest = hashlib.blake2b(repr(sorted(row.items())).encode(), digest_size=8).digest()
    token = base64.b64encode(f"'20;{int.from_bytes(digest, 'big')};00;'".encode()).decode()
    return f'W/"{token}"'


def json_number(value: Any) -> int | float:
    """The encoder's fallback for Decimal, which the stdlib cannot write as a number."""
    if isinstance(value, Decimal):
        # BC amounts have few enough significant digits that float's shortest repr reproduces them.
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=json_number).encode()
