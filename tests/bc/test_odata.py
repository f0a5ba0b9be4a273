"""OData building: typed, escaped literals; `or` over one field only; validated names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.bc import Expand, Field, ODataBuildError, Query, any_of, neutralise_search_text


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("O'Brien", "'O''Brien'"),
        ("", "''"),
        (42, "42"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1000.50"), "1000.50"),
        (True, "true"),
        (False, "false"),
        (date(2025, 5, 8), "2025-05-08"),
        (datetime(2025, 5, 8, 12, 30, tzinfo=UTC), "2025-05-08T12:30:00Z"),
        (datetime(2025, 5, 8, 14, 30, tzinfo=timezone(timedelta(hours=2))), "2025-05-08T12:30:00Z"),
        (UUID("848028e0-0c2c-f011-9a4a-7ced8d0fb545"), "848028e0-0c2c-f011-9a4a-7ced8d0fb545"),
    ],
)
def test_values_render_as_typed_literals(value: object, literal: str) -> None:
    assert Field("x").eq(value).render() == f"x eq {literal}"  # type: ignore[arg-type]


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ODataBuildError):
        Field("lastModifiedDateTime").gt(datetime(2025, 1, 1))


def test_unsupported_literal_type_is_refused() -> None:
    with pytest.raises(ODataBuildError):
        Field("amount").eq(1.5)  # type: ignore[arg-type]


def test_comparison_operators_render() -> None:
    rendered = [getattr(Field("n"), op)(1).render() for op in ("eq", "ne", "gt", "ge", "lt", "le")]
    assert rendered == ["n eq 1", "n ne 1", "n gt 1", "n ge 1", "n lt 1", "n le 1"]


def test_text_functions_escape_their_argument() -> None:
    assert Field("displayName").contains("a'b").render() == "contains(displayName,'a''b')"
    assert Field("number").startswith("SO").render() == "startswith(number,'SO')"
    assert Field("number").endswith("1").render() == "endswith(number,'1')"


def test_and_joins_filters_on_different_fields() -> None:
    combined = Field("status").eq("Open") & Field("customerNumber").eq("10000")
    assert combined.render() == "status eq 'Open' and customerNumber eq '10000'"
    assert combined.fields == {"status", "customerNumber"}


def test_or_on_one_field_is_parenthesised() -> None:
    either = Field("status").eq("Open") | Field("status").eq("Draft")
    assert either.render() == "(status eq 'Open' or status eq 'Draft')"
    assert (
        either & Field("number").eq("1")
    ).render() == "(status eq 'Open' or status eq 'Draft') and number eq '1'"


def test_or_across_fields_is_refused_when_built() -> None:
    with pytest.raises(ODataBuildError):
        _ = Field("number").eq("1") | Field("displayName").eq("x")


def test_or_with_an_and_over_other_fields_is_refused() -> None:
    with pytest.raises(ODataBuildError):
        _ = (Field("number").eq("1") & Field("status").eq("Open")) | Field("number").eq("2")


def test_any_of_builds_an_or_chain_never_in() -> None:
    rendered = any_of(Field("number"), ["10000", "20000", "10000", "30000"]).render()
    assert rendered == "(number eq '10000' or number eq '20000' or number eq '30000')"
    assert " in " not in rendered


def test_any_of_with_one_value_is_a_comparison() -> None:
    assert any_of(Field("id"), [UUID(int=5)]).render() == f"id eq {UUID(int=5)}"


def test_any_of_without_values_is_refused() -> None:
    with pytest.raises(ODataBuildError):
        any_of(Field("number"), [])


@pytest.mark.parametrize("name", ["", "1abc", "a b", "a,b", "a)", "a/b", "ä", "number eq 1"])
def test_invalid_property_names_are_refused(name: str) -> None:
    with pytest.raises(ODataBuildError):
        Field(name)


@pytest.mark.parametrize(
    "query_kwargs",
    [
        {"entity_set": "items?$top=1"},
        {"entity_set": "items", "select": ("id", "number,displayName")},
        {"entity_set": "items", "orderby": ("number; drop",)},
        {"entity_set": "items", "orderby": ("number asc,id",)},
        {"entity_set": "items", "top": 0},
        {"entity_set": "items", "skip": -1},
    ],
)
def test_invalid_query_parts_are_refused(query_kwargs: dict[str, object]) -> None:
    with pytest.raises(ODataBuildError):
        Query(**query_kwargs)  # type: ignore[arg-type]


def test_query_params_hold_every_option() -> None:
    query = Query(
        "salesOrders",
        filter=Field("status").eq("Open"),
        select=("id", "number"),
        expand=(
            Expand(
                "salesOrderLines",
                select=("id", "sequence"),
                filter=Field("quantity").gt(0),
                expand=(Expand("item", select=("number",)),),
                orderby=("sequence",),
                top=5,
            ),
            Expand("customer"),
        ),
        orderby=("orderDate desc", "number"),
        top=10,
        skip=20,
    )
    assert query.params() == {
        "$filter": "status eq 'Open'",
        "$select": "id,number",
        "$expand": "salesOrderLines($select=id,sequence;$filter=quantity gt 0;"
        "$expand=item($select=number);$orderby=sequence;$top=5),customer",
        "$orderby": "orderDate desc,number",
        "$top": "10",
        "$skip": "20",
    }


def test_empty_query_has_no_params() -> None:
    assert Query("items").params() == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("desk*", "desk"),
        ("a|b&c", "abc"),
        ("1..9", "1.9"),
        (".*.", "."),
        ("<>=@()'?", ""),
        ("  O'Neil  chair ", "ONeil chair"),
        ("Wieżowa", "Wieżowa"),
    ],
)
def test_search_text_loses_al_filter_characters(text: str, expected: str) -> None:
    assert neutralise_search_text(text) == expected


@given(st.text())
def test_any_text_renders_as_exactly_one_string_literal(text: str) -> None:
    rendered = Field("displayName").eq(text).render()
    prefix, suffix = "displayName eq '", "'"
    assert rendered.startswith(prefix)
    assert rendered.endswith(suffix)
    inner = rendered[len(prefix) : -len(suffix)]
    # Inside the literal every quote is doubled, so none of them can close it.
    assert inner.replace("''", "").count("'") == 0
    assert inner.replace("''", "'") == text


@given(st.text())
def test_neutralised_text_holds_no_al_filter_characters(text: str) -> None:
    cleaned = neutralise_search_text(text)
    assert not set(cleaned) & set("*?|&<>=@()'")
    assert ".." not in cleaned
    assert cleaned == cleaned.strip()
