"""Every row of the standard route looks exactly like BC's API v2.0 $metadata says it must."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.sandbox.store import ANALYTICS_ROUTE, PORTAL_ROUTE, STANDARD_ROUTE, SandboxStore
from gateway.sandbox.world import build_store

METADATA_DIR = Path(__file__).parents[2] / "gateway" / "sandbox" / "metadata"
# The standard route: BC's 2025 document plus the newer sets' own (salesOrderArchives, …).
ROUTES = {
    STANDARD_ROUTE: ("standard.xml", "standard-newer.xml"),
    ANALYTICS_ROUTE: ("analytics.xml",),
    PORTAL_ROUTE: ("portal.xml",),
}
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
NAV = "Microsoft.NAV."

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

CHECKS: dict[str, Callable[[object], bool]] = {
    "Edm.Guid": lambda v: isinstance(v, str) and bool(GUID.match(v)),
    "Edm.Date": lambda v: isinstance(v, str) and bool(DATE.match(v)),
    "Edm.DateTimeOffset": lambda v: isinstance(v, str) and bool(DATETIME.match(v)),
    "Edm.Decimal": lambda v: isinstance(v, Decimal),
    "Edm.Int32": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Edm.Int64": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Edm.Boolean": lambda v: isinstance(v, bool),
    "Edm.String": lambda v: isinstance(v, str),
}


class Metadata:
    def __init__(self, *paths: Path) -> None:
        self.types: dict[str | None, dict[str | None, str]] = {}
        self.enums: dict[str | None, set[str | None]] = {}
        self.sets: dict[str | None, str] = {}
        for path in paths:
            self._read(path)

    def _read(self, path: Path) -> None:
        # Our own checked-in metadata file, not untrusted input.
        schema = ET.parse(path).getroot().find(f".//{EDM}Schema")  # noqa: S314
        assert schema is not None
        self.types |= {
            # A media stream (Edm.Stream) is no row value: its bytes live in a private key.
            t.get("Name"): {
                p.get("Name"): str(p.get("Type"))
                for p in t.findall(f"{EDM}Property")
                if p.get("Type") != "Edm.Stream"
            }
            for t in schema.findall(f"{EDM}EntityType")
        }
        self.enums |= {
            e.get("Name"): {m.get("Name") for m in e.findall(f"{EDM}Member")}
            for e in schema.findall(f"{EDM}EnumType")
        }
        self.sets |= {
            s.get("Name"): str(s.get("EntityType")).removeprefix(NAV) for s in schema.iter(f"{EDM}EntitySet")
        }

    def check(self, edm_type: str, value: object) -> bool:
        if edm_type.startswith(NAV):
            return value in self.enums[edm_type.removeprefix(NAV)]
        return CHECKS[edm_type](value)


@pytest.fixture(scope="module")
def metadata() -> Metadata:
    return Metadata(*(METADATA_DIR / f for f in ROUTES[STANDARD_ROUTE]))


@pytest.fixture(scope="module", params=list(ROUTES))
def route(request: pytest.FixtureRequest) -> tuple[str, Metadata]:
    name = str(request.param)
    return name, Metadata(*(METADATA_DIR / f for f in ROUTES[name]))


@pytest.fixture(scope="module")
def store() -> SandboxStore:
    return build_store(seed=3, scale=0.1, today=date(2026, 11, 25))


def test_companies_rows_match_the_company_type(metadata: Metadata, store: SandboxStore) -> None:
    properties = metadata.types["company"]
    for row in store.companies:
        assert set(row) == set(properties)
        assert all(metadata.check(properties[name], value) for name, value in row.items())


def test_every_table_is_an_entity_set_of_its_routes_metadata(
    route: tuple[str, Metadata], store: SandboxStore
) -> None:
    name, metadata = route
    for company in store.companies:
        tables = set(store.entity_sets(company["id"], name))
        assert tables
        assert tables <= set(metadata.sets)


def test_every_row_has_exactly_the_entity_type_properties(
    route: tuple[str, Metadata], store: SandboxStore
) -> None:
    name, metadata = route
    for company in store.companies:
        for entity_set in store.entity_sets(company["id"], name):
            expected = set(metadata.types[metadata.sets[entity_set]])
            for row in store.table(company["id"], name, entity_set):
                public = {key for key in row if not key.startswith("_")}
                assert public == expected, (entity_set, public ^ expected)


def test_every_value_has_the_python_type_of_its_edm_type(
    route: tuple[str, Metadata], store: SandboxStore
) -> None:
    name, metadata = route
    for company in store.companies:
        for entity_set in store.entity_sets(company["id"], name):
            properties = metadata.types[metadata.sets[entity_set]]
            for row in store.table(company["id"], name, entity_set):
                wrong = {
                    n: v for n, v in row.items() if n in properties and not metadata.check(properties[n], v)
                }
                assert not wrong, (entity_set, wrong)


def test_blank_values_use_bc_encodings(store: SandboxStore) -> None:
    company = store.companies[0]["id"]
    orders = store.table(company, STANDARD_ROUTE, "salesOrders")
    assert any(o["requestedDeliveryDate"] == "0001-01-01" for o in orders)
    assert any(o["currencyId"] == "00000000-0000-0000-0000-000000000000" for o in orders)
    shipment_lines = store.table(company, STANDARD_ROUTE, "salesShipmentLines")
    assert any(line["lineType"] == "_x0020_" for line in shipment_lines)
    customers = store.table(company, STANDARD_ROUTE, "customers")
    assert any(c["blocked"] == "_x0020_" for c in customers)
