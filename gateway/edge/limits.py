"""Operation limits, checked on the parsed document before anything executes.

Depth, aliases, root fields, directives and a cost estimate are measured over the operation as it
would execute: fragments are expanded where they are spread, so a fragment spread twice counts
twice, and each fragment is measured once per context (memoised), so a "fragment bomb" costs the
checker almost nothing while its true size is still reported.  The cost of a field is the number
of times it would be resolved: a field with a ``first`` argument (any connection or list, present
or future) multiplies what is below it by ``first`` (or the default page size when it is absent),
and a list without ``first`` by ``default_list_size``.  Each expansion of a fragment spread costs
1 more, whatever type it is on and however deep: a bomb of spreads over scalar fields costs its
2ⁿ expansions and is refused.  A ``first`` above the maximum page size is refused here too, for
every field that has one.

Validation, which runs next, compares the fields that share a response key at one level pairwise
(graphql-core's OverlappingFieldsCanBeMerged): 450 copies of ``address { city }`` held the event
loop for a second.  So the selections that repeat a key already selected at their level
(fragments included) are counted, structurally, and bounded by ``max_repeated_fields``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.type.definition import GraphQLInterfaceType

from gateway.edge.introspection import INTROSPECTION_FIELDS, IntrospectionShape, IntrospectionTooDeep
from gateway.schema.error_codes import ErrorCode

SIZE_ARGUMENT = "first"


@dataclass(frozen=True)
class OperationLimits:
    """The largest operation the gateway executes; every limit is configurable."""

    max_depth: int = 12
    max_aliases: int = 30
    max_root_fields: int = 10
    max_tokens: int = 2_000
    max_length: int = 20_000
    max_directives: int = 20
    cost_budget: int = 5_000
    # Selections repeating a response key already selected at their level: graphql-core's
    # validation compares them pairwise (OverlappingFieldsCanBeMerged), which is quadratic.
    max_repeated_fields: int = 50
    default_page_size: int = 20
    max_page_size: int = 100
    default_list_size: int = 20


class OperationRejected(Exception):
    """An operation refused before execution; ``code`` and ``limit`` are safe to show."""

    def __init__(
        self, message: str, *, code: ErrorCode = ErrorCode.OPERATION_LIMIT_EXCEEDED, limit: str | None = None
    ):
        super().__init__(message)
        self.code = code
        self.limit = limit


@dataclass(frozen=True)
class OperationReport:
    """What an operation would do, measured: its cost weighs it in the rate limiter."""

    depth: int
    aliases: int
    root_fields: int
    directives: int
    cost: int
    repeated_fields: int = 0


@dataclass
class _Metrics:
    depth: int = 0
    aliases: int = 0
    directives: int = 0
    cost: int = 0
    fields: int = 0
    repeats: int = 0  # below this level; this level's are counted from ``keys`` by its owner
    keys: dict[str, int] = field(default_factory=dict)  # response keys selected at this level

    def add(self, other: _Metrics, *, times: int = 1) -> None:
        self.depth = max(self.depth, other.depth)
        self.aliases += other.aliases * times
        self.directives += other.directives * times
        self.cost += other.cost * times
        self.fields += other.fields
        # Validation works on the document, not on the data: repeats never multiply by a list.
        self.repeats += other.repeats
        for key, count in other.keys.items():
            self.keys[key] = self.keys.get(key, 0) + count

    def repeats_here(self) -> int:
        """Selections at this level whose response key an earlier one already took."""
        return self.repeats + sum(count - 1 for count in self.keys.values())


@dataclass
class _Walker:
    schema: GraphQLSchema
    limits: OperationLimits
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    defaults: Mapping[str, Any]
    memo: dict[tuple[str, str, int | None], _Metrics] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, pending: int | None
    ) -> _Metrics:
        total = _Metrics()
        for selection in selection_set.selections:
            total.directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                total.add(self.field(selection, parent, pending))
                total.fields += 1
                key = (selection.alias or selection.name).value
                total.keys[key] = total.keys.get(key, 0) + 1
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total.add(self.selections(selection.selection_set, inner, pending))
            elif isinstance(selection, FragmentSpreadNode):
                # Every expansion of a spread costs 1, on every type and at every level: a spread
                # of scalars is free to resolve but not to expand, and fragments that spread
                # the next one twice expand 2ⁿ times.
                total.cost += 1
                total.add(self.spread(selection.name.value, parent, pending))
        return total

    def spread(self, name: str, parent: GraphQLNamedType | None, pending: int | None) -> _Metrics:
        fragment = self.fragments.get(name)
        if fragment is None:
            return _Metrics()  # validation names the unknown fragment
        key = (name, parent.name if parent is not None else "", pending)
        if key in self.memo:
            return self.memo[key]
        if name in self.active:
            raise OperationRejected(
                f"Cannot spread fragment {name!r} within itself.", code=ErrorCode.GRAPHQL_VALIDATION_FAILED
            )
        self.active.add(name)
        inner = self.schema.get_type(fragment.type_condition.name.value) or parent
        metrics = self.selections(fragment.selection_set, inner, pending)
        metrics.directives += len(fragment.directives or ())
        self.active.discard(name)
        self.memo[key] = metrics
        return metrics

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, pending: int | None) -> _Metrics:
        if node.name.value in INTROSPECTION_FIELDS:
            return self.introspection(node)
        definition = (
            parent.fields.get(node.name.value)
            if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType))
            else None
        )
        return_type = definition.type if definition is not None else None
        named = get_named_type(return_type) if return_type is not None else None
        is_list = return_type is not None and is_list_type(get_nullable_type(return_type))
        times, child_pending = 1, None
        if definition is not None and SIZE_ARGUMENT in definition.args:
            size = self.size_of(node)
            times, child_pending = (size, None) if is_list else (1, size)
        elif is_list:
            times = pending if pending is not None else self.limits.default_list_size
        metrics = _Metrics(aliases=1 if node.alias else 0)
        # Each object the field yields is one resolution; scalars ride along with their object.
        metrics.cost = times if named is not None and is_composite_type(named) else 0
        if node.selection_set is not None:
            below = self.selections(node.selection_set, named, child_pending)
            metrics.repeats = below.repeats_here()
            metrics.depth = below.depth
            metrics.aliases += below.aliases * times
            metrics.directives += below.directives * times
            metrics.cost += below.cost * times
        metrics.depth += 1
        if metrics.depth > self.limits.max_depth:
            raise OperationRejected(
                f"The operation is nested too deeply (at most {self.limits.max_depth} levels).", limit="depth"
            )
        return metrics

    def introspection(self, node: FieldNode) -> _Metrics:
        """``__schema``/``__type`` read the schema in memory, not BC: measured by their shape
        (``edge/introspection.py``), not by depth and cost, so the standard introspection query
        passes; they count one level and one object."""
        shape = IntrospectionShape(self.schema, self.fragments)
        try:
            shape.check(node)
        except IntrospectionTooDeep as error:
            raise OperationRejected(str(error), limit="depth") from None
        return _Metrics(depth=1, aliases=shape.aliases, cost=1)

    def size_of(self, node: FieldNode) -> int:
        argument = next((a for a in node.arguments or () if a.name.value == SIZE_ARGUMENT), None)
        value: Any = None
        if argument is None:
            value = None
        elif isinstance(argument.value, IntValueNode):
            value = int(argument.value.value)
        elif isinstance(argument.value, VariableNode):
            name = argument.value.name.value
            value = self.variables.get(name, self.defaults.get(name))
        if not isinstance(value, int) or isinstance(value, bool):
            return self.limits.default_page_size
        if value > self.limits.max_page_size:
            raise OperationRejected(
                f"`{SIZE_ARGUMENT}` may be at most {self.limits.max_page_size} on any field.",
                limit="pageSize",
            )
        return max(value, 0)


def check_operation(
    document: DocumentNode,
    schema: GraphQLSchema,
    limits: OperationLimits,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> OperationReport:
    """Measure the operation that would execute, or raise ``OperationRejected`` naming the limit."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)
    ]
    worst = OperationReport(0, 0, 0, 0, 0)
    for operation in chosen or operations:
        worst = max(
            worst, _measure(operation, schema, limits, fragments, variables or {}), key=lambda r: r.cost
        )
    return worst


