"""Strawberry's executor, with the per-field work that plain fields do not need left out.

Most fields of an answer are plain: an attribute of a schema object with no resolver, no
arguments and no extension (Strawberry's "basic" fields: ``SalesOrderLine.quantity``,
``Money.amount``, ``Address.city``).  graphql-core resolves each of them as it would any field —
a resolve-info tuple, Strawberry's resolver wrapper, then the completion dispatch — which is most
of an answer's CPU: a page of 1,000 orders × 10 lines holds 100,000 such fields.

:class:`PlainFieldExecutor` reads such a field straight off its object: a scalar or enum (or a
list of them) is coerced with its type's ``coerce_output_value``, and a plain object without an
``is_type_of`` check goes straight to its sub-fields.  Anything else — a resolver, a null where
the schema promises a value, a value the type refuses — takes graphql-core's own path, which
resolves or reports it exactly as before.  Which fields are plain is decided once per schema,
from Strawberry's own field definitions.
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
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

_NOT_PLAIN: Final = object()


@dataclass(frozen=True)
class _Leaf:
    attribute: str
    coerce: Callable[[Any], Any]
    nullable: bool
    is_list: bool  # a list of the scalar (its items never null)


@dataclass(frozen=True)
class _Object:
    attribute: str
    type: GraphQLObjectType
    nullable: bool
    field_type: GraphQLOutputType  # as declared, for graphql-core's error handling


_Plain = _Leaf | _Object
# Per object type (types belong to one schema, which lives as long as the process), per field.
_PLANS: dict[GraphQLObjectType, dict[str, _Plain | None]] = {}


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context; plain fields are read without a resolver call each."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        plain = _plan(parent_type, field_details_list[0].node.name.value)
        if plain is not None and not self.middleware_manager:
            value = getattr(source, plain.attribute, None)
            if value is None:
                if plain.nullable:
                    return None
            elif isinstance(plain, _Leaf):
                coerced = _coerced(plain, value)
                if coerced is not _NOT_PLAIN:
                    return coerced
            else:
                return self._object(plain, value, field_details_list, path, position_context)
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def _object(
        self, plain: _Object, value: Any, field_details_list: FieldDetailsList, path: Path, position: Any
    ) -> Any:
        """The sub-fields of a plain object; an error below nulls this field, as graphql-core's
        own path does (or its parent, when this one cannot be null)."""
        try:
            completed = self.collect_and_execute_subfields(
                plain.type, field_details_list, path, value, position
            )
        except Exception as error:  # noqa: BLE001 - handled as graphql-core handles a field's error
            self.handle_field_error(error, plain.field_type, field_details_list, path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def awaited() -> Any:
            try:
                return await completed
            except Exception as error:  # noqa: BLE001 - as above
                self.handle_field_error(error, plain.field_type, field_details_list, path)
                return None

        return awaited()


def _coerced(leaf: _Leaf, value: Any) -> Any:
    """``value`` as the leaf type writes it, or ``_NOT_PLAIN`` for graphql-core to report."""
    try:
        if leaf.is_list:
            items = [leaf.coerce(item) for item in value]
            return _NOT_PLAIN if any(item is None or item is Undefined for item in items) else items
        coerced = leaf.coerce(value)
    except Exception:  # noqa: BLE001 - graphql-core's own path turns it into the field's error
        return _NOT_PLAIN
    return _NOT_PLAIN if coerced is None or coerced is Undefined else coerced


def _plan(parent_type: GraphQLObjectType, name: str) -> _Plain | None:
    plans = _PLANS.get(parent_type)
    if plans is None:
        plans = _PLANS[parent_type] = {}
    try:
        return plans[name]
    except KeyError:
        field = parent_type.fields.get(name)
        plan = plans[name] = _plain(field) if field is not None else None
        return plan


def _plain(field: GraphQLField) -> _Plain | None:
    """How to read ``field`` off its object, or ``None`` when it needs its resolver."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    # Strawberry marks the resolver of a field that just reads its attribute.
    if not isinstance(definition, StrawberryField) or not getattr(field.resolve, "_is_default", False):
        return None
    if definition.default_resolver is not getattr or field.args:
        return None
    attribute = definition.python_name
    nullable, inner = _unwrapped(field.type)
    if is_leaf_type(inner):
        return _Leaf(attribute, inner.coerce_output_value, nullable, is_list=False)
    if isinstance(inner, GraphQLList):
        item_nullable, item = _unwrapped(inner.of_type)
        if is_leaf_type(item) and not item_nullable:
            return _Leaf(attribute, item.coerce_output_value, nullable, is_list=True)
        return None
    if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
        return _Object(attribute, inner, nullable, field.type)
    return None


def _unwrapped(type_: GraphQLOutputType) -> tuple[bool, GraphQLOutputType]:
    if isinstance(type_, GraphQLNonNull):
        return False, type_.of_type
    return True, type_
