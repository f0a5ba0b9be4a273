"""``$filter``: parsed by ``odata-query``, checked against BC's rules, compiled to a row predicate.

BC quirks reproduced on purpose (REFERENCE §3.2, §14):

* ``or`` across different fields is rejected;
* ``any``/``all`` lambdas are ignored, as documented;
* ``in (…)`` is silently ignored (treated as true) unless the request has ``$schemaversion=2.1``;
* a function call that takes another's result (``contains(tolower(f),'x')``) is refused unless
  the request has ``$schemaversion=2.1``;
* a value compared to a text field is an AL filter expression (``*``, ``?``, ``|``, ``..``, ``@``
  …, see ``alfilter``), as BC builds it: ``eq 'v'`` → ``v``, ``ne 'v'`` → ``<>v``, ``lt 'v'`` →
  ``<v`` (and so on), ``contains``/``startswith``/``endswith`` → ``*v*``/``v*``/``*v``;
* text matches case-sensitively, like BC's filters, unless the field is read through
  ``tolower()``/``toupper()``, which BC turns into AL's case-insensitive ``@``.
"""

from __future__ import annotations

import functools
import operator
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from odata_query import ast
from odata_query.exceptions import ODataException
from odata_query.grammar import ODataLexer, ODataParser

from gateway.sandbox.edm import EntityType, Property
from gateway.sandbox.errors import SandboxError, bad_request, no_property, query_syntax
from gateway.sandbox.odata.alfilter import al_matcher, is_plain
from gateway.sandbox.odata.values import coerce_literal, is_text, row_value
from gateway.sandbox.store import Row

Predicate = Callable[[Row], bool]

OR_ACROSS_FIELDS = "The 'OR' operator is not supported on distinct fields on an OData filter."

_ORDER: dict[type[ast._Comparator], Callable[[Any, Any], bool]] = {
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
}
_FLIPPED: dict[type[ast._Comparator], ast._Comparator] = {
    ast.Gt: ast.Lt(),
    ast.GtE: ast.LtE(),
    ast.Lt: ast.Gt(),
    ast.LtE: ast.GtE(),
    ast.Eq: ast.Eq(),
    ast.NotEq: ast.NotEq(),
}
# BC turns these into the AL filters "*v*", "v*", "*v" around the caller's value.
_TEXT_FUNCTIONS = {"contains": "*{}*", "startswith": "{}*", "endswith": "*{}"}
# …and the comparisons into these AL operators before the value.
_AL_OPERATORS: dict[type[ast._Comparator], str] = {
    ast.Eq: "",
    ast.NotEq: "<>",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Lt: "<",
    ast.LtE: "<=",
}
NESTED_CALLS = "Nested function calls in a filter are supported only with $schemaversion=2.1."
# Compiled filters by (text, entity type, schema 2.1): the same few requests come again and again.
_COMPILED: OrderedDict[tuple[str, int, bool], tuple[EntityType, CompiledFilter]] = OrderedDict()
_MAX_COMPILED = 4096


@dataclass(frozen=True)
class _Field:
    prop: Property
    case_insensitive: bool  # wrapped in tolower()/toupper()

    def value(self, row: Row) -> Any:
        return row_value(self.prop, row.get(self.prop.name))


@functools.cache
def _parser() -> tuple[ODataLexer, ODataParser]:
    return ODataLexer(), ODataParser()


def parse_filter(text: str) -> ast._Node:
    lexer, parser = _parser()
    try:
        tree: ast._Node = parser.parse(lexer.tokenize(text))
    except ODataException as exc:
        raise query_syntax(str(exc)) from exc
    return tree


@dataclass(frozen=True)
class KeyCondition:
    """A conjunct of the filter that only rows holding one of ``values`` in ``field`` pass
    (``f eq 'v'``, or ``f eq 'a' or f eq 'b'``): an index can find them (``indexes.py``)."""

    field: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class CompiledFilter:
    predicate: Predicate
    keys: tuple[KeyCondition, ...]


