"""Conformance with BC's real API v2.0 $metadata (tests/fixtures/metadata.xml): every entity set the
sandbox serves on the standard route, in its $metadata and in the JSON it sends, rows it created
included.

The standard sets newer than the 2025 document (``NEWER_THAN_2025``, e.g. ``salesOrderArchives``)
are not in it, so they alone are left out of the comparison with it, explicitly; they are checked
against their own document instead (metadata/standard-newer.xml, from BC's APIV2 AL pages)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.sandbox.config import METADATA_DIR, NEWER_STANDARD_METADATA, NEWER_THAN_2025
from gateway.sandbox.edm import EDM_NS, EdmModel, EntityType, Property, load_model
from gateway.sandbox.reads import LINES_NEED_PARENT
from tests.sandbox.conftest import API

pytestmark = pytest.mark.anyio

REAL = load_model(Path(__file__).parents[1] / "fixtures" / "metadata.xml")
# BC's real document with the newer sets' own document merged in: what they are checked against.
NEWER = load_model(
    Path(__file__).parents[1] / "fixtures" / "metadata.xml", (METADATA_DIR / NEWER_STANDARD_METADATA,)
)
E = f"{{{EDM_NS}}}"
_NUMBERS = {"Edm.Decimal", "Edm.Int32", "Edm.Int64", "Edm.Double"}


def _model_of(entity_set: str) -> EdmModel:
    return NEWER if entity_set in NEWER_THAN_2025 else REAL


def _json_type_ok(prop: Property, value: Any) -> bool:
    if prop.type in _NUMBERS:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if prop.type == "Edm.Boolean":
        return isinstance(value, bool)
    if prop.type == "Edm.Stream":
        return value is None or isinstance(value, str)
    if not prop.is_primitive:  # enum: an XML-encoded member name
        enum = NEWER.enum_of(prop)
        return enum is not None and value in enum.members
    return isinstance(value, str)


def _check_entity(entity: EntityType, body: dict[str, Any]) -> None:
    sent = {k for k in body if not k.startswith("@odata.") and "@odata." not in k}
    assert sent == set(entity.properties), entity.name
    for name, value in body.items():
        if name in entity.properties:
            assert _json_type_ok(entity.properties[name], value), (entity.name, name, value)


async def _served(bc: httpx.AsyncClient) -> dict[str, str]:
    root = ET.fromstring((await bc.get(f"{API}/$metadata")).content)  # noqa: S314  (our own output)
    return {s.get("Name", ""): s.get("EntityType", "").rsplit(".", 1)[-1] for s in root.iter(f"{E}EntitySet")}


async def test_served_metadata_matches_bcs_real_metadata_for_every_served_set(
    world_bc: httpx.AsyncClient,
) -> None:
    root = ET.fromstring((await world_bc.get(f"{API}/$metadata")).content)  # noqa: S314
    served_sets = await _served(world_bc)
    assert len(served_sets) >= 15
    newer_types = {NEWER.entity_sets[name].type_name for name in NEWER_THAN_2025 if name in NEWER.entity_sets}
    for name, type_name in served_sets.items():
        if name in NEWER_THAN_2025:
            assert name not in REAL.entity_sets  # really newer than the 2025 document
            assert NEWER.entity_sets[name].type_name == type_name
        else:
            assert REAL.entity_sets[name].type_name == type_name
    for entity_type in root.iter(f"{E}EntityType"):
        name = entity_type.get("Name", "")
        real = (NEWER if name in newer_types else REAL).entity_types[name]
        served = {p.get("Name"): p.get("Type") for p in entity_type.iter(f"{E}Property")}
        assert served == {name: prop.type for name, prop in real.properties.items()}, real.name


async def test_the_newer_sets_are_served_by_full_and_only_they_are_outside_the_2025_document(
    world_bc: httpx.AsyncClient,
) -> None:
    served = set(await _served(world_bc))
    assert {"salesOrderArchives", "salesOrderArchiveLines"} <= served
    assert served - set(REAL.entity_sets) <= NEWER_THAN_2025


async def test_every_served_set_sends_exactly_bcs_properties_and_json_types(
    world_bc: httpx.AsyncClient,
) -> None:
    companies = (await world_bc.get(f"{API}/companies")).json()["value"]
    for company in companies:
        _check_entity(REAL.entity_type_of("companies"), company)
        co = f"{API}/companies({company['id']})"
        for entity_set, type_name in (await _served(world_bc)).items():
            if entity_set == "companies":
                continue
            entity = _model_of(entity_set).entity_types[type_name]
            if entity_set in LINES_NEED_PARENT:
                rows = await _lines(world_bc, co, entity_set)
            else:
                response = await world_bc.get(f"{co}/{entity_set}", params={"$top": "5"})
                assert response.status_code == 200, (entity_set, response.text)
                rows = response.json()["value"]
            assert rows, entity_set
            for row in rows:
                _check_entity(entity, row)


async def _lines(bc: httpx.AsyncClient, co: str, entity_set: str) -> list[dict[str, Any]]:
    header_set = entity_set.removesuffix("Lines") + "s"
    headers = (await bc.get(f"{co}/{header_set}", params={"$top": "5", "$expand": entity_set})).json()
    rows: list[dict[str, Any]] = [line for header in headers["value"] for line in header[entity_set]]
    return rows


async def test_orders_created_through_the_api_conform_too(world_bc: httpx.AsyncClient) -> None:
    company = (await world_bc.get(f"{API}/companies")).json()["value"][0]["id"]
    co = f"{API}/companies({company})"
    customer = (
        await world_bc.get(f"{co}/customers", params={"$filter": "blocked eq '_x0020_'", "$top": "1"})
    ).json()["value"][0]
    item = (await world_bc.get(f"{co}/items", params={"$filter": "blocked eq false", "$top": "1"})).json()[
        "value"
    ][0]
    body = {
        "customerId": customer["id"],
        "salesOrderLines": [
            {"itemId": item["id"], "quantity": 2},
            {"lineType": "Comment", "description": "x"},
        ],
    }
    created = await world_bc.post(f"{co}/salesOrders", json=body)
    assert created.status_code == 201, created.text
    order = dict(created.json())
    lines = order.pop("salesOrderLines")
    _check_entity(REAL.entity_type_of("salesOrders"), order)
    for line in lines:
        _check_entity(REAL.entity_type_of("salesOrderLines"), line)
