"""OData query building: typed, escaped literals and query options as a params mapping.

Promises:

* every value is rendered as one typed literal (strings quoted, ``'`` doubled), so a value can never
  end its literal, add a clause or add a query option;
* text compared in a filter (``eq``, ``ne``, ``gt`` …, ``contains`` …) never holds a character that
  BC's AL filter language reads as an operator (``* ? | & < > = @ ( ) '`` and ``..``): BC turns the
  comparison into an AL filter, where ``number eq '1*'`` is a wildcard, and documents no escape
  (REFERENCE §14).  Such text raises ``UnsafeFilterText`` before any request is made;
* ``or`` only ever joins conditions on one field, because BC rejects ``or`` across fields;
* ``in`` is never produced: BC has been seen to ignore it silently (REFERENCE §14);
* names (properties, navigations, entity sets) are plain identifiers.

Query options are meant for httpx ``params=``; nothing here builds a URL.
"""

from __future__ import annotations

import functools
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Final, TypeAlias
from uuid import UUID

from ._errors import ODataBuildError, UnsafeFilterText

__all__ = [
    "Expand",
    "Field",
    "Filter",
    "Literal",
    "Query",
    "al_operator_in",
    "any_of",
    "filter_literal",
    "longest_literal_run",
    "pinned",
    "render_literal",
    "validate_name",
]

Literal: TypeAlias = str | int | Decimal | bool | date | datetime | UUID

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_ORDERBY = re.compile(r"^[A-Za-z][A-Za-z0-9]*( asc| desc)?$")
# What BC's AL filter language reads as an operator inside a compared value (REFERENCE §14).
_AL_OPERATOR: Final = re.compile(r"[*?|&<>=@()']|\.\.")
MAX_TOP: Final = 20_000  # larger than BC's largest page: BC would page, but $top gives no nextLink


def validate_name(name: str, what: str = "name") -> str:
    """Return ``name`` if it is a plain OData identifier, else raise ``ODataBuildError``."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ODataBuildError(f"invalid OData {what}")
    return name


# Property and entity set names are the declarations' few dozen, in every query of every
# operation: each is checked once per process (only names that passed are remembered).
_VALID_NAMES: set[str] = set()
_MAX_VALID_NAMES: Final = 4096


def _check_name(name: str, what: str) -> None:
    if name.__class__ is str and name in _VALID_NAMES:
        return
    validate_name(name, what)
    if len(_VALID_NAMES) < _MAX_VALID_NAMES:
        _VALID_NAMES.add(name)


def al_operator_in(text: str) -> str | None:
    """The first character (or ``..``) of ``text`` that BC's AL filters read as an operator."""
    found = _AL_OPERATOR.search(text)
    return found.group() if found else None


def longest_literal_run(text: str) -> str:
    """The longest stretch of ``text`` between AL operators, trimmed ('' if none): what a search
    can ask BC for, leaving the exact match of the whole text to the caller."""
    return max((part.strip() for part in _AL_OPERATOR.split(text)), key=len, default="")


def filter_literal(value: Literal) -> str:
    """``value`` as a literal that BC compares as it is: text with an AL operator is refused."""
    if isinstance(value, str):
        return _text_literal(value)
    return render_literal(value)


@functools.lru_cache(maxsize=4096)
def _text_literal(text: str) -> str:
    # Kept: a read by key writes each key's literal three or four times (the read, each key's
    # own read, the read of the keys not kept), and the same numbers come again and again.
    operator = al_operator_in(text)
    if operator is not None:
        raise UnsafeFilterText(operator)
    return render_literal(text)


def render_literal(value: Literal) -> str:
    """Render a Python value as a typed OData literal."""
    # bool before int (bool is an int) and datetime before date (datetime is a date).
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ODataBuildError("a Decimal literal must be finite")
        return format(value, "f")
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ODataBuildError("a datetime literal must be timezone-aware")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise ODataBuildError(f"unsupported literal type {type(value).__name__}")


class Filter(ABC):
    """A ``$filter`` expression.  Combine with ``&`` (and) and ``|`` (or, one field only)."""

    @property
    @abstractmethod
    def fields(self) -> frozenset[str]:
        """The property names this filter reads."""

    @abstractmethod
    def render(self) -> str:
        """The expression as BC expects it in ``$filter``."""

    @property
    def nests_calls(self) -> bool:
        """Whether a function call takes another's result, ``contains(tolower(f),'x')``: BC reads
        those only with ``$schemaversion=2.1`` (REFERENCE §3.2), which ``Query`` then asks for."""
        return False

    def __and__(self, other: Filter) -> Filter:
        if not isinstance(other, Filter):
            return NotImplemented
        return _And((self, other))

    def __or__(self, other: Filter) -> Filter:
        if not isinstance(other, Filter):
            return NotImplemented
        return _Or((self, other))

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class _Comparison(Filter):
    field: Field
    operator: str
    literal: str

    @property
    def fields(self) -> frozenset[str]:
        return frozenset((self.field.name,))

    def render(self) -> str:
        return f"{self.field.expression} {self.operator} {self.literal}"


