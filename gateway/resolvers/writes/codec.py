"""Write results as bytes, for the shared key store: a small, explicit JSON codec.

A completed write is replayed from the store for 24 hours, possibly by another replica or a newer
version of the gateway, so its answer is stored as plain JSON and read back by type, never as a
pickle.  Each value is written according to its declared type — ``Decimal`` as its exact text
(``"12.50"`` stays ``"12.50"``), dates and times in ISO 8601 (offsets kept), UUIDs as text, BC
enums by their wire value, tuples as lists, frozen dataclasses and the BC client's models (msgspec
Structs, ``gateway.bc``) field by field — and read back
through the same declarations (``typing.get_type_hints``), checking every value.  A type the codec
does not know fails when the value is written (so a new field of an unsupported type fails the
tests, not a replay), and a record that does not match fails with :class:`CodecError`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Final, Generic, TypeVar, Union
from uuid import UUID

from gateway.resolvers.writes.results import OrderPlaced, QueryWritten

__all__ = ["WRITE_RESULTS", "CodecError", "ResultCodec", "WriteResult"]

T = TypeVar("T")
WriteResult = OrderPlaced | QueryWritten | str
_SCALARS: Final = (str, int, bool)


class CodecError(ValueError):
    """A value of a type the codec does not handle, or a stored record that does not fit its type."""


class ResultCodec(Generic[T]):
    """Encodes the root types it names, each under a tag: ``{"kind": …, "value": …}``."""

    def __init__(self, kinds: dict[str, type[Any]]) -> None:
        self._kinds = kinds
        self._tags = {kind: tag for tag, kind in kinds.items()}

    def encode(self, value: T) -> bytes:
        tag = self._tags.get(type(value))
        if tag is None:
            raise CodecError(f"cannot store a {type(value).__name__}")
        document = {"kind": tag, "value": _encode(type(value), value)}
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()

    def decode(self, data: bytes) -> T:
        try:
            document = json.loads(data)
        except ValueError as error:
            raise CodecError("a stored result is not JSON") from error
        tag = document.get("kind") if isinstance(document, dict) else None
        kind = self._kinds.get(tag) if isinstance(tag, str) else None
        if kind is None:
            raise CodecError("a stored result names no known kind")
        value: T = _decode(kind, document.get("value"))
        return value


# Everything a write returns: an order, a query, or (for a claim on a query's content) its id.
WRITE_RESULTS: Final[ResultCodec[WriteResult]] = ResultCodec(
    {"order": OrderPlaced, "query": QueryWritten, "id": str}
)


def _encode(kind: Any, value: Any) -> Any:
    optional = _optional_of(kind)
    if optional is not None:
        return None if value is None else _encode(optional, value)
    element = _tuple_of(kind)
    if element is not None:
        _expect(value, tuple)
        return [_encode(element, item) for item in value]
    if _is_dataclass(kind):
        _expect(value, kind)
        return {name: _encode(hint, getattr(value, name)) for name, hint in _fields(kind).items()}
    if kind is Decimal:
        return str(_expect(value, Decimal))
    if kind is datetime:
        return _expect(value, datetime).isoformat()
    if kind is date:
        if isinstance(value, datetime):
            raise CodecError("a datetime where a date is declared")
        return _expect(value, date).isoformat()
    if kind is UUID:
        return str(_expect(value, UUID))
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _expect(value, kind).value
    if kind in _SCALARS:
        return _scalar(kind, value)
    raise CodecError(f"the codec does not handle {kind!r}")


def _decode(kind: Any, data: Any) -> Any:
    optional = _optional_of(kind)
    if optional is not None:
        return None if data is None else _decode(optional, data)
    element = _tuple_of(kind)
    if element is not None:
        return tuple(_decode(element, item) for item in _expect(data, list))
    if _is_dataclass(kind):
        fields = _fields(kind)
        _expect(data, dict)
        if set(data) != set(fields):
            raise CodecError(f"a stored {kind.__name__} has other fields than this version's")
        return kind(**{name: _decode(hint, data[name]) for name, hint in fields.items()})
    try:
        if kind is Decimal:
            return Decimal(_expect(data, str))
        if kind is datetime:
            return datetime.fromisoformat(_expect(data, str))
        if kind is date:
            return date.fromisoformat(_expect(data, str))
        if kind is UUID:
            return UUID(_expect(data, str))
        if isinstance(kind, type) and issubclass(kind, Enum):
            return kind(data)
    except (ValueError, InvalidOperation) as error:
        raise CodecError(f"a stored value is not a {kind.__name__}") from error
    if kind in _SCALARS:
        return _scalar(kind, data)
    raise CodecError(f"the codec does not handle {kind!r}")


def _is_dataclass(kind: Any) -> bool:
    """A record the codec writes field by field: a dataclass, or a BC model (a msgspec Struct,
    recognised by the field list every Struct class carries, so this layer needs no msgspec)."""
    return isinstance(kind, type) and (dataclasses.is_dataclass(kind) or hasattr(kind, "__struct_fields__"))


@functools.cache
def _fields(kind: type[Any]) -> dict[str, Any]:
    """A record's fields with their resolved types (``ClassVar``s are not fields)."""
    hints = typing.get_type_hints(kind)
    if hasattr(kind, "__struct_fields__"):
        return {name: hints[name] for name in kind.__struct_fields__}
    return {field.name: hints[field.name] for field in dataclasses.fields(kind) if field.init}


def _optional_of(kind: Any) -> Any | None:
    """``X`` for ``X | None``; ``None`` for anything else (other unions are not supported)."""
    if typing.get_origin(kind) not in (Union, types.UnionType):
        return None
    arms = [arm for arm in typing.get_args(kind) if arm is not type(None)]
    if len(arms) != 1 or len(typing.get_args(kind)) != 2:
        raise CodecError(f"the codec handles `X | None`, not {kind!r}")
    return arms[0]


def _tuple_of(kind: Any) -> Any | None:
    """``X`` for ``tuple[X, ...]``."""
    if typing.get_origin(kind) is not tuple:
        return None
    arguments = typing.get_args(kind)
    if len(arguments) != 2 or arguments[1] is not Ellipsis:
        raise CodecError(f"the codec handles `tuple[X, ...]`, not {kind!r}")
    return arguments[0]


def _scalar(kind: type[Any], value: Any) -> Any:
    # bool is an int: neither may stand in for the other.
    if type(value) is not kind:
        raise CodecError(f"expected {kind.__name__}, found {type(value).__name__}")
    return value


def _expect(value: Any, kind: type[T]) -> T:
    if not isinstance(value, kind):
        raise CodecError(f"expected {kind.__name__}, found {type(value).__name__}")
    return value
