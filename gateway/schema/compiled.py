"""Compiled completions: a whole selection of plain fields written by one function per type.

graphql-core completes every field of every object by the same generic dispatch (collect the
field, look up its definition, complete its value by its type), which is most of an answer's
CPU when a list holds thousands of objects.  Where a selection reads plain fields only
(``gateway/schema/plain_fields.py``) all the way down — scalars and enums, plain objects and
lists of them, ``__typename``, aliases and fragments, with ``@skip``/``@include`` already
evaluated when graphql-core collected the fields for this operation's variables —
:func:`compile_selection` writes the Python of one function per object type of the selection
(``{"number": value, …}`` straight from the attributes) and compiles it — once per process
for each distinct source, so an operation that comes again pays only for writing the source.

The functions refuse rather than guess: a null where the schema promises a value, a value a
scalar or enum refuses, an object of the wrong type, a value that is not a list, a field only its
resolver can answer — anything that is not simply written raises (:class:`Refused`, or the
scalar's own error), and the caller completes the whole value with graphql-core's own path
instead, which reports it exactly as it always has (the same errors, the same paths, the same
nulls).  The functions read attributes and coerce leaves, nothing else, so running
graphql-core's path after one refused repeats no work that shows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from graphql import GraphQLBoolean, GraphQLID, GraphQLInt, GraphQLObjectType, GraphQLString, Undefined
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

from gateway.schema.plain_fields import (
    NOT_AHEAD,
    Leaf,
    Object,
    ObjectList,
    Plain,
    checks_its_type_simply,
    own_class,
    plain_field,
)

Complete = Callable[[Any], Any]
CollectSubfields = Callable[[GraphQLObjectType, FieldDetailsList], CollectedFields]

# graphql-core's own scalars hand these values back unchanged; any other value goes through
# the scalar's coercion.  Int: only within GraphQL's 32 bits.
_UNCHANGED = {
    GraphQLString.coerce_output_value: "{v}.__class__ is str",
    GraphQLID.coerce_output_value: "{v}.__class__ is str",
    GraphQLBoolean.coerce_output_value: "{v}.__class__ is bool",
    GraphQLInt.coerce_output_value: "{v}.__class__ is int and -2147483648 <= {v} <= 2147483647",
}
# Coercions known never to return None or Undefined (they raise instead).
_NEVER_NULL = {*_UNCHANGED, str}


class Refused(Exception):
    """A value the compiled completion does not write: graphql-core's path completes it."""


def compile_selection(
    type_: GraphQLObjectType, field_details_list: FieldDetailsList, collect: CollectSubfields
) -> Complete | None:
    """A function writing an object of ``type_`` as the sub-selection of ``field_details_list``
    selects it, or ``None`` when a selected field is not plain.  ``collect``: the executor's
    ``collect_subfields`` (fragments and directives, as this operation's variables decide)."""
    return _Writer(collect).function(type_, field_details_list)


def compile_list(
    plan: ObjectList, field_details_list: FieldDetailsList, collect: CollectSubfields
) -> Complete | None:
    """A function writing the value of the list field ``plan``, or ``None``."""
    if any(
        directive.name.value == "stream"
        for details in field_details_list
        for directive in details.node.directives or ()
    ):
        return None  # incremental delivery is graphql-core's
    complete = compile_selection(plan.item_type, field_details_list, collect)
    if complete is None:
        return None
    return _list_of(complete, plan.item_nullable)


@functools.lru_cache(maxsize=1024)  # one per compiled item function, as those are kept
def _list_of(complete: Complete, item_nullable: bool) -> Complete:
    def complete_list(values: Any) -> list[Any]:
        # What graphql-core also takes as a list, in the same order; anything else (a generator,
        # an async iterable) is left to it.
        if values.__class__ is not list and values.__class__ is not tuple:
            raise Refused
        if item_nullable:
            return [None if value is None else complete(value) for value in values]
        return [complete(value) for value in values]

    return complete_list


