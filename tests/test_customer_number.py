"""One definition of a customer number: what a token may name is exactly what BC requests are
scoped by (gateway/customer_number.py), so a verified token can never fail to scope."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.auth import Membership
from gateway.bc import CustomerScope, InvalidScope
from gateway.customer_number import is_customer_number

COMPANY = uuid.UUID("5d115c9c-44e3-ea11-bb43-000d3a2feca1")


@pytest.mark.parametrize("number", ["10000", "C00010", "A", "CUST-01_2.3", "INV/2024", "X" * 20, "1.2"])
def test_bc_style_customer_numbers_are_accepted(number: str) -> None:
    assert is_customer_number(number)


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
        # BC upper-cases codes: a lower-case number names no BC customer.
        pytest.param("ab", id="lower-case"),
        pytest.param("c10000", id="lower-case-letter"),
        pytest.param("A B", id="inner-space"),
        pytest.param("_X", id="leading-underscore"),
        *(pytest.param(f"A{char}B", id=f"filter-char-{char}") for char in "*?|&<>=@()'\"%#\\"),
    ],
)
def test_what_bc_cannot_be_scoped_by_is_refused(number: str) -> None:
    assert not is_customer_number(number)


@pytest.mark.parametrize("value", [None, 10000, b"10000"])
def test_non_strings_are_refused(value: object) -> None:
    assert not is_customer_number(value)


def _accepted_by_auth(number: str) -> bool:
    try:
        Membership(COMPANY, number)
    except ValueError:
        return False
    return True


def _accepted_by_bc(number: str) -> bool:
    try:
        CustomerScope(COMPANY, number)
    except InvalidScope:
        return False
    return True


@given(st.text(alphabet="AZaz09 _-./*'\n", max_size=22))
def test_a_token_membership_and_a_bc_scope_accept_the_same_numbers(number: str) -> None:
    assert _accepted_by_auth(number) == _accepted_by_bc(number) == is_customer_number(number)
