"""Cursors are opaque to clients but stable: a cursor handed out before stays the same text and
still reads back as the key it stands for."""

from __future__ import annotations

import base64

import pytest

from gateway.resolvers.pagination import decode_cursor, encode_cursor


def _opened(cursor: str) -> str:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


def test_a_date_and_number_cursor_is_the_json_list_it_always_was() -> None:
    assert _opened(encode_cursor(("2026-12-04", "S-ORD101001"))) == '["2026-12-04", "S-ORD101001"]'
    assert _opened(encode_cursor(("10000",))) == '["10000"]'


@pytest.mark.parametrize(
    "key", [("2026-12-04", 'say "hi"'), ("back\\slash", "x"), ("café", "ü"), ("tab\there", ""), ("", "")]
)
def test_a_key_with_any_text_reads_back_as_itself(key: tuple[str, ...]) -> None:
    assert decode_cursor(encode_cursor(key), len(key)) == key
