"""Typed values for comparison and sorting: OData literals and store rows, per EDM type."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.sandbox.edm import Property
from gateway.sandbox.errors import SandboxError, bad_request

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NUMERIC = {"Edm.Decimal", "Edm.Int32", "Edm.Int64", "Edm.Double", "Edm.Single", "Edm.Byte", "Edm.Int16"}


def is_guid(text: str) -> bool:
    return GUID_RE.match(text) is not None


def is_text(prop: Property) -> bool:
    """String-like properties, where BC applies AL filter semantics to compared values."""
    return prop.type == "Edm.String"


def row_value(prop: Property, value: Any) -> Any:
    """A row's value in the form literals are coerced to."""
    if value is None:
        return None
    if prop.type == "Edm.DateTimeOffset":
        return _datetime(str(value))
    if prop.type == "Edm.Guid":
        return str(value).lower()
    return value


def coerce_literal(prop: Property, raw: Any) -> Any:
    """Convert a literal's Python value to the type of ``prop``, or fail as BC does."""
    if raw is None:
        return None
    try:
        return _coerce(prop, raw)
    except (ValueError, InvalidOperation, TypeError) as exc:
        raise _unconvertible(raw, prop) from exc


def _coerce(prop: Property, raw: Any) -> Any:
    kind = prop.type
    if kind == "Edm.Guid":
        if not is_guid(str(raw)):
            raise ValueError(raw)
        return str(raw).lower()
    if kind == "Edm.Date":
        return _date(raw).isoformat()
    if kind == "Edm.DateTimeOffset":
        return raw if isinstance(raw, dt.datetime) else _datetime(str(raw))
    if kind in _NUMERIC:
        if isinstance(raw, bool):
            raise TypeError(raw)
        return Decimal(str(raw))
    if kind == "Edm.Boolean":
        if not isinstance(raw, bool):
            raise TypeError(raw)
        return raw
    return raw if isinstance(raw, str) else str(raw)


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    return dt.date.fromisoformat(str(raw))


def _datetime(text: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _unconvertible(raw: Any, prop: Property) -> SandboxError:
    return bad_request(f"Unable to convert the value '{raw}' to the type '{prop.type}' of '{prop.name}'.")


def sort_key(prop: Property, value: Any) -> tuple[bool, Any]:
    """Orders like BC's case-insensitive SQL collation; blanks first."""
    if value is None:
        return (False, "")
    if isinstance(value, str) and prop.type != "Edm.DateTimeOffset":
        return (True, value.casefold())
    return (True, row_value(prop, value))
