"""Customer numbers: only what is safe inside an OData filter."""

from __future__ import annotations

import pytest

from gateway.auth import is_valid_customer_number


@pytest.mark.parametrize("number", ["10000", "C00010", "a", "CUST-01_2.3", "INV/2024", "ACME 01", "X" * 20])
def test_bc_style_customer_numbers_are_accepted(number: str) -> None:
    assert is_valid_customer_number(number)


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("10000' or 1 eq 1", id="quote-injection"),
        pytest.param("A*", id="wildcard"),
        pytest.param("..", id="range"),
        pytest.param("1..9", id="inner-range"),
        pytest.param("X" * 21, id="21-chars"),
        pytest.param("", id="empty"),
        pytest.param(" 10000", id="leading-space"),
        pytest.param("10000 ", id="trailing-space"),
        pytest.param("10000\n", id="newline"),
        pytest.param("ÄBC", id="non-ascii"),
        *(pytest.param(f"A{char}B", id=f"filter-char-{char}") for char in "*?|&<>=@()'\"%#\\"),
    ],
)
def test_unsafe_customer_numbers_are_refused(number: str) -> None:
    assert not is_valid_customer_number(number)


@pytest.mark.parametrize("value", [None, 10000, b"10000"])
def test_non_strings_are_refused(value: object) -> None:
    assert not is_valid_customer_number(value)
