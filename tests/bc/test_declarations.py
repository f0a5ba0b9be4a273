"""The models' declarations agree with BC's ``$metadata``: every property and navigation a model
reads exists on its entity type, with an EDM type the declared Python type can hold, and every
enum member the gateway names is a member of BC's enum type.

The standard API is checked against the real tenant's ``$metadata`` (``tests/fixtures``), the
portal and analytics APIs against the EDMX the sandbox serves for them (their contract,
docs/bc-extension.md).
"""

from __future__ import annotations

import types
import typing
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
import pytest

import gateway.bc
import gateway.sandbox
from gateway.bc import Entity

STANDARD = Path(__file__).parents[1] / "fixtures" / "metadata.xml"
SANDBOX_METADATA = Path(gateway.sandbox.__file__).parent / "metadata"
PORTAL = SANDBOX_METADATA / "portal.xml"
# Newer BC than the 2025 snapshot: the order archives (REFERENCE §9), as the sandbox serves them.
NEWER = SANDBOX_METADATA / "standard-newer.xml"
ANALYTICS = SANDBOX_METADATA / "analytics.xml"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"

# Each model, and the entity type it reads (in the $metadata of the API it is read from).
ENTITY_TYPES: dict[str, tuple[Path, str]] = {
    "Company": (STANDARD, "company"),
    "Customer": (STANDARD, "customer"),
    "CustomerFinancialDetail": (STANDARD, "customerFinancialDetail"),
    "AgedReceivable": (STANDARD, "agedAccountsReceivable"),
    "CustomerContact": (STANDARD, "customerContact"),
    "Item": (STANDARD, "item"),
    "ItemCategory": (STANDARD, "itemCategory"),
    "UnitOfMeasure": (STANDARD, "unitOfMeasure"),
    "SalesOrder": (STANDARD, "salesOrder"),
    "SalesOrderLine": (STANDARD, "salesOrderLine"),
    "SalesInvoice": (STANDARD, "salesInvoice"),
    "SalesInvoiceLine": (STANDARD, "salesInvoiceLine"),
    "SalesCreditMemo": (STANDARD, "salesCreditMemo"),
    "SalesCreditMemoLine": (STANDARD, "salesCreditMemoLine"),
    "SalesShipment": (STANDARD, "salesShipment"),
    "SalesShipmentLine": (STANDARD, "salesShipmentLine"),
    "SalesOrderArchive": (NEWER, "salesOrderArchive"),
    "SalesOrderArchiveLine": (NEWER, "salesOrderArchiveLine"),
    "CustomerLedgerEntry": (ANALYTICS, "customerLedgerEntry"),
    "ShipmentTracking": (PORTAL, "shipmentTracking"),
    "ShippingAgent": (PORTAL, "shippingAgent"),
    "ItemAvailability": (PORTAL, "itemAvailability"),
    "CustomerQuery": (PORTAL, "customerQuery"),
    "CustomerQueryMessage": (PORTAL, "customerQueryMessage"),
    "DeliveryDocument": (PORTAL, "deliveryDocument"),
}
# The EDM types each declared Python type can hold (text also holds BC enums read as text).
COMPATIBLE: dict[Any, set[str]] = {
    UUID: {"Edm.Guid"},
    str: {"Edm.String"},
    int: {"Edm.Int32", "Edm.Int64"},
    Decimal: {"Edm.Decimal"},
    bool: {"Edm.Boolean"},
    date: {"Edm.Date"},
    datetime: {"Edm.DateTimeOffset"},
}


@dataclass(frozen=True)
class EntityType:
    properties: dict[str, str]  # name → EDM type
    navigations: dict[str, str]


@dataclass(frozen=True)
class Schema:
    entity_types: dict[str, EntityType]
    enums: dict[str, set[str]]  # qualified name → member names