@dataclass(frozen=True)
class _TextFunction(Filter):
    function: str
    field: Field
    literal: str

    @property
    def fields(self) -> frozenset[str]:
        return frozenset((self.field.name,))

    @property
    def nests_calls(self) -> bool:
        return self.field.lowered

    def render(self) -> str:
        return f"{self.function}({self.field.expression},{self.literal})"


@dataclass(frozen=True)
class _Combined(Filter):
    """Filters joined by one operator: they read what their parts read."""

    parts: tuple[Filter, ...]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset().union(*(part.fields for part in self.parts))

    @property
    def nests_calls(self) -> bool:
        return any(part.nests_calls for part in self.parts)


@dataclass(frozen=True)
class _And(_Combined):
    def render(self) -> str:
        return " and ".join(part.render() for part in self.parts)


@dataclass(frozen=True)
class _Or(_Combined):
    def __post_init__(self) -> None:
        if len(self.fields) != 1:
            # BC: "The 'OR' operator is not supported on distinct fields on an OData filter."
            raise ODataBuildError("'or' is only allowed between conditions on one field")

    def render(self) -> str:
        # Parenthesised so that a surrounding "and" can never bind into the or-chain.
        return "(" + " or ".join(part.render() for part in self.parts) + ")"


@dataclass(frozen=True)
class Field:
    """A property of the entity being queried; its methods build filters with escaped literals."""

    name: str
    # Read through tolower(): BC then matches it case-insensitively (REFERENCE §3.2).
    lowered: bool = False

    def __post_init__(self) -> None:
        _check_name(self.name, "property name")

    @property
    def expression(self) -> str:
        return f"tolower({self.name})" if self.lowered else self.name

    def lower(self) -> Field:
        """This property through ``tolower()``: BC's filters on it ignore case (they are
        case-sensitive otherwise).  Give it lower-case text, which matches on any OData server."""
        return Field(self.name, lowered=True)

    def _compare(self, operator: str, value: Literal) -> Filter:
        return _Comparison(self, operator, filter_literal(value))

    def eq(self, value: Literal) -> Filter:
        return self._compare("eq", value)

    def ne(self, value: Literal) -> Filter:
        return self._compare("ne", value)

    def gt(self, value: Literal) -> Filter:
        return self._compare("gt", value)

    def ge(self, value: Literal) -> Filter:
        return self._compare("ge", value)

    def lt(self, value: Literal) -> Filter:
        return self._compare("lt", value)

    def le(self, value: Literal) -> Filter:
        return self._compare("le", value)

    def _text(self, function: str, text: str) -> Filter:
        if not isinstance(text, str):
            raise ODataBuildError(f"{function}() takes text")
        return _TextFunction(function, self, filter_literal(text))

    def contains(self, text: str) -> Filter:
        """Substring match, case-sensitive as BC's filters are (see ``lower``).  User text goes
        through ``longest_literal_run`` first."""
        return self._text("contains", text)

    def startswith(self, text: str) -> Filter:
        return self._text("startswith", text)

    def endswith(self, text: str) -> Filter:
        return self._text("endswith", text)


def pinned(filter: Filter | None) -> Iterator[tuple[str, str]]:
    """The (property, literal) pairs ``filter`` requires equal, whatever else it asks: its ``eq``
    comparisons joined by ``and`` at the top (not under an ``or``, not through ``tolower``)."""
    if isinstance(filter, _Comparison):
        if filter.operator == "eq" and not filter.field.lowered:
            yield filter.field.name, filter.literal
    elif isinstance(filter, _And):
        for part in filter.parts:
            yield from pinned(part)


def any_of(field: Field, values: Iterable[Literal]) -> Filter:
    """``(f eq a or f eq b ...)`` over distinct values, in first-seen order; never ``in``."""
    literals = list(dict.fromkeys(filter_literal(value) for value in values))
    if not literals:
        raise ODataBuildError("any_of() needs at least one value")
    comparisons = tuple(_Comparison(field, "eq", literal) for literal in literals)
    if len(comparisons) == 1:
        return comparisons[0]
    return _Or(comparisons)


def _check_names(names: tuple[str, ...], what: str) -> None:
    try:
        _valid_names(names, what)
    except TypeError:  # unhashable: not a tuple of names, which the check itself then says
        for name in names:
            validate_name(name, what)


