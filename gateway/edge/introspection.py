"""How far an introspection field (``__schema``, ``__type``) may reach.

Introspection reads the schema the gateway holds in memory, never Business Central, so depth and
cost — limits on BC work — are the wrong measure: the standard introspection query that GraphiQL
and graphql-codegen send (graphql-core's ``get_introspection_query()``) nests ``ofType`` nine
levels deep and would fail both.  What can make introspection expensive is a type reached again
through a type: ``types { fields { type { fields { type { … } } } } }`` multiplies the schema by
itself at each step.  So an introspection field is measured by its shape instead: along any path,
at most ``MAX_TYPE_LEVELS`` ``__Type`` objects, not counting ``ofType``, which only unwraps one
list or non-null (a chain that ends within a few links, whatever the query asks).  The standard
query reaches two levels (a type, and the types of its fields, arguments, interfaces and
possible types).

In production the schema refuses introspection anyway (``edge/gate.py``); this only keeps it
cheap where it is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)

INTROSPECTION_FIELDS = {"__schema": "__Schema", "__type": "__Type"}
MAX_TYPE_LEVELS = 2
_TYPE = "__Type"
_UNWRAP = "ofType"


class IntrospectionTooDeep(Exception):
    """An introspection field that reaches types through types more than ``MAX_TYPE_LEVELS`` deep."""


@dataclass
class IntrospectionShape:
    """Checks one operation's introspection fields; ``aliases`` counts the aliases met inside them."""

    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    aliases: int = 0
    # A fragment's deepest type level, by (fragment, the level it is spread at): each one is walked
    # once however often it is spread, so a fragment bomb costs nothing here.
    _seen: dict[tuple[str, int], int] = field(default_factory=dict)
    _active: set[str] = field(default_factory=set)

    def check(self, node: FieldNode) -> None:
        """Raise ``IntrospectionTooDeep`` when ``node`` (``__schema`` or ``__type``) reaches too far."""
        if node.alias is not None:
            self.aliases += 1
        root = self.schema.get_type(INTROSPECTION_FIELDS[node.name.value])
        level = 1 if node.name.value == "__type" else 0
        if node.selection_set is not None:
            self._selections(node.selection_set, root, level)

    def _selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, level: int
    ) -> int:
        deepest = level
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                deepest = max(deepest, self._field(selection, parent, level))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self._selections(selection.selection_set, parent, level))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self._spread(selection.name.value, parent, level))
        return deepest

    def _spread(self, name: str, parent: GraphQLNamedType | None, level: int) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self._active:
            return level  # validation names an unknown or self-spreading fragment
        key = (name, level)
        if key not in self._seen:
            self._active.add(name)
            inner = self.schema.get_type(fragment.type_condition.name.value) or parent
            self._seen[key] = self._selections(fragment.selection_set, inner, level)
            self._active.discard(name)
        return self._seen[key]

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None, level: int) -> int:
        if node.alias is not None:
            self.aliases += 1
        definition = parent.fields.get(node.name.value) if isinstance(parent, GraphQLObjectType) else None
        if definition is None or node.selection_set is None:
            return level  # a scalar, or a field validation will refuse
        named = get_named_type(definition.type)
        if named.name == _TYPE and node.name.value != _UNWRAP:
            level += 1
            if level > MAX_TYPE_LEVELS:
                raise IntrospectionTooDeep(
                    f"Introspection may reach types through types at most {MAX_TYPE_LEVELS} levels deep."
                )
        return self._selections(node.selection_set, named, level)