@cache
def schema(path: Path) -> Schema:
    root = ET.parse(path).getroot()  # noqa: S314 - our own fixture files
    entity_types: dict[str, EntityType] = {}
    enums: dict[str, set[str]] = {}
    for node in root.iter(f"{EDM}Schema"):
        namespace = node.get("Namespace", "")
        for entity in node.iter(f"{EDM}EntityType"):
            entity_types[entity.get("Name", "")] = EntityType(
                {p.get("Name", ""): p.get("Type", "") for p in entity.iter(f"{EDM}Property")},
                {p.get("Name", ""): p.get("Type", "") for p in entity.iter(f"{EDM}NavigationProperty")},
            )
        for enum in node.iter(f"{EDM}EnumType"):
            enums[f"{namespace}.{enum.get('Name')}"] = {m.get("Name", "") for m in enum.iter(f"{EDM}Member")}
    return Schema(entity_types, enums)


def models() -> list[type[Entity]]:
    exported = (getattr(gateway.bc, name) for name in gateway.bc.__all__)
    return [m for m in exported if isinstance(m, type) and issubclass(m, Entity) and m is not Entity]


def declared(hint: Any) -> Any:
    """The Python type a field holds, without ``None`` and ``Annotated``."""
    if typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    if isinstance(hint, types.UnionType):
        (hint,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
    return hint


def test_every_exported_model_names_its_entity_type() -> None:
    assert {model.__name__ for model in models()} == set(ENTITY_TYPES)


@pytest.mark.parametrize("model", models(), ids=lambda model: model.__name__)
def test_every_property_exists_on_the_entity_type_with_a_compatible_edm_type(model: type[Entity]) -> None:
    path, type_name = ENTITY_TYPES[model.__name__]
    entity = schema(path).entity_types[type_name]
    # The newer sets' document uses the standard API's enum types (one service, one namespace).
    enums = {**schema(STANDARD).enums, **schema(path).enums}
    for field in msgspec.structs.fields(model):
        python_type = declared(field.type)
        if typing.get_origin(python_type) is tuple or (
            isinstance(python_type, type) and issubclass(python_type, Entity)
        ):
            continue  # a navigation: below
        assert field.encode_name in entity.properties, f"{type_name} has no property {field.encode_name}"
        edm_type = entity.properties[field.encode_name]
        if isinstance(python_type, type) and issubclass(python_type, Enum):
            assert edm_type in enums, f"{type_name}.{field.encode_name} is {edm_type}, not an enum"
            wire = {member.value for member in python_type if member.name != "UNKNOWN"}
            assert wire <= enums[edm_type], f"{python_type.__name__}: not in {edm_type}"
        elif python_type is str and edm_type in enums:
            continue  # an enum the gateway passes on as BC's text (Customer.type)
        else:
            assert edm_type in COMPATIBLE[python_type], f"{type_name}.{field.encode_name} is {edm_type}"


@pytest.mark.parametrize("model", models(), ids=lambda model: model.__name__)
def test_every_navigation_exists_with_the_declared_model_and_cardinality(model: type[Entity]) -> None:
    path, type_name = ENTITY_TYPES[model.__name__]
    entity = schema(path).entity_types[type_name]
    for field in msgspec.structs.fields(model):
        python_type = declared(field.type)
        collection = typing.get_origin(python_type) is tuple
        target = typing.get_args(python_type)[0] if collection else python_type
        if not (isinstance(target, type) and issubclass(target, Entity)):
            continue
        target_type = ENTITY_TYPES[target.__name__][1]
        expected = (
            f"Collection(Microsoft.NAV.{target_type})" if collection else f"Microsoft.NAV.{target_type}"
        )
        assert entity.navigations.get(field.encode_name) == expected, f"{type_name}.{field.encode_name}"


def test_select_lists_every_property_and_no_navigation() -> None:
    order = gateway.bc.SalesOrder
    assert "customerNumber" in order.SELECT
    assert "shipToCity" in order.SELECT
    assert "salesOrderLines" not in order.SELECT
    assert "item" not in gateway.bc.SalesOrderLine.SELECT
    assert gateway.bc.CustomerLedgerEntry.SELECT[0] == "dcleEntryNo"
