"""Server-driven paging: ``Prefer: odata.maxpagesize``, ``$skiptoken`` and ``@odata.nextLink``."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.sandbox.errors import bad_request
from gateway.sandbox.store import Row

_MAX_PAGE_SIZE = re.compile(r"odata\.maxpagesize\s*=\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_offset: int | None  # where the next page starts; None on the last page
    applied_page_size: int | None  # the maxpagesize preference honoured, for Preference-Applied


def requested_page_size(prefer: str | None) -> int | None:
    match = _MAX_PAGE_SIZE.search(prefer or "")
    return int(match.group(1)) if match else None


def page_of(
    rows: Sequence[Row],
    *,
    top: int | None,
    skip: int | None,
    skiptoken: str | None,
    preferred: int | None,
    default_size: int,
    max_size: int,
) -> Page:
    size = max(1, min(preferred, max_size)) if preferred is not None else default_size
    applied = size if preferred is not None else None
    start = skip or 0
    if top is not None:
        # BC returns no nextLink when $top is used (microsoft/AL#6858): at most one page.
        return Page(list(rows[start : start + min(top, size)]), None, applied)
    # The token counts from after $skip, which stays in the nextLink's query.
    offset = decode_skiptoken(skiptoken) if skiptoken else 0
    end = start + offset + size
    return Page(list(rows[start + offset : end]), offset + size if end < len(rows) else None, applied)


def encode_skiptoken(offset: int) -> str:
    # Opaque to clients; the sandbox's rows keep a stable order between pages.
    return base64.urlsafe_b64encode(f"sbx:{offset}".encode()).decode().rstrip("=")


def decode_skiptoken(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise bad_request("The skip token is not valid.") from exc
    prefix, _, offset = text.partition(":")
    if prefix != "sbx" or not offset.isdigit():
        raise bad_request("The skip token is not valid.")
    return int(offset)
