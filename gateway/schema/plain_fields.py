"""Which fields of the schema are plain: read off their object, without a resolver call.

A field is plain when Strawberry resolves it by reading its attribute (no resolver, no
arguments, no extension: Strawberry's "basic" fields, ``SalesOrderLine.quantity``,
``Money.amount``) and its type is a scalar or enum, a list of them, a concrete object type or a
list of one.  A field with a resolver is plain too where its object already holds the answer
(:func:`resolved_ahead`): ``DocumentLine.item`` when BC sent the item with the line, or an
``id`` written from its UUID only when it is selected.  Which
fields are plain is decided once per schema, from Strawberry's own field definitions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

_RESOLVED_AHEAD: Final = "gateway.resolved_ahead"


class NotAhead:
    def __repr__(self) -> str:
        return "NOT_AHEAD"


NOT_AHEAD: Final = NotAhead()
"""What a resolved-ahead attribute holds when only the field's resolver can answer."""


def resolved_ahead(attribute: str) -> dict[str, str]:
    """A resolver field's ``metadata``: its object's ``attribute`` holds the field's value, or
    :data:`NOT_AHEAD` when the resolver must be called (the value must be what the resolver
    would return, read without ``Info``)."""
    return {_RESOLVED_AHEAD: attribute}


@dataclass(frozen=True)
class Leaf:
    attribute: str
    coerce: Callable[[Any], Any]
    nullable: bool
    is_list: bool  # a list of the scalar (its items never null)
    ahead: bool = False  # the attribute may hold NOT_AHEAD: then the field's resolver answers


@dataclass(frozen=True)
class Object:
    attribute: str
    type: GraphQLObjectType
    nullable: bool
    field_type: GraphQLOutputType  # as declared, for graphql-core's error handling
    ahead: bool  # the attribute may hold NOT_AHEAD: then the field's resolver answers


@dataclass(frozen=True)
class ObjectList:
    attribute: str
    item_type: GraphQLObjectType
    nullable: bool
    item_nullable: bool


Plain = Leaf | Object | ObjectList
# Per object type (types belong to one schema, which lives as long as the process), per field.
_PLANS: dict[GraphQLObjectType, dict[str, Plain | None]] = {}


def plain_field(parent_type: GraphQLObjectType, name: str) -> Plain | None:
    """How to read the field ``name`` of ``parent_type`` off its object, or ``None`` when it
    needs its resolver."""
    plans = _PLANS.get(parent_type)
    if plans is None:
        plans = _PLANS[parent_type] = {}
    try:
        return plans[name]
    except KeyError:
        field = parent_type.fields.get(name)
        plan = plans[name] = _plain(field) if field is not None else None
        return plan


def checks_its_type_simply(type_: GraphQLObjectType) -> bool:
    """Whether ``type_`` needs no ``is_type_of`` check or only Strawberry's own, which looks at
    the object alone (never at the resolve info)."""
    if type_.is_type_of is None:
        return True
    definition = (type_.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return isinstance(definition, StrawberryObjectDefinition) and definition.is_type_of is None


def own_class(type_: GraphQLObjectType) -> type | None:
    """The Python class whose instances (not cast with ``strawberry.cast``) Strawberry's own
    ``is_type_of`` always accepts for ``type_``; None for a generic's specialisation."""
    definition = (type_.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryObjectDefinition) or definition.concrete_of is not None:
        return None
    return definition.origin


def _plain(field: GraphQLField) -> Plain | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field.args:
        return None
    ahead = definition.metadata.get(_RESOLVED_AHEAD)
    if isinstance(ahead, str):
        nullable, inner = _unwrapped(field.type)
        if is_leaf_type(inner):
            return Leaf(ahead, inner.coerce_output_value, nullable, is_list=False, ahead=True)
        if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
            return Object(ahead, inner, nullable, field.type, ahead=True)
        return None
    # Strawberry marks the resolver of a field that just reads its attribute.
    if not getattr(field.resolve, "_is_default", False) or definition.default_resolver is not getattr:
        return None
    attribute = definition.python_name
    nullable, inner = _unwrapped(field.type)
    if is_leaf_type(inner):
        return Leaf(attribute, inner.coerce_output_value, nullable, is_list=False)
    if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
        return Object(attribute, inner, nullable, field.type, ahead=False)
    if isinstance(inner, GraphQLList):
        item_nullable, item = _unwrapped(inner.of_type)
        if is_leaf_type(item) and not item_nullable:
            return Leaf(attribute, item.coerce_output_value, nullable, is_list=True)
        if isinstance(item, GraphQLObjectType) and checks_its_type_simply(item):
            return ObjectList(attribute, item, nullable, item_nullable)
    return None


def _unwrapped(type_: GraphQLOutputType) -> tuple[bool, GraphQLOutputType]:
    if isinstance(type_, GraphQLNonNull):
        return False, type_.of_type
    return True, type_