def compile_filter(text: str, entity: EntityType, *, schema_21: bool) -> CompiledFilter:
    """A predicate over rows of ``entity``, and the key conditions it holds; raises
    ``SandboxError`` for what BC refuses.  A filter text seen lately is not compiled again."""
    key = (text, id(entity), schema_21)
    kept = _COMPILED.get(key)
    if kept is not None and kept[0] is entity:
        _COMPILED.move_to_end(key)
        return kept[1]
    compiled = _compile(text, entity, schema_21)
    _COMPILED[key] = (entity, compiled)
    if len(_COMPILED) > _MAX_COMPILED:
        _COMPILED.popitem(last=False)
    return compiled


def _compile(text: str, entity: EntityType, schema_21: bool) -> CompiledFilter:
    tree = parse_filter(text)
    _reject_or_across_fields(tree)
    predicate = _Compiler(entity, schema_21).compile(tree)
    keys = tuple(k for k in (_key_condition(part, entity) for part in _conjuncts(tree)) if k is not None)
    return CompiledFilter(predicate, keys)


def _conjuncts(node: ast._Node) -> list[ast._Node]:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [*_conjuncts(node.left), *_conjuncts(node.right)]
    return [node]


def _key_condition(node: ast._Node, entity: EntityType) -> KeyCondition | None:
    """``field eq literal`` (or an ``or`` of them over one field) where equality is exact: a GUID,
    or text with no AL operator in it (``alfilter``)."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        left, right = _key_condition(node.left, entity), _key_condition(node.right, entity)
        if left is None or right is None or left.field != right.field:
            return None
        return KeyCondition(left.field, (*left.values, *right.values))
    if not (isinstance(node, ast.Compare) and isinstance(node.comparator, ast.Eq)):
        return None
    sides = (node.left, node.right)
    name = next((s for s in sides if isinstance(s, ast.Identifier) and not s.namespace), None)
    literal = next((s for s in sides if isinstance(s, ast.String | ast.GUID)), None)
    prop = entity.properties.get(name.name) if isinstance(name, ast.Identifier) else None
    if prop is None or literal is None or prop.type not in ("Edm.String", "Edm.Guid"):
        return None
    value = str(literal.val)
    if prop.type == "Edm.String" and not is_plain(value):
        return None
    return KeyCondition(prop.name, (value,))


def referenced_fields(node: ast._Node, *, schema_21: bool) -> set[str]:
    """Fields the filter really constrains (an ignored ``in`` constrains nothing)."""
    if isinstance(node, ast.Compare) and isinstance(node.comparator, ast.In) and not schema_21:
        return set()
    if isinstance(node, ast.Identifier):
        return {node.name}
    children = [v for v in vars(node).values() if isinstance(v, ast._Node)]
    children += [a for a in getattr(node, "args", []) if isinstance(a, ast._Node)]
    return set().union(*(referenced_fields(c, schema_21=schema_21) for c in children))


def _reject_or_across_fields(node: ast._Node) -> set[str]:
    """The fields ``node`` names (as ``referenced_fields`` with 2.1 rules), refusing an ``or`` over
    more than one; one pass, so a long ``or`` chain costs its length, not its square."""
    if isinstance(node, ast.Identifier):
        return {node.name}
    children = [v for v in vars(node).values() if isinstance(v, ast._Node)]
    children += [a for a in getattr(node, "args", []) if isinstance(a, ast._Node)]
    fields: set[str] = set().union(*(_reject_or_across_fields(child) for child in children))
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(fields) > 1:
        raise bad_request(OR_ACROSS_FIELDS)
    return fields


class _Compiler:
    def __init__(self, entity: EntityType, schema_21: bool) -> None:
        self.entity = entity
        self.schema_21 = schema_21

    def compile(self, node: ast._Node) -> Predicate:
        if isinstance(node, ast.BoolOp):
            left, right = self.compile(node.left), self.compile(node.right)
            if isinstance(node.op, ast.And):
                return lambda row: left(row) and right(row)
            return lambda row: left(row) or right(row)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.compile(node.operand)
            return lambda row: not inner(row)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._text_function(node)
        if isinstance(node, ast.CollectionLambda):
            # BC documents that any/all are not supported and "the filter expression will be ignored".
            return lambda row: True
        if isinstance(node, ast.Identifier) and self._field(node).prop.type == "Edm.Boolean":
            field = self._field(node)
            return lambda row: field.value(row) is True
        raise bad_request("The filter expression is not supported.")

    def _field(self, node: ast._Node) -> _Field:
        if isinstance(node, ast.Identifier) and not node.namespace:
            prop = self.entity.properties.get(node.name)
            if prop is None:
                raise no_property(node.name, self.entity.qualified_name)
            return _Field(prop, case_insensitive=False)
        if isinstance(node, ast.Call) and node.func.name in ("tolower", "toupper") and len(node.args) == 1:
            return _Field(self._field(node.args[0]).prop, case_insensitive=True)
        raise bad_request("The filter expression is not supported: compare a property with a literal.")

    def _compare(self, node: ast.Compare) -> Predicate:
        if isinstance(node.comparator, ast.In):
            return self._in(node)
        left, right, comparator = node.left, node.right, node.comparator
        if isinstance(left, ast._Literal) and not isinstance(right, ast._Literal):
            left, right, comparator = right, left, _FLIPPED[type(comparator)]
        field = self._field(left)
        if not isinstance(right, ast._Literal):
            raise bad_request("The filter expression is not supported: compare a property with a literal.")
        literal = coerce_literal(field.prop, _literal(right))
        if is_text(field.prop) and isinstance(literal, str) and literal:
            text_matches = al_matcher(_AL_OPERATORS[type(comparator)] + literal, field.case_insensitive)
            return lambda row: text_matches(str(field.value(row) or ""))
        if isinstance(comparator, ast.Eq | ast.NotEq):
            matches = self._equals(field, literal)
            if isinstance(comparator, ast.NotEq):
                return lambda row: not matches(row)
            return matches
        order = _ORDER[type(comparator)]
        return lambda row: _ordered(order, field.value(row), literal, field.case_insensitive)

    def _equals(self, field: _Field, literal: Any) -> Predicate:
        if is_text(field.prop) and isinstance(literal, str) and literal:
            matches = al_matcher(literal, field.case_insensitive)
            return lambda row: matches(str(field.value(row) or ""))
        if isinstance(literal, str) and field.case_insensitive:
            folded = literal.casefold()
            return lambda row: str(field.value(row) or "").casefold() == folded
        return lambda row: bool(field.value(row) == literal)

    def _in(self, node: ast.Compare) -> Predicate:
        if not self.schema_21:
            # Real BC drops the clause without an error (REFERENCE §14): every row passes it.
            return lambda row: True
        field = self._field(node.left)
        if not isinstance(node.right, ast.List):
            raise bad_request("The 'in' operator needs a list of literals.")
        options = [self._equals(field, coerce_literal(field.prop, _literal(v))) for v in node.right.val]
        return lambda row: any(match(row) for match in options)

    def _text_function(self, node: ast.Call) -> Predicate:
        pattern = _TEXT_FUNCTIONS.get(node.func.name)
        if pattern is None or len(node.args) != 2 or not isinstance(node.args[1], ast.String):
            raise bad_request(f"The function '{node.func.name}' is not supported in this filter.")
        if isinstance(node.args[0], ast.Call) and not self.schema_21:
            raise bad_request(NESTED_CALLS)
        field = self._field(node.args[0])
        matches = al_matcher(pattern.format(node.args[1].val), field.case_insensitive)
        return lambda row: matches(str(field.value(row) or ""))


def _literal(node: ast._Node) -> Any:
    if isinstance(node, ast.Null):
        return None
    if isinstance(node, ast.Boolean):
        return node.val.lower() == "true"
    if isinstance(node, ast.DateTime):
        return node.val
    if isinstance(node, ast.String | ast.Integer | ast.Float | ast.Date | ast.GUID):
        return node.val
    raise bad_request(f"Literals of kind '{type(node).__name__}' are not supported.")


def _ordered(order: Callable[[Any, Any], bool], value: Any, literal: Any, case_insensitive: bool) -> bool:
    if value is None or literal is None:
        return False
    if case_insensitive and isinstance(value, str) and isinstance(literal, str):
        return order(value.casefold(), literal.casefold())
    try:
        return order(value, literal)
    except TypeError as exc:
        raise SandboxError(400, "BadRequest", "Incompatible types in filter comparison.") from exc
