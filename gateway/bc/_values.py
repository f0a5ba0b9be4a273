"""Reading BC JSON rows into Python values, with BC's blanks turned into ``None``.

Promises: a missing or null required property, or a value of the wrong type, raises
``BCProtocolError`` naming the entity and the property, never the row's data.  Blanks:
``0001-01-01`` (date or datetime) and the all-zero GUID become ``None``; enums go through
``BCEnum`` (blank member, ``UNKNOWN`` for values unknown here or missing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn, TypeVar
from uuid import UUID

from ._enums import BCEnum
from ._errors import BCProtocolError

__all__ = ["RowReader"]

E = TypeVar("E", bound=BCEnum)
T = TypeVar("T")

_GUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RowReader:
    """Typed access to one JSON row of ``entity``."""

    def __init__(self, entity: str, row: Mapping[str, Any]) -> None:
        if not isinstance(row, Mapping):
            raise BCProtocolError(f"{entity} is not a JSON object")
        self._entity = entity
        self._row = row

    def _bad(self, name: str) -> NoReturn:
        raise BCProtocolError(f"{self._entity}.{name} has a value of an unexpected type or format")

    def _get(self, name: str, *, required: bool) -> Any:
        value = self._row.get(name)
        if value is None and required:
            raise BCProtocolError(f"{self._entity}.{name} is missing")
        return value

    def guid(self, name: str) -> UUID:
        value = self.opt_guid(name, required=True)
        if value is None:
            raise BCProtocolError(f"{self._entity}.{name} is blank")
        return value

    def opt_guid(self, name: str, *, required: bool = False) -> UUID | None:
        value = self._get(name, required=required)
        if value is None:
            return None
        if not isinstance(value, str) or not _GUID.match(value):
            self._bad(name)
        guid = UUID(value)
        return None if guid.int == 0 else guid

    def text(self, name: str) -> str:
        value = self._get(name, required=True)
        if not isinstance(value, str):
            self._bad(name)
        return value

    def opt_text(self, name: str) -> str | None:
        return None if self._get(name, required=False) is None else self.text(name)

    def integer(self, name: str) -> int:
        value = self._get(name, required=True)
        if isinstance(value, bool) or not isinstance(value, int):
            self._bad(name)
        return value

    def opt_bool(self, name: str) -> bool | None:
        value = self._get(name, required=False)
        if value is not None and not isinstance(value, bool):
            self._bad(name)
        return value

    def decimal(self, name: str) -> Decimal:
        """Amounts and quantities: BC leaves a decimal out (or null) only where it is zero."""
        value = self.opt_decimal(name)
        return value if value is not None else Decimal(0)

    def flag(self, name: str) -> bool:
        """Booleans: a flag BC leaves out (or null) is not set."""
        return bool(self.opt_bool(name))

    def opt_decimal(self, name: str) -> Decimal | None:
        value = self._get(name, required=False)
        if value is None:
            return None
        try:
            number = _to_decimal(value)
        except (InvalidOperation, ValueError, TypeError):
            self._bad(name)
        if not number.is_finite():
            self._bad(name)
        return number

    def opt_date(self, name: str) -> date | None:
        value = self._get(name, required=False)
        if value is None:
            return None
        if not isinstance(value, str) or not _DATE.match(value):
            self._bad(name)
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self._bad(name)
        return None if parsed == date.min else parsed

    def opt_datetime(self, name: str) -> datetime | None:
        value = self._get(name, required=False)
        if value is None:
            return None
        if not isinstance(value, str):
            self._bad(name)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self._bad(name)
        if parsed.year == 1:
            return None  # BC's blank DateTime is 0001-01-01T00:00:00Z
        # BC sends UTC with "Z"; a value without an offset is read as UTC, never as local time.
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

    def enum(self, name: str, enum: type[E]) -> E:
        """The member for BC's value; ``UNKNOWN`` when BC sent nothing or something unknown here."""
        value = self._get(name, required=False)
        if value is not None and not isinstance(value, str):
            self._bad(name)
        return enum("" if value is None else value)

    def nested(self, name: str, parse: Callable[[Mapping[str, Any]], T]) -> T | None:
        """An expanded single navigation property, ``None`` when not expanded (or empty)."""
        value = self._get(name, required=False)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self._bad(name)
        return parse(value)

    def nested_list(self, name: str, parse: Callable[[Mapping[str, Any]], T]) -> tuple[T, ...] | None:
        """An expanded collection navigation property, ``None`` when not expanded."""
        value = self._get(name, required=False)
        if value is None:
            return None
        if not isinstance(value, list):
            self._bad(name)
        return tuple(parse(item) for item in value)


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # repr gives the shortest exact decimal form of the float
    if isinstance(value, str):
        return Decimal(value.strip())
    raise TypeError("not a number")
