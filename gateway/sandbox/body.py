"""Request bodies of writes: JSON to row values of the entity's EDM types, refused as BC refuses."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from gateway.sandbox.edm import EdmModel, EntityType, Property
from gateway.sandbox.errors import SandboxError, bad_request
from gateway.sandbox.odata.values import is_guid

BLANKS: dict[str, Any] = {
    "Edm.Guid": "00000000-0000-0000-0000-000000000000",
    "Edm.Date": "0001-01-01",
    "Edm.DateTimeOffset": "0001-01-01T00:00:00Z",
    "Edm.Decimal": Decimal(0),
    "Edm.Double": Decimal(0),
    "Edm.Int32": 0,
    "Edm.Int64": 0,
    "Edm.Int16": 0,
    "Edm.Byte": 0,
    "Edm.Boolean": False,
    "Edm.String": "",
}
BLANK_ENUM = "_x0020_"
_INTEGERS = {"Edm.Int32", "Edm.Int64", "Edm.Int16", "Edm.Byte"}


def parse_body(raw: bytes) -> dict[str, Any]:
    """A JSON object, numbers as Decimal; anything else is BC's "Invalid Request Body"."""
    try:
        document = json.loads(raw or b"null", parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request("Invalid Request Body") from exc
    if not isinstance(document, dict):
        raise bad_request("Invalid Request Body")
    return document


def blank_row(entity: EntityType, model: EdmModel) -> dict[str, Any]:
    """Every property of ``entity`` at BC's blank value."""
    return {name: _blank(prop, model) for name, prop in entity.properties.items()}


def _blank(prop: Property, model: EdmModel) -> Any:
    if prop.is_primitive:
        return BLANKS.get(prop.type, "")
    enum = model.enum_of(prop)
    if enum is None or not enum.members or BLANK_ENUM in enum.members:
        return BLANK_ENUM
    return enum.members[0]


def unknown_property(name: str, entity: EntityType) -> SandboxError:
    return bad_request(
        f"The property '{name}' does not exist on type '{entity.qualified_name}'. "
        "Make sure to only use property names that are defined by the type."
    )


def row_value(prop: Property, raw: Any, model: EdmModel) -> Any:
    """``raw`` (from JSON) as the row holds a value of ``prop``'s type (docs/sandbox.md)."""
    if raw is None:
        return _blank(prop, model)
    if not prop.is_primitive:
        return _enum(prop, raw, model)
    try:
        value = _primitive(prop, raw)
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise _unconvertible(prop, raw) from exc
    if isinstance(value, str) and prop.max_length is not None and len(value) > prop.max_length:
        raise SandboxError(
            400,
            "Application_StringExceededLength",
            f"The length of the string is {len(value)}, but it must be less than or equal to "
            f"{prop.max_length} characters. Value: {value}",
        )
    return value


def _primitive(prop: Property, raw: Any) -> Any:
    kind = prop.type
    if kind == "Edm.String":
        if not isinstance(raw, str):
            raise TypeError(raw)
        return raw
    if kind == "Edm.Boolean":
        if not isinstance(raw, bool):
            raise TypeError(raw)
        return raw
    if kind == "Edm.Guid":
        if not isinstance(raw, str) or not is_guid(raw):
            raise ValueError(raw)
        return raw.lower()
    if kind == "Edm.Date":
        return dt.date.fromisoformat(str(raw)).isoformat()
    if kind == "Edm.DateTimeOffset":
        parsed = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        return bc_timestamp(parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC))
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
        raise TypeError(raw)
    number = Decimal(str(raw))
    if kind in _INTEGERS:
        if number != number.to_integral_value():
            raise ValueError(raw)
        return int(number)
    return number


def _enum(prop: Property, raw: Any, model: EdmModel) -> str:
    enum = model.enum_of(prop)
    members = enum.members if enum else ()
    if isinstance(raw, str) and raw in members:
        return raw
    options = ",".join(m.replace("_x0020_", " ") for m in members)
    raise SandboxError(400, "BadRequest", f"'{raw}' is not an option. The existing options are: {options}")


def _unconvertible(prop: Property, raw: Any) -> SandboxError:
    kind = prop.type.removeprefix("Edm.")
    return bad_request(f"Unable to convert the value '{raw}' of '{prop.name}' to {kind}.")


def bc_timestamp(moment: dt.datetime) -> str:
    """BC's ``Edm.DateTimeOffset`` shape: UTC with milliseconds, ``2025-06-01T10:20:30.123Z``."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
