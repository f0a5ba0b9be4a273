"""OData building: typed, escaped literals; `or` over one field only; validated names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.bc import (
    Expand,
    Field,
    ODataBuildError,
    Query,
    UnsafeFilterText,
    al_operator_in,
    any_of,
    longest_literal_run,
)
from gateway.bc._odata import render_literal

AL_OPERATORS = ["*", "?", "|", "&", "<", ">", "=", "@", "(", ")", "'", ".."]


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("OBrien", "'OBrien'"),
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


def test_a_quote_is_doubled_inside_its_literal() -> None:
    assert render_literal("O'Brien") == "'O''Brien'"


@pytest.mark.parametrize("operator", AL_OPERATORS)
def test_text_with_an_al_operator_is_refused_in_every_comparison(operator: str) -> None:
    value = f"10{operator}58"
    field = Field("number")
    builders = [
        field.eq,
        field.ne,
        field.gt,
        field.ge,
        field.lt,
        field.le,
        field.contains,
        field.startswith,
        field.endswith,
        field.lower().eq,
        lambda v: any_of(field, ["1058", v]),
    ]
    for build in builders:
        with pytest.raises(UnsafeFilterText) as caught:
            build(value)
        assert caught.value.operator == operator
        assert isinstance(caught.value, ODataBuildError)


def test_a_single_dot_and_other_code_characters_are_literal() -> None:
    assert Field("number").eq("S-ORD/10.5 #1+_").render() == "number eq 'S-ORD/10.5 #1+_'"
    assert al_operator_in("1.5") is None
    assert al_operator_in("1...5") == ".."


def test_a_lowered_field_reads_through_tolower_and_asks_for_schemaversion_21() -> None:
    name = Field("displayName").lower()
    assert name.eq("chair").render() == "tolower(displayName) eq 'chair'"
    nested = Query("items", filter=Field("blocked").eq(False) & name.contains("chair"))
    assert nested.params() == {
        "$filter": "blocked eq false and contains(tolower(displayName),'chair')",
        "$schemaversion": "2.1",
    }
    # One function alone is not nested: no schema version is asked for.
    assert "$schemaversion" not in Query("items", filter=name.eq("chair")).params()
    expanded = Query("salesOrders", expand=(Expand("salesOrderLines", filter=name.startswith("ch")),))
    assert expanded.params()["$schemaversion"] == "2.1"


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ODataBuildError):
        Field("lastModifiedDateTime").gt(datetime(2025, 1, 1))


def test_unsupported_literal_type_is_refused() -> None:
    with pytest.raises(ODataBuildError):
        Field("amount").eq(1.5)  # type: ignore[arg-type]


def test_comparison_operators_render() -> None:
    rendered = [getattr(Field("n"), op)(1).render() for op in ("eq", "ne", "gt", "ge", "lt", "le")]
    assert rendered == ["n eq 1", "n ne 1", "n gt 1", "n ge 1", "n lt 1", "n le 1"]


def test_text_functions_render_their_argument_as_a_literal() -> None:
    # A quote is an AL operator inside contains() too: refused (above), escaped (render_literal).
    assert Field("displayName").contains("a b").render() == "contains(displayName,'a b')"
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
        ("a|b&cd", "cd"),
        ("1..9", "1"),
        ("1.5 mm", "1.5 mm"),
        ("<>=@()'?", ""),
        ("  O'Neil  chair ", "Neil  chair"),
        ("children's desk", "children"),
        ("Wieżowa", "Wieżowa"),
    ],
)
def test_search_text_keeps_its_longest_run_between_al_operators(text: str, expected: str) -> None:
    assert longest_literal_run(text) == expected


@given(st.text())
def test_any_text_renders_as_exactly_one_string_literal(text: str) -> None:
    rendered = render_literal(text)
    # Inside the literal every quote is doubled, so none of them can close it.
    assert rendered.startswith("'")
    assert rendered.endswith("'")
    inner = rendered[1:-1]
    assert inner.replace("''", "").count("'") == 0
    assert inner.replace("''", "'") == text


@given(st.text())
def test_any_text_is_refused_or_compared_without_an_al_operator(text: str) -> None:
    operator = al_operator_in(text)
    if operator is not None:
        with pytest.raises(UnsafeFilterText):
            Field("displayName").eq(text)
        assert operator in text
        return
    inner = Field("displayName").eq(text).render().removeprefix("displayName eq '").removesuffix("'")
    assert al_operator_in(inner) is None
    assert inner == text


@given(st.text())
def test_the_longest_literal_run_holds_no_al_operator(text: str) -> None:
    run = longest_literal_run(text)
    assert al_operator_in(run) is None
    assert run == run.strip()
    assert run in text
