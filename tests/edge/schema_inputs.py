"""Operations built from the schema itself, so tests cover every argument and input field that
exists now or is added later: where the inputs of a scalar are, and a valid operation that puts
a given value at one of them (every other required input filled in)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
)

from gateway.schema import schema

GRAPHQL = schema._schema
Path = tuple[str, ...]
# A valid value for a leaf input, given the name of the argument or field that holds it.
Filler = Callable[[str, GraphQLScalarType], Any]
DEFAULTS = {"Int": 1, "Boolean": True, "Date": "2026-07-01", "Decimal": "1", "String": "X", "ID": "X"}


def default_fill(name: str, kind: GraphQLScalarType) -> Any:
    return DEFAULTS[kind.name]


def roots() -> dict[str, GraphQLObjectType]:
    query, mutation = GRAPHQL.query_type, GRAPHQL.mutation_type
    assert query is not None
    assert mutation is not None
    return {"query": query, "mutation": mutation}


def input_paths(scalars: set[str]) -> list[tuple[str, str, Path]]:
    """(operation type, root field, path to an argument or input field of one of ``scalars``)."""
    return [
        (operation, name, path)
        for operation, root in roots().items()
        for name, field in sorted(root.fields.items())
        for argument, definition in sorted(field.args.items())
        for path in _paths(definition.type, (argument,), scalars, frozenset())
    ]


def _paths(kind: GraphQLInputType, path: Path, scalars: set[str], seen: frozenset[str]) -> Iterator[Path]:
    named = get_named_type(kind)
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        for name, field in sorted(named.fields.items()):
            yield from _paths(field.type, (*path, name), scalars, seen | {named.name})
    elif isinstance(named, GraphQLScalarType) and named.name in scalars:
        yield path


def placeholder(kind: GraphQLInputType, name: str) -> Any:
    """A valid value of ``kind`` (its required input fields included)."""
    return _value(kind, name, None, None, default_fill)


def _value(kind: GraphQLInputType, name: str, path: Path | None, value: Any, fill: Filler) -> Any:
    """A valid ``kind``; ``value`` at ``path`` (``None``: not on the path).  Lists get one element."""
    if isinstance(kind, GraphQLNonNull):
        return _value(kind.of_type, name, path, value, fill)
    if isinstance(kind, GraphQLList):
        return [_value(kind.of_type, name, path, value, fill)]
    if isinstance(kind, GraphQLInputObjectType):
        step = path[0] if path else None
        return {
            field: _value(definition.type, field, path[1:] if path and field == step else None, value, fill)
            for field, definition in kind.fields.items()
            if isinstance(definition.type, GraphQLNonNull) or field == step
        }
    if path == ():
        return value
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    assert isinstance(kind, GraphQLScalarType)
    return fill(name, kind)


def operation_with(
    operation: str, field: str, path: Path, value: Any, fill: Filler = default_fill, *, inline: bool = False
) -> tuple[str, dict[str, Any]]:
    """A document calling ``field`` with ``value`` at ``path``, and its variables: the arguments,
    or none when ``inline`` writes them into the document as literals."""
    definition = roots()[operation].fields[field]
    variables = {
        name: _value(argument.type, name, path[1:] if name == path[0] else None, value, fill)
        for name, argument in definition.args.items()
        if name == path[0] or isinstance(argument.type, GraphQLNonNull)
    }
    fields = selection(definition.type)
    if inline:
        passed = ", ".join(f"{n}: {literal(definition.args[n].type, v)}" for n, v in variables.items())
        return f"{operation} {{ {field}({passed}){fields} }}", {}
    declared = ", ".join(f"${n}: {definition.args[n].type}" for n in variables)
    passed = ", ".join(f"{n}: ${n}" for n in variables)
    return f"{operation} Probe({declared}) {{ {field}({passed}){fields} }}", variables


def literal(kind: GraphQLInputType, value: Any) -> str:
    """``value`` of ``kind`` written as a GraphQL literal."""
    if isinstance(kind, GraphQLNonNull):
        return literal(kind.of_type, value)
    if isinstance(kind, GraphQLList):
        return "[" + ", ".join(literal(kind.of_type, item) for item in value) + "]"
    if isinstance(kind, GraphQLInputObjectType):
        return "{" + ", ".join(f"{k}: {literal(kind.fields[k].type, v)}" for k, v in value.items()) + "}"
    if isinstance(kind, GraphQLEnumType):
        return str(value)
    return json.dumps(value)


def selection(kind: Any) -> str:
    named = get_named_type(kind)
    if is_leaf_type(named):
        return ""
    if isinstance(named, GraphQLUnionType) and "WriteError" in {t.name for t in named.types}:
        return " { __typename ... on WriteError { code lineProblems { code } } }"
    return " { __typename }"