def _check_orderby(items: tuple[str, ...]) -> None:
    try:
        _valid_orderby(items)
    except TypeError:
        for item in items:
            _orderby_item(item)


# A query's $select and $orderby are the same few tuples, read from the entity declarations, in
# every operation (hundreds of names per dashboard): each tuple is checked once per process.  Only
# a tuple that passed is remembered (a failed check raises, and lru_cache keeps no exception).
@functools.lru_cache(maxsize=512)
def _valid_names(names: tuple[str, ...], what: str) -> None:
    for name in names:
        validate_name(name, what)


@functools.lru_cache(maxsize=512)
def _valid_orderby(items: tuple[str, ...]) -> None:
    for item in items:
        _orderby_item(item)


def _orderby_item(item: str) -> None:
    if not isinstance(item, str) or not _ORDERBY.match(item):
        raise ODataBuildError("invalid $orderby item")


def _check_top_skip(top: int | None, skip: int | None) -> None:
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= MAX_TOP):
        raise ODataBuildError(f"$top must be an integer between 1 and {MAX_TOP}")
    if skip is not None and (isinstance(skip, bool) or not isinstance(skip, int) or skip < 0):
        raise ODataBuildError("$skip must be a non-negative integer")


def _check_options(options: Query | Expand, name: str, what: str, skip: int | None) -> None:
    """What a query and an expansion check alike: their name and options."""
    if (
        options.select.__class__ is not tuple
        or options.expand.__class__ is not tuple
        or options.orderby.__class__ is not tuple
    ):
        _as_tuples(options)
    _check_name(name, what)
    _check_names(options.select, "property name")
    _check_orderby(options.orderby)
    _check_top_skip(options.top, skip)


def _as_tuples(query: Query | Expand) -> None:
    # Accept lists for convenience; frozen dataclasses should hold immutable, hashable tuples.
    for name in ("select", "expand", "orderby"):
        value = getattr(query, name)
        if isinstance(value, list):
            object.__setattr__(query, name, tuple(value))


@dataclass(frozen=True)
class Expand:
    """One ``$expand`` item with its nested options: ``nav($select=..;$filter=..;$expand=..)``."""

    navigation: str
    select: tuple[str, ...] = ()
    filter: Filter | None = None
    expand: tuple[Expand, ...] = ()
    orderby: tuple[str, ...] = ()
    top: int | None = None

    def __post_init__(self) -> None:
        _check_options(self, self.navigation, "navigation property", None)

    def render(self) -> str:
        return self._rendered

    @functools.cached_property
    def _rendered(self) -> str:
        # Immutable, and the portal's line expansions are per-process constants: rendered once.
        options = []
        if self.select:
            options.append("$select=" + ",".join(self.select))
        if self.filter is not None:
            options.append("$filter=" + self.filter.render())
        if self.expand:
            options.append("$expand=" + ",".join(item.render() for item in self.expand))
        if self.orderby:
            options.append("$orderby=" + ",".join(self.orderby))
        if self.top is not None:
            options.append(f"$top={self.top}")
        return f"{self.navigation}({';'.join(options)})" if options else self.navigation


@dataclass(frozen=True)
class Query:
    """A read of one entity set.  ``params()`` gives the query options for httpx ``params=``."""

    entity_set: str
    filter: Filter | None = None
    select: tuple[str, ...] = ()
    expand: tuple[Expand, ...] = ()
    orderby: tuple[str, ...] = ()
    top: int | None = None
    skip: int | None = None

    def __post_init__(self) -> None:
        _check_options(self, self.entity_set, "entity set name", self.skip)

    def params(self) -> dict[str, str]:
        """The query options (a new dict each time: the caller may add to it)."""
        return dict(self._params)

    @functools.cached_property
    def _params(self) -> dict[str, str]:
        # Immutable, and a read's options are asked for more than once (its answer key, its
        # request): rendered once per query.
        params: dict[str, str] = {}
        if self.filter is not None:
            params["$filter"] = self.filter.render()
        if self.select:
            params["$select"] = ",".join(self.select)
        if self.expand:
            params["$expand"] = ",".join(item.render() for item in self.expand)
        if self.orderby:
            params["$orderby"] = ",".join(self.orderby)
        if self.top is not None:
            params["$top"] = str(self.top)
        if self.skip is not None:
            params["$skip"] = str(self.skip)
        if _nests_calls(self.filter, self.expand):
            params["$schemaversion"] = "2.1"
        return params


def _nests_calls(filter: Filter | None, expand: tuple[Expand, ...]) -> bool:
    if filter is not None and filter.nests_calls:
        return True
    return any(_nests_calls(item.filter, item.expand) for item in expand)
