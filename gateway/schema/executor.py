"""Strawberry's executor, with the per-field work that plain fields do not need left out.

Most fields of an answer are plain (``gateway/schema/plain_fields.py``): an attribute of a schema
object with no resolver, no arguments and no extension (``SalesOrderLine.quantity``,
``Money.amount``, ``Address.city``).  graphql-core resolves each of them as it would any field —
a resolve-info tuple, Strawberry's resolver wrapper, then the completion dispatch — which is most
of an answer's CPU: a page of 1,000 orders × 10 lines holds 100,000 such fields.

:class:`PlainFieldExecutor` reads such a field straight off its object.  A list of objects, or an
object, whose whole sub-selection is plain is written by a function compiled
for that selection (``gateway/schema/compiled.py``), and kept for the next execution of the same
document when nothing the selection holds depends on the variables; a scalar or enum (or a list of them) is
coerced with its type's ``coerce_output_value``; a plain object whose selection is not all plain
goes straight to its sub-fields.  Anything else — a resolver, a null where the schema promises a
value, a value the type refuses — takes graphql-core's own path for the whole field, which
resolves or reports it exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from graphql import FieldNode, GraphQLObjectType, Node, OperationDefinitionNode, Undefined
from graphql.execution.collect_fields import FieldDetailsList
from graphql.language import BREAK, Visitor, visit
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.schema.compiled import Complete, compile_list, compile_selection
from gateway.schema.plain_fields import NOT_AHEAD, Leaf, Object, ObjectList, plain_field

_NOT_PLAIN: Final = object()
_KEPT_SELECTIONS: Final = 4096  # compiled selections kept across executions (then all forgotten)
_KEPT_OPERATIONS: Final = 1024  # operations whose "fixed selections" verdict is kept

_Selection = tuple[GraphQLObjectType, ObjectList | None, tuple[int, ...]]
# Across executions: the pipeline keeps each parsed document (``gateway/edge/documents.py``), so
# a repeated operation's field nodes are the same objects, and a selection that no variable can
# change (``_fixed_selections``) collects and compiles the same every time.  Keyed by the
# identity of its field nodes, which the entry keeps alive so that no other node takes their id.
_compiled_selections: dict[_Selection, tuple[tuple[FieldNode, ...], Complete | None]] = {}
_fixed_operations: dict[int, tuple[OperationDefinitionNode, bool]] = {}


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context; plain fields are read without a resolver call each."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per field selection, as graphql-core memoises collected sub-fields: keyed by the
        # identity of the field details list, which the entry keeps alive.
        self._compiled: dict[tuple[GraphQLObjectType, int], tuple[FieldDetailsList, Complete | None]] = {}

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        plain = plain_field(parent_type, field_details_list[0].node.name.value)
        if plain is not None and not self.middleware_manager:
            value = getattr(source, plain.attribute, None)
            if value is None:
                if plain.nullable:
                    return None
            elif value is NOT_AHEAD:
                pass  # only the resolver can answer
            elif isinstance(plain, Leaf):
                coerced = _coerced(plain, value)
                if coerced is not _NOT_PLAIN:
                    return coerced
            elif isinstance(plain, ObjectList):
                written = self._written(plain.item_type, field_details_list, value, plain)
                if written is not _NOT_PLAIN:
                    return written
            else:
                written = self._written(plain.type, field_details_list, value, None)
                if written is not _NOT_PLAIN:
                    return written
                return self._object(plain, value, field_details_list, path, position_context)
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def _written(
        self,
        type_: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        value: Any,
        list_: ObjectList | None,
    ) -> Any:
        """``value`` written by its selection's compiled function; ``_NOT_PLAIN`` where there is
        none or it refused, for graphql-core's path to complete (or report) it."""
        key = (type_, id(field_details_list))
        cached = self._compiled.get(key)
        if cached is None:
            compiled = self._compile(type_, field_details_list, list_)
            cached = self._compiled[key] = (field_details_list, compiled)
        complete = cached[1]
        if complete is None:
            return _NOT_PLAIN
        try:
            return complete(value)
        except Exception:  # noqa: BLE001 - graphql-core's path completes it and reports what is wrong
            return _NOT_PLAIN

    def _compile(
        self, type_: GraphQLObjectType, field_details_list: FieldDetailsList, list_: ObjectList | None
    ) -> Complete | None:
        """The selection's function, compiled once per document where no variable can change it."""
        fixed = _fixed_selections(self.operation, self.fragment_definitions.values())
        key: _Selection = (type_, list_, tuple(id(details.node) for details in field_details_list))
        kept = _compiled_selections.get(key) if fixed else None
        if kept is not None:
            return kept[1]
        compiled = (
            compile_list(list_, field_details_list, self.collect_subfields)
            if list_ is not None
            else compile_selection(type_, field_details_list, self.collect_subfields)
        )
        if fixed:
            if len(_compiled_selections) >= _KEPT_SELECTIONS:
                _compiled_selections.clear()
            _compiled_selections[key] = (tuple(details.node for details in field_details_list), compiled)
        return compiled

    def _object(
        self, plain: Object, value: Any, field_details_list: FieldDetailsList, path: Path, position: Any
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


def _coerced(leaf: Leaf, value: Any) -> Any:
    """``value`` as the leaf type writes it, or ``_NOT_PLAIN`` for graphql-core to report."""
    try:
        if leaf.is_list:
            items = [leaf.coerce(item) for item in value]
            return _NOT_PLAIN if any(item is None or item is Undefined for item in items) else items
        coerced = leaf.coerce(value)
    except Exception:  # noqa: BLE001 - graphql-core's own path turns it into the field's error
        return _NOT_PLAIN
    return _NOT_PLAIN if coerced is None or coerced is Undefined else coerced


def _fixed_selections(operation: OperationDefinitionNode, fragments: Iterable[Node]) -> bool:
    """Whether every selection of ``operation`` collects the same whatever its variables: it has
    none, or neither it nor its fragments carry a directive (``@skip``/``@include``/``@defer``
    are what variables change).  Worked out once per operation node."""
    kept = _fixed_operations.get(id(operation))
    if kept is not None and kept[0] is operation:
        return kept[1]
    fixed = not operation.variable_definitions or not any(
        _has_directive(node) for node in (operation, *fragments)
    )
    if len(_fixed_operations) >= _KEPT_OPERATIONS:
        _fixed_operations.clear()
    _fixed_operations[id(operation)] = (operation, fixed)
    return fixed


class _DirectiveFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_directive(self, *_: Any) -> Any:
        self.found = True
        return BREAK


def _has_directive(node: Node) -> bool:
    finder = _DirectiveFinder()
    visit(node, finder)
    return finder.found