def _measure(
    operation: OperationDefinitionNode,
    schema: GraphQLSchema,
    limits: OperationLimits,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> OperationReport:
    defaults = {
        definition.variable.name.value: _literal(definition.default_value)
        for definition in operation.variable_definitions or ()
    }
    walker = _Walker(schema, limits, fragments, variables, defaults)
    metrics = walker.selections(operation.selection_set, _root_type(schema, operation.operation), None)
    metrics.directives += len(operation.directives or ())
    report = OperationReport(
        depth=metrics.depth,
        aliases=metrics.aliases,
        root_fields=metrics.fields,
        directives=metrics.directives,
        cost=metrics.cost,
        repeated_fields=metrics.repeats_here(),
    )
    _enforce(report, limits)
    return report


def _enforce(report: OperationReport, limits: OperationLimits) -> None:
    checks = (
        (report.aliases, limits.max_aliases, "aliases", "The operation uses too many aliases (at most {})."),
        (
            report.root_fields,
            limits.max_root_fields,
            "rootFields",
            "The operation asks for too many top-level fields (at most {}).",
        ),
        (
            report.directives,
            limits.max_directives,
            "directives",
            "The operation uses too many directives (at most {}).",
        ),
        (
            report.cost,
            limits.cost_budget,
            "cost",
            "The operation would cost too much (budget {}); ask for fewer items per page or fewer fields.",
        ),
        (
            report.repeated_fields,
            limits.max_repeated_fields,
            "repeatedFields",
            "The operation selects fields it already selected at the same level too often (at most {} "
            "repeats); select each once.",
        ),
    )
    for measured, maximum, name, message in checks:
        if measured > maximum:
            raise OperationRejected(message.format(maximum), limit=name)


def _root_type(schema: GraphQLSchema, kind: OperationType) -> GraphQLObjectType | None:
    if kind is OperationType.MUTATION:
        return schema.mutation_type
    if kind is OperationType.SUBSCRIPTION:
        return schema.subscription_type
    return schema.query_type


def _literal(node: object) -> Any:
    return int(node.value) if isinstance(node, IntValueNode) else None
