"""$metadata per route: only what the sandbox serves, consistent with BC's real document."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from gateway.sandbox.config import SandboxConfig, default_routes
from gateway.sandbox.edm import EDM_NS, load_model
from tests.sandbox.conftest import API

pytestmark = pytest.mark.anyio

REAL_METADATA = Path(__file__).parents[1] / "fixtures" / "metadata.xml"
E = f"{{{EDM_NS}}}"


def parse(document: bytes) -> ET.Element:
    return ET.fromstring(document)  # noqa: S314  (our own sandbox's output)


async def test_metadata_lists_only_served_entity_sets(bc: httpx.AsyncClient) -> None:
    response = await bc.get(f"{API}/$metadata")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = parse(response.content)
    sets = {s.get("Name") for s in root.iter(f"{E}EntitySet")}
    assert sets == {"companies", "customers", "salesOrders", "salesOrderLines", "salesShipmentLines"}


async def test_metadata_types_match_bc_real_metadata(bc: httpx.AsyncClient) -> None:
    real = load_model(REAL_METADATA)
    root = parse((await bc.get(f"{API}/$metadata")).content)
    served_types = list(root.iter(f"{E}EntityType"))
    assert {t.get("Name") for t in served_types} == {
        "company",
        "customer",
        "salesOrder",
        "salesOrderLine",
        "salesShipmentLine",
    }
    for entity_type in served_types:
        real_type = real.entity_types[entity_type.get("Name", "")]
        for prop in entity_type.iter(f"{E}Property"):
            assert real_type.properties[prop.get("Name", "")].type == prop.get("Type")


async def test_metadata_keeps_navigation_between_served_types_only(bc: httpx.AsyncClient) -> None:
    root = parse((await bc.get(f"{API}/$metadata")).content)
    [order] = [t for t in root.iter(f"{E}EntityType") if t.get("Name") == "salesOrder"]
    navigation = {n.get("Name") for n in order.iter(f"{E}NavigationProperty")}
    assert navigation == {"customer", "salesOrderLines"}
    enums = {e.get("Name") for e in root.iter(f"{E}EnumType")}
    assert "salesOrderEntityBufferStatus" in enums
    assert "itemType" not in enums


async def test_metadata_needs_a_token(anonymous_bc: httpx.AsyncClient) -> None:
    assert (await anonymous_bc.get(f"{API}/$metadata")).status_code == 401


def test_edm_reads_keys_navigation_and_capabilities() -> None:
    model = load_model(REAL_METADATA)
    order = model.entity_type_of("salesOrders")
    assert order.key == ("id",)
    assert order.properties["customerNumber"].max_length == 20
    assert not order.properties["customerNumber"].nullable
    lines = order.navigation["salesOrderLines"]
    assert (lines.target_type, lines.collection, lines.constraints) == (
        "salesOrderLine",
        True,
        (("id", "documentId"),),
    )
    assert not model.entity_sets["companies"].insertable
    assert model.entity_sets["salesOrders"].deletable
    assert model.enum_types["salesOrderEntityBufferStatus"].members == ("Draft", "In_x0020_Review", "Open")
    assert load_model(REAL_METADATA) is model


def test_routes_pick_up_the_metadata_files_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "standard.xml").write_text("<x/>")
    (tmp_path / "portal.xml").write_text("<x/>")
    monkeypatch.setattr("gateway.sandbox.config.METADATA_DIR", tmp_path)
    assert [r.route for r in default_routes()] == ["v2.0", "bcgateway/portal/v1.0"]
    assert SandboxConfig().route("v2.0") is not None
