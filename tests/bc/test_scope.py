"""Customer scope: built from a strict customer number; scoped() is the one way to owned data."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest

from gateway.bc import (
    CUSTOMER_OWNED,
    CustomerScope,
    Field,
    InvalidScope,
    Query,
    ScopedQuery,
    ScopeViolation,
    scoped,
)
from tests.bc.conftest import COMPANY_ID


@pytest.mark.parametrize("number", ["10000", "NA0007", "C-00010", "SZA/25/1", "A.B", "X" * 20])
def test_valid_customer_numbers_are_accepted(number: str) -> None:
    assert CustomerScope(COMPANY_ID, number).customer_number == number


@pytest.mark.parametrize(
    "number",
    [
        "",
        "X" * 21,
        "10000*",
        "1000?",
        "10000|20000",
        "1&2",
        "1..9",
        "<5",
        ">5",
        "=1",
        "@x",
        "(1)",
        "1'",
        " 1",
        "c1",
        "ä",
    ],
)
def test_customer_numbers_with_filter_characters_are_invalid(number: str) -> None:
    with pytest.raises(InvalidScope):
        CustomerScope(COMPANY_ID, number)


def test_nil_company_is_invalid() -> None:
    with pytest.raises(InvalidScope):
        CustomerScope(UUID(int=0), "10000")


def test_company_must_be_a_uuid() -> None:
    with pytest.raises(InvalidScope):
        CustomerScope(str(COMPANY_ID), "10000")  # type: ignore[arg-type]


def test_scoped_adds_the_customer_filter(scope: CustomerScope) -> None:
    query = scoped(Query("salesOrders", filter=Field("status").eq("Open")), scope)
    assert query.query.params()["$filter"] == "status eq 'Open' and customerNumber eq '10000'"
    assert query.scope == scope


def test_scoped_query_without_filter_gets_only_the_scope(scope: CustomerScope) -> None:
    assert scoped(Query("customers"), scope).query.params() == {"$filter": "number eq '10000'"}


def test_scope_filter_cannot_be_or_ed_away(scope: CustomerScope) -> None:
    either = Field("customerNumber").eq("20000") | Field("customerNumber").eq("30000")
    rendered = scoped(Query("salesInvoices", filter=either), scope).query.params()["$filter"]
    assert (
        rendered == "(customerNumber eq '20000' or customerNumber eq '30000') and customerNumber eq '10000'"
    )


def test_scoped_selects_the_customer_field_so_rows_can_be_checked(scope: CustomerScope) -> None:
    query = scoped(Query("salesShipments", select=("id", "number")), scope)
    assert query.query.select == ("id", "number", "customerNumber")


@pytest.mark.parametrize("entity_set", ["salesOrderLines", "salesInvoiceLines", "salesShipmentLines"])
def test_line_sets_cannot_be_scoped_directly(entity_set: str, scope: CustomerScope) -> None:
    with pytest.raises(ScopeViolation):
        scoped(Query(entity_set), scope)


def test_sets_that_are_not_customer_owned_cannot_be_scoped(scope: CustomerScope) -> None:
    with pytest.raises(ScopeViolation):
        scoped(Query("items"), scope)


def test_scoped_query_cannot_be_built_by_hand(scope: CustomerScope) -> None:
    with pytest.raises(ScopeViolation):
        ScopedQuery(Query("salesOrders"), scope)


def test_customer_owned_sets_name_their_customer_field() -> None:
    assert CUSTOMER_OWNED["customers"] == "number"
    assert CUSTOMER_OWNED["salesOrders"] == "customerNumber"
    assert CUSTOMER_OWNED["salesOrderLines"] is None


def test_replacing_the_query_of_a_scoped_query_is_refused(scope: CustomerScope) -> None:
    scoped_query = scoped(Query("salesOrders"), scope)
    with pytest.raises(ScopeViolation):
        replace(scoped_query, query=Query("salesOrders"))
    with pytest.raises(ScopeViolation):
        replace(scoped_query, scope=CustomerScope(COMPANY_ID, "20000"))
