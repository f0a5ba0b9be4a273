"""Rows to BC's JSON: ``@odata.etag`` first, EDM properties only, Decimals as JSON numbers, UTF-8."""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from typing import Any

from gateway.sandbox.store import Row


def etag(row: Row) -> str:
    """A weak ETag that changes whenever the row's content does, shaped like BC's (base64 of
    ``'20;<number>;00;'``)."""
    digest = hashlib.blake2b(repr(sorted(row.items())).encode(), digest_size=8).digest()
    token = base64.b64encode(f"'20;{int.from_bytes(digest, 'big')};00;'".encode()).decode()
    return f'W/"{token}"'


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        # The stdlib encoder cannot write a Decimal as a number; BC amounts have few enough
        # significant digits that float's shortest repr reproduces the decimal text.
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def dumps(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
