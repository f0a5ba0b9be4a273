"""Lines carry a stable id, so normalised caches (Apollo, urql) can key them: a detail query and a
list query give the same line the same id, open orders and completed ones alike; and every
object type of the schema either has an id or is documented as a value without one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLScalarType

from gateway.schema import schema
from tests.helpers import data_of

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
CUSTOMER = "10000"
KINDS = [
    # (list field, detail field, the list's arguments)
    ("orders", "order", "first: 100"),
    ("invoices", "invoice", "first: 50"),
    ("creditMemos", "creditMemo", "first: 50"),
    ("shipments", "shipment", "first: 50"),
]


def lines_by_document(nodes: list[dict[str, Any]]) -> dict[str, dict[int, str]]:
    return {node["number"]: {line["sequence"]: line["id"] for line in node["lines"]} for node in nodes}


@pytest.mark.parametrize(("listed", "detail", "arguments"), KINDS, ids=[k[0] for k in KINDS])
async def test_a_line_has_the_same_id_in_the_list_and_in_the_detail_query(
    listed: str, detail: str, arguments: str, client: httpx.AsyncClient, token_for: Any
) -> None:
    token = token_for(CUSTOMER)
    page = await data_of(
        client, f"{{ {listed}({arguments}) {{ nodes {{ number lines {{ id sequence }} }} }} }}", token=token
    )
    in_list = lines_by_document(page[listed]["nodes"])
    assert in_list, f"customer {CUSTOMER} has no {listed}"
    every_id = [line_id for lines in in_list.values() for line_id in lines.values()]
    assert len(every_id) == len(set(every_id))  # unique across documents too
    if listed == "orders":
        opened = await data_of(client, "{ orders(first: 100) { nodes { number open } } }", token=token)
        kinds = {node["open"] for node in opened["orders"]["nodes"]}
        assert kinds == {True, False}  # open orders and rebuilt completed ones are both checked
    query = f"query($n: String!) {{ {detail}(number: $n) {{ number lines {{ id sequence }} }} }}"
    for number, lines in in_list.items():
        found = await data_of(client, query, {"n": number}, token=token)
        assert lines_by_document([found[detail]]) == {number: lines}


def test_every_object_type_has_an_id_or_is_documented_as_a_value() -> None:
    """docs/schema.md lists the object types without an id, each with its reason."""
    docs = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    section = docs[docs.index("## Ids") :]
    section = section[: section.find("\n## ", 4)] if "\n## " in section[4:] else section
    documented = set(re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE))
    with_id, without_id = set(), set()
    for name, kind in schema._schema.type_map.items():
        if (
            not isinstance(kind, GraphQLObjectType)
            or name.startswith("__")
            or name in ("Query", "Mutation", "Subscription")
        ):
            continue
        field = kind.fields.get("id")
        has_id = field is not None and isinstance(field.type, GraphQLNonNull)
        if has_id:
            assert isinstance(field.type.of_type, GraphQLScalarType)
            assert field.type.of_type.name == "ID", name
        (with_id if has_id else without_id).add(name)
    assert documented == without_id
    assert {"SalesOrderLine", "InvoiceLine", "CreditMemoLine", "ShipmentLine"} <= with_id
