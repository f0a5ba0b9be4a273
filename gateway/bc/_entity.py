"""One declaration per BC entity, and everything derived from it.

A model is an ``Entity`` (a frozen ``msgspec.Struct``) whose fields say, once each:

- the Python attribute: BC's property name in snake_case, BC's own name derived from it
  (``address_line1`` → ``addressLine1``), or given where it differs: ``field(name="dcleEntryNo")``;
- the type, which says how BC's JSON is read:

  ============================  ========================================================
  ``str``, ``int``              required: missing or null is a protocol error
  ``str | None``                null or missing is ``None``; ``""`` stays ``""``
  ``NonEmpty``                  the same, and ``""`` (BC's blank text) is ``None`` too
  ``UUID``, ``date``            required, and BC's blank (all-zero GUID, ``0001-01-01``)
                                is a protocol error
  ``UUID | None``, ``date |     BC's blank is ``None``; a date-time without an offset is
  None``, ``datetime | None``   UTC (BC sends ``Z``), never local time
  ``Decimal = ZERO``            money and quantities, exact (never through float); BC
                                leaves zero out
  ``bool = False``              a flag BC leaves out is not set
  a ``BCEnum``                  BC's XML-encoded member names; blank and unknown values
                                have members (``_enums``)
  an ``Entity`` / ``tuple[...,  an expanded navigation property (``$expand``), ``None``
  ...] | None = None``          when not expanded; never in ``$select``
  ============================  ========================================================

Derived: ``Model.SELECT`` (``$select``: every property but the navigations), decoding of BC's
JSON straight from the response bytes (``PageReader``) or from a row already parsed
(``Model.from_row``), and request bodies for writes (``body``).  A row BC sends that does not fit
raises ``BCProtocolError`` naming the entity and property, never the row's data.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, ClassVar, Final, Generic, Self, TypeVar
from uuid import UUID

import msgspec

from ._errors import BCProtocolError

__all__ = [
    "ZERO",
    "Entity",
    "NonEmpty",
    "PageReader",
    "attribute_of",
    "body",
    "navigations",
    "properties",
    "reader_for",
]

ZERO: Final = Decimal(0)


class _EmptyIsNone:
    """Marks a text whose blank (``""``) reads as ``None``."""


NonEmpty = Annotated[str | None, _EmptyIsNone()]
"""Text that is ``None`` when BC sends it blank (``""``) or not at all."""


class _Select:
    """``Model.SELECT``: the BC properties a model reads, for ``$select`` (navigations excluded)."""

    def __get__(self, instance: object, owner: type[Entity]) -> tuple[str, ...]:
        return tuple(properties(owner).values())


class Entity(msgspec.Struct, frozen=True, kw_only=True, rename="camel", gc=False):
    """Base of the BC models; see the module docstring for what a field's type means.

    Subclasses repeat ``frozen=True, kw_only=True`` (msgspec does not inherit ``kw_only``, and
    type checkers read both per class), so required and optional fields may come in BC's order.
    ``gc=False``: models hold no reference cycles, and a page of tens of thousands of them is then
    allocated without the cyclic collector running over it.
    """

    SELECT: ClassVar[_Select] = _Select()

    def __post_init__(self) -> None:
        _blank_fixer(type(self))(self)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """The model of one row that is already a Python mapping (a ``$batch`` body read as a
        whole, a write's answer, a row the gateway put together)."""
        try:
            return msgspec.convert(row, type=cls)
        except msgspec.ValidationError as error:
            raise _protocol_error(cls.__name__, str(error), page=False) from None


# --- what a declaration says ------------------------------------------------------------------


@cache
def _fields(model: type[Entity]) -> tuple[msgspec.structs.FieldInfo, ...]:
    return msgspec.structs.fields(model)


@cache
def properties(model: type[Entity]) -> dict[str, str]:
    """Attribute → BC property name, for the model's properties (not its navigations)."""
    return {f.name: f.encode_name for f in _fields(model) if _navigation(f.type) is None}


@cache
def navigations(model: type[Entity]) -> dict[str, tuple[str, type[Entity], bool]]:
    """Attribute → (BC navigation property, its model, whether it is a collection)."""
    found: dict[str, tuple[str, type[Entity], bool]] = {}
    for f in _fields(model):
        target = _navigation(f.type)
        if target is not None:
            found[f.name] = (f.encode_name, *target)
    return found


@cache  # every scoped read asks it of its model (a class and a name: a few dozen pairs)
def attribute_of(model: type[Entity], bc_name: str) -> str | None:
    """The attribute that reads BC's property ``bc_name``, if the model declares one."""
    return next((f.name for f in _fields(model) if f.encode_name == bc_name), None)


def _navigation(hint: Any) -> tuple[type[Entity], bool] | None:
    inner = _optional(hint)[0]
    if isinstance(inner, type) and issubclass(inner, Entity):
        return inner, False
    if typing.get_origin(inner) is tuple:
        item = typing.get_args(inner)[0]
        if isinstance(item, type) and issubclass(item, Entity):
            return item, True
    return None


def _optional(hint: Any) -> tuple[Any, bool]:
    """``(T, True)`` for ``T | None`` (``Annotated`` unwrapped), ``(T, False)`` otherwise."""
    if typing.get_origin(hint) is Annotated:
        hint = typing.get_args(hint)[0]
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return (args[0] if len(args) == 1 else hint), True
    return hint, False


def _empty_is_none(hint: Any) -> bool:
    return typing.get_origin(hint) is Annotated and any(
        isinstance(extra, _EmptyIsNone) for extra in hint.__metadata__
    )


# --- BC's blanks --------------------------------------------------------------------------------

_Fixer = Callable[[Entity], None]
_DATE_MIN: Final = date.min


def _no_blanks(instance: Entity) -> None:
    return None


@cache
def _blank_fixer(model: type[Entity]) -> _Fixer:
    """A function that turns ``model``'s blank values into ``None`` (or refuses a blank where a
    value is required).  It runs for every row, so it is written out once per model, field by
    field, as ``dataclasses`` writes ``__init__``: a loop over the fields costs twice as much."""
    lines: list[str] = []
    for f in _fields(model):
        base, optional = _optional(f.type)
        value, to_none = f"self.{f.name}", f"_set(self, {f.name!r}, None)"
        refuse = f"raise BCProtocolError({f'{model.__name__}.{f.encode_name} is blank'!r})"
        on_blank = to_none if optional else refuse
        if base is UUID:
            lines.append(f"if {value} is not None and {value}.int == 0: {on_blank}")
        elif base is date:
            lines.append(f"if {value} == _DATE_MIN: {on_blank}")
        elif base is datetime:
            lines += [
                f"if {value} is not None and {value}.year == 1: {to_none}",
                # BC sends UTC with "Z"; a value without an offset is UTC, never local time.
                f"elif {value} is not None and {value}.tzinfo is None:",
                f"    _set(self, {f.name!r}, {value}.replace(tzinfo=UTC))",
            ]
        elif _empty_is_none(f.type):
            lines.append(f"if {value} == '': {to_none}")
    if not lines:
        return _no_blanks
    source = "def fix(self):\n" + "".join(f"    {line}\n" for line in lines)
    namespace: dict[str, Any] = {
        "_set": msgspec.structs.force_setattr,
        "_DATE_MIN": _DATE_MIN,
        "UTC": UTC,
        "BCProtocolError": BCProtocolError,
    }
    exec(compile(source, f"<blanks of {model.__name__}>", "exec"), namespace)  # noqa: S102 - our own source
    fixer: _Fixer = namespace["fix"]
    return fixer


# --- reading pages ------------------------------------------------------------------------------

R = TypeVar("R")


class _Page(msgspec.Struct, Generic[R]):
    value: list[R]
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")


class PageReader(Generic[R]):
    """Reads one OData collection page (``{"value": [...], "@odata.nextLink": ...}``) from its
    bytes: into ``model`` instances, or into plain rows (decimals exact) when ``model`` is None."""

    def __init__(self, model: type[R] | None) -> None:
        self.model = model
        self.name = model.__name__ if model is not None else "row"
        if model is None:
            self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(
                _Page[dict[str, Any]], float_hook=Decimal
            )
        else:
            self._decoder = msgspec.json.Decoder(_Page[model])  # type: ignore[valid-type]

    def __call__(self, content: bytes) -> tuple[list[R], str | None]:
        """The page's rows and its nextLink (``None`` on the last page)."""
        try:
            page = self._decoder.decode(content)
        except msgspec.ValidationError as error:  # JSON, but not what the model declares
            raise _protocol_error(self.name, str(error), page=True) from None
        except msgspec.DecodeError:
            raise BCProtocolError("Business Central sent a body that is not JSON") from None
        rows: list[R] = page.value
        return rows, page.next_link


@cache
def reader_for(model: type[R] | None) -> PageReader[R]:
    """One reader (one compiled decoder) per model, for the life of the process."""
    return PageReader(model)


_WHERE = re.compile(r" - at `(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`")


def _protocol_error(entity: str, message: str, *, page: bool) -> BCProtocolError:
    """``msgspec``'s complaint as ``BCProtocolError``: the entity and property by name only
    (msgspec's own wording may quote the value, which is the row's data)."""
    where = _WHERE.search(message)
    path = re.sub(r"\[[^\]]*\]", "", where.group("path") if where else "$")[1:]
    if page:
        if not path.startswith(".value"):
            return BCProtocolError("Business Central sent a collection without a 'value' list of objects")
        path = path.removeprefix(".value")
    missing = _MISSING.match(message)
    if missing:
        return BCProtocolError(f"{entity}{path}.{missing.group('name')} is missing")
    if not path:
        return BCProtocolError(f"{entity} is not a JSON object")
    return BCProtocolError(f"{entity}{path} has a value of an unexpected type or format")


# --- writing ------------------------------------------------------------------------------------


def body(model: type[Entity], **values: Any) -> dict[str, Any]:
    """A request body for ``model``'s entity set: the given attributes under their BC names,
    each checked against its declared type.  A navigation takes a list of bodies (deep insert).

    Decimals stay ``Decimal`` (the client writes them as exact JSON numbers); dates are ISO
    text and enums their BC member names, as BC reads them."""
    declared = {f.name: f for f in _fields(model)}
    written: dict[str, Any] = {}
    for attribute, value in values.items():
        f = declared.get(attribute)
        if f is None:
            raise AttributeError(f"{model.__name__} has no field {attribute!r}")
        if attribute in navigations(model):
            written[f.encode_name] = list(value)
            continue
        try:
            checked = msgspec.convert(value, type=f.type)
        except msgspec.ValidationError as error:
            raise TypeError(f"{model.__name__}.{attribute}: {error}") from None
        written[f.encode_name] = msgspec.to_builtins(checked, builtin_types=(Decimal,))
    return written