class _Writer:
    """The Python source of one selection's functions, and the values they refer to."""

    def __init__(self, collect: CollectSubfields) -> None:
        self.collect = collect
        self.names: dict[str, Any] = {"Refused": Refused, "Undefined": Undefined, "NOT_AHEAD": NOT_AHEAD}

    def function(self, type_: GraphQLObjectType, field_details_list: FieldDetailsList) -> Complete | None:
        grouped, defer_usages, _ = self.collect(type_, field_details_list)
        if defer_usages or (type_.is_type_of is not None and not checks_its_type_simply(type_)):
            return None
        body = ["def complete(s):", "    if s is None or isinstance(s, Exception):", "        raise Refused"]
        if type_.is_type_of is not None:
            # Strawberry's own check looks at the object only, never at the resolve info; an
            # instance of the type's own class that was not cast passes it, without the call.
            check = f"{self.name(type_.is_type_of)}(s, None) is not True"
            own = own_class(type_)
            if own is not None:
                cast = f"hasattr(s, {TYPE_CAST_ATTRIBUTE!r})"
                check = f"(s.__class__ is not {self.name(own)} or {cast}) and {check}"
            body += [f"    if {check}:", "        raise Refused"]
        keys: list[str] = []
        for index, (response_name, details) in enumerate(grouped.items()):
            name = details[0].node.name.value
            if name == "__typename":
                body.append(f"    r{index} = {type_.name!r}")
            else:
                lines = self.field(plain_field(type_, name), details, f"r{index}")
                if lines is None:
                    return None
                body += lines
            keys.append(f"{response_name!r}: r{index}")
        body.append("    return {" + ", ".join(keys) + "}")
        return _function("\n".join(body), tuple(self.names.items()))

    def field(self, plan: Plain | None, details: FieldDetailsList, result: str) -> list[str] | None:
        """Lines setting ``result`` to the field's value, read from ``s``."""
        if plan is None:
            return None
        if isinstance(plan, Leaf):
            value = self.leaf(plan)
        elif isinstance(plan, ObjectList):
            complete_list = compile_list(plan, details, self.collect)
            if complete_list is None:
                return None
            value = f"{self.name(complete_list)}(v)"
        else:
            complete = self.function(plan.type, details)
            if complete is None:
                return None
            value = f"{self.name(complete)}(v)"
        lines = [f"    v = s.{plan.attribute}"]
        if isinstance(plan, Leaf | Object) and plan.ahead:
            lines += ["    if v is NOT_AHEAD:", "        raise Refused"]
        if plan.nullable:
            return [*lines, f"    {result} = None if v is None else {value}"]
        return [*lines, "    if v is None:", "        raise Refused", f"    {result} = {value}"]

    def leaf(self, plan: Leaf) -> str:
        coerce = self.name(plan.coerce)
        if plan.is_list:
            return f"{self.name(_leaf_list)}({coerce}, v)"
        coerced = f"{coerce}(v)" if plan.coerce in _NEVER_NULL else f"{self.name(_written)}({coerce}(v))"
        unchanged = _UNCHANGED.get(plan.coerce)
        return f"(v if {unchanged.format(v='v')} else {coerced})" if unchanged is not None else coerced

    def name(self, value: Any) -> str:
        """A name the generated source can use for ``value``."""
        name = f"_{len(self.names)}"
        self.names[name] = value
        return name


@functools.lru_cache(maxsize=1024)
def _function(source: str, names: tuple[tuple[str, Any], ...]) -> Complete:
    """The function ``source`` defines, with ``names`` bound: compiled once per process, as the
    same selection gives the same source and names (the schema's coercions, the functions of its
    sub-selections, themselves kept here) in every operation.  Compiling is most of a
    selection's cost: about 0.5 ms for the reference query's, a 40th of its CPU."""
    namespace = dict(names)
    exec(compile(source, "<compiled selection>", "exec"), namespace)  # noqa: S102 - written from the schema's names
    complete: Complete = namespace["complete"]
    return complete


def _written(coerced: Any) -> Any:
    """A scalar's or enum's coerced value; a null from it is graphql-core's to report."""
    if coerced is None or coerced is Undefined:
        raise Refused
    return coerced


def _leaf_list(coerce: Complete, values: Any) -> list[Any]:
    """A list of a non-null scalar or enum."""
    if values.__class__ is not list and values.__class__ is not tuple:
        raise Refused
    if any(value is None for value in values):
        raise Refused
    return [_written(coerce(value)) for value in values]
