"""Query options: $filter (with BC's quirks), $select, $expand, $orderby, $top, $skip."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import CO, guid

pytestmark = pytest.mark.anyio


async def get_values(bc: httpx.AsyncClient, path: str, **params: str) -> list[dict[str, Any]]:
    response = await bc.get(path, params=params)
    assert response.status_code == 200, response.text
    values: list[dict[str, Any]] = response.json()["value"]
    return values


async def numbers(bc: httpx.AsyncClient, entity_set: str, **params: str) -> list[str]:
    return [row["number"] for row in await get_values(bc, f"{CO}/{entity_set}", **params)]


async def test_filter_compares_strings_numbers_dates_and_enums(bc: httpx.AsyncClient) -> None:
    assert await numbers(bc, "salesOrders", **{"$filter": "number eq 'SO/1002'"}) == ["SO/1002"]
    assert await numbers(bc, "salesOrders", **{"$filter": "totalAmountIncludingTax gt 100"}) == [
        "SO/1002",
        "SO/1003",
    ]
    assert await numbers(bc, "salesOrders", **{"$filter": "orderDate ge 2025-03-01"}) == [
        "SO/1003",
        "SO/1004",
    ]
    assert await numbers(bc, "salesOrders", **{"$filter": "status eq 'In_x0020_Review'"}) == ["SO/1003"]


async def test_filter_compares_guids_datetimes_and_booleans(bc: httpx.AsyncClient) -> None:
    customer_id = guid(1, "c")
    assert await numbers(bc, "salesOrders", **{"$filter": f"customerId eq {customer_id}"}) == [
        "SO/1001",
        "SO/1002",
    ]
    filter_ = (
        "lastModifiedDateTime lt 2025-02-10T10:00:00.001Z and lastModifiedDateTime gt 2025-02-01T00:00:00Z"
    )
    assert await numbers(bc, "salesOrders", **{"$filter": filter_}) == ["SO/1002"]
    assert len(await numbers(bc, "salesOrders", **{"$filter": "fullyShipped eq false"})) == 4


async def test_filter_and_or_not(bc: httpx.AsyncClient) -> None:
    filter_ = "(number eq 'SO/1001' or number eq 'SO/1004') and not (status eq 'Draft')"
    assert await numbers(bc, "salesOrders", **{"$filter": filter_}) == ["SO/1004"]
    assert await numbers(bc, "salesOrders", **{"$filter": "status ne 'Open'"}) == ["SO/1001", "SO/1003"]


async def test_text_functions_match_case_sensitively_as_bc_does(bc: httpx.AsyncClient) -> None:
    # BC's filters are case-sensitive (REFERENCE §3.2): contains() becomes "*Sons*", not "@*Sons*".
    assert await numbers(bc, "customers", **{"$filter": "contains(displayName,'Sons')"}) == ["30000"]
    assert await numbers(bc, "customers", **{"$filter": "contains(displayName,'SONS')"}) == []
    assert await numbers(bc, "customers", **{"$filter": "startswith(displayName,'Müller')"}) == ["40000"]
    assert await numbers(bc, "customers", **{"$filter": "startswith(displayName,'müller')"}) == []
    assert await numbers(bc, "customers", **{"$filter": "endswith(displayName,'CORP')"}) == []
    assert await numbers(bc, "customers", **{"$filter": "displayName eq 'ZETA CORP'"}) == []


async def test_tolower_and_toupper_make_text_match_ignore_case(bc: httpx.AsyncClient) -> None:
    nested = {"$schemaversion": "2.1"}
    for function in ("tolower", "toupper"):
        contains = f"contains({function}(displayName),'sons')"
        assert await numbers(bc, "customers", **{"$filter": contains}, **nested) == ["30000"]
        starts = f"startswith({function}(displayName),'müller')"
        assert await numbers(bc, "customers", **{"$filter": starts}, **nested) == ["40000"]
        assert await numbers(bc, "customers", **{"$filter": f"{function}(displayName) eq 'ZETA corp'"}) == [
            "50000"
        ]


async def test_a_nested_function_call_needs_schemaversion_21(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/customers", params={"$filter": "contains(tolower(displayName),'sons')"})
    assert response.status_code == 400
    assert "$schemaversion=2.1" in response.json()["error"]["message"]


async def test_a_quote_in_a_literal_is_escaped_by_doubling(bc: httpx.AsyncClient) -> None:
    filter_ = "startswith(displayName,'O''Brien')"
    assert await numbers(bc, "customers", **{"$filter": filter_}) == ["30000"]


async def test_an_ampersand_in_an_exact_name_is_an_al_and(bc: httpx.AsyncClient) -> None:
    # "O'Brien & Sons Ltd." is read by AL as "O'Brien " AND " Sons Ltd.": no row matches both.
    filter_ = "displayName eq 'O''Brien & Sons Ltd.'"
    assert await numbers(bc, "customers", **{"$filter": filter_}) == []


async def test_or_across_different_fields_is_rejected(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/customers", params={"$filter": "number eq '10000' or displayName eq 'x'"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(
        "The 'OR' operator is not supported on distinct fields on an OData filter."
    )


async def test_in_without_schemaversion_21_is_silently_ignored(bc: httpx.AsyncClient) -> None:
    # The trap of REFERENCE §14: the whole table comes back, with no error.
    result = await numbers(bc, "customers", **{"$filter": "number in ('10000','20000')"})
    assert result == ["10000", "20000", "30000", "40000", "50000"]


async def test_in_with_schemaversion_21_filters(bc: httpx.AsyncClient) -> None:
    params = {"$filter": "number in ('10000','20000')", "$schemaversion": "2.1"}
    assert await numbers(bc, "customers", **params) == ["10000", "20000"]


async def test_string_literals_are_al_filter_expressions(bc: httpx.AsyncClient) -> None:
    # A value a user typed, "Ass*", matches by wildcard on BC, not literally.
    assert await numbers(bc, "customers", **{"$filter": "displayName eq 'Ass*'"}) == ["10000", "20000"]
    assert await numbers(bc, "customers", **{"$filter": "number eq '10000|30000'"}) == ["10000", "30000"]
    assert await numbers(bc, "customers", **{"$filter": "number eq '20000..40000'"}) == [
        "20000",
        "30000",
        "40000",
    ]
    assert await numbers(bc, "customers", **{"$filter": "number eq '?0000'"}) == [
        "10000",
        "20000",
        "30000",
        "40000",
        "50000",
    ]
    assert await numbers(bc, "customers", **{"$filter": "displayName eq '@ZETA*'"}) == ["50000"]
    # contains() becomes "*Sons|zeta*": the "|" splits it into "*Sons" or "zeta*".
    assert await numbers(bc, "customers", **{"$filter": "contains(displayName,'Sons|zeta')"}) == ["50000"]


async def test_ne_and_ordered_comparisons_put_an_al_operator_before_the_value(bc: httpx.AsyncClient) -> None:
    # ne 'v' is "<>v": "<>10000|30000" is "not 10000, or 30000".
    assert await numbers(bc, "customers", **{"$filter": "number ne '10000|30000'"}) == [
        "20000",
        "30000",
        "40000",
        "50000",
    ]
    assert await numbers(bc, "customers", **{"$filter": "number ne '*'"}) == []
    # lt 'v' is "<v": "<20000|50000" is "below 20000, or 50000".
    assert await numbers(bc, "customers", **{"$filter": "number lt '20000|50000'"}) == ["10000", "50000"]
    assert await numbers(bc, "customers", **{"$filter": "number ge '40000'"}) == ["40000", "50000"]
    assert await numbers(bc, "customers", **{"$filter": "number ne ''"}) == [
        "10000",
        "20000",
        "30000",
        "40000",
        "50000",
    ]


async def test_filter_on_an_unknown_property_is_a_bc_error(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/customers", params={"$filter": "nope eq 'x'"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest_NotFound"


async def test_a_malformed_filter_is_a_syntax_error(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/customers", params={"$filter": "number eq"})
    assert response.status_code == 400


async def test_a_literal_of_the_wrong_type_is_refused(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrders", params={"$filter": "orderDate ge 'soon'"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest"


async def test_select_returns_only_the_chosen_properties(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/customers", params={"$select": "number,displayName", "$top": "1"})
    body = response.json()
    assert body["@odata.context"].endswith(
        f"/$metadata#companies({CO.rsplit('(', 1)[1][:-1]})/customers(number,displayName)"
    )
    assert set(body["value"][0]) == {"@odata.etag", "number", "displayName"}


async def test_select_of_an_unknown_property_is_a_bc_error(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/customers", params={"$select": "number,nope"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest_NotFound"
    assert "nope" in response.json()["error"]["message"]


async def test_orderby_several_keys(bc: httpx.AsyncClient) -> None:
    rows = await get_values(
        bc, f"{CO}/salesOrders", **{"$orderby": "customerNumber desc,totalAmountIncludingTax asc"}
    )
    assert [r["number"] for r in rows] == ["SO/1004", "SO/1003", "SO/1001", "SO/1002"]


async def test_orderby_text_ignores_case(bc: httpx.AsyncClient) -> None:
    rows = await get_values(bc, f"{CO}/customers", **{"$orderby": "displayName"})
    assert [r["number"] for r in rows] == ["20000", "10000", "40000", "30000", "50000"]


async def test_top_and_skip(bc: httpx.AsyncClient) -> None:
    params = {"$orderby": "number desc", "$skip": "1", "$top": "2"}
    assert await numbers(bc, "customers", **params) == ["40000", "30000"]


async def test_invalid_top_is_refused(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/customers", params={"$top": "-1"})
    assert response.status_code == 400


async def test_expand_joins_children_through_the_referential_constraint(bc: httpx.AsyncClient) -> None:
    rows = await get_values(bc, f"{CO}/salesOrders", **{"$expand": "salesOrderLines,customer"})
    lines = {r["number"]: [line["lineObjectNumber"] for line in r["salesOrderLines"]] for r in rows}
    assert lines == {
        "SO/1001": ["1000", "1001"],
        "SO/1002": ["1002"],
        "SO/1003": ["1000", "1003", "1004"],
        "SO/1004": [],
    }
    assert rows[2]["customer"]["number"] == "20000"
    assert rows[0]["salesOrderLines"][0]["@odata.etag"].startswith('W/"')


async def test_expand_with_nested_options(bc: httpx.AsyncClient) -> None:
    expand = (
        "salesOrderLines($select=lineObjectNumber,quantity;$filter=quantity ge 4;"
        "$orderby=sequence desc;$top=2),"
        "customer($select=number,displayName)"
    )
    [row] = await get_values(
        bc,
        f"{CO}/salesOrders",
        **{"$filter": "number eq 'SO/1003'", "$select": "number", "$expand": expand},
    )
    assert row["salesOrderLines"] == [
        {"@odata.etag": row["salesOrderLines"][0]["@odata.etag"], "lineObjectNumber": "1004", "quantity": 6},
        {"@odata.etag": row["salesOrderLines"][1]["@odata.etag"], "lineObjectNumber": "1003", "quantity": 5},
    ]
    assert set(row["customer"]) == {"@odata.etag", "number", "displayName"}
    assert set(row) == {"@odata.etag", "number", "salesOrderLines", "customer"}


async def test_expand_nests_several_levels(bc: httpx.AsyncClient) -> None:
    [line] = await get_values(
        bc,
        f"{CO}/salesOrderLines",
        **{
            "$filter": f"id eq {guid(3, 'e')}",
            "$select": "id",
            "$expand": "salesOrder($select=number;$expand=customer($select=displayName))",
        },
    )
    assert line["salesOrder"]["number"] == "SO/1002"
    assert line["salesOrder"]["customer"]["displayName"] == "Association of Skiers"


async def test_expand_of_an_unknown_navigation_is_a_bc_error(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrders", params={"$expand": "nope"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest_NotFound"


async def test_nested_option_errors_are_reported(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{CO}/salesOrders", params={"$expand": "salesOrderLines($select=nope)"})
    assert response.status_code == 400


async def test_lambda_filters_are_ignored_as_documented(bc: httpx.AsyncClient) -> None:
    filter_ = "salesOrderLines/any(line: line/quantity gt 100)"
    assert len(await numbers(bc, "salesOrders", **{"$filter": filter_})) == 4
