"""Query options applied to rows: a ``Plan`` (validated, $filter compiled once) run over a table.

Navigation is joined through the navigation property's referential constraints; each child table is
indexed once per request, so ``$expand`` costs O(parents + children).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.sandbox.edm import EdmModel, EntityType, NavigationProperty, Property
from gateway.sandbox.errors import no_property
from gateway.sandbox.indexes import TableIndexes
from gateway.sandbox.odata.filter import KeyCondition, Predicate, compile_filter
from gateway.sandbox.odata.options import OrderKey, QueryOptions
from gateway.sandbox.odata.serialize import etag
from gateway.sandbox.odata.values import sort_key
from gateway.sandbox.store import Row

TableReader = Callable[[str], list[Row] | None]  # entity set → rows, None when not served


@dataclass(frozen=True)
class ExpandPlan:
    navigation: NavigationProperty
    target_set: str | None
    plan: Plan


@dataclass(frozen=True)
class Plan:
    entity: EntityType
    predicate: Predicate | None
    select: tuple[str, ...]
    orderby: tuple[OrderKey, ...]
    top: int | None
    skip: int | None
    expand: tuple[ExpandPlan, ...]
    keys: tuple[KeyCondition, ...] = ()  # conditions an index can answer (the filter still applies)


def build_plan(options: QueryOptions, entity: EntityType, model: EdmModel, *, schema_21: bool) -> Plan:
    """Validate ``options`` against ``entity`` (BC's errors for unknown names) and compile $filter."""
    for name in (*(options.select or ()), *(k.property for k in options.orderby)):
        if name not in entity.properties:
            raise no_property(name, entity.qualified_name)
    compiled = compile_filter(options.filter, entity, schema_21=schema_21) if options.filter else None
    expand = tuple(
        _expand_plan(item.navigation, item.options, entity, model, schema_21) for item in options.expand
    )
    return Plan(
        entity=entity,
        predicate=compiled.predicate if compiled else None,
        keys=compiled.keys if compiled else (),
        # A media stream is no JSON value: it is read at its own URL (gateway/sandbox/media.py).
        select=options.select or tuple(n for n, p in entity.properties.items() if p.type != "Edm.Stream"),
        orderby=options.orderby,
        top=options.top,
        skip=options.skip,
        expand=expand,
    )


def _expand_plan(
    name: str, options: QueryOptions, entity: EntityType, model: EdmModel, schema_21: bool
) -> ExpandPlan:
    navigation = entity.navigation.get(name)
    target = model.entity_types.get(navigation.target_type) if navigation else None
    if navigation is None or target is None:
        raise no_property(name, entity.qualified_name)
    plan = build_plan(options, target, model, schema_21=schema_21)
    return ExpandPlan(navigation, model.set_for_type(navigation.target_type), plan)


def narrowed(table: list[Row], plan: Plan, indexes: TableIndexes) -> Sequence[Row]:
    """The rows of ``table`` that can pass the plan's key conditions, in table order (all of it
    when the filter has none); ``query_rows`` still applies the whole filter to them."""
    best: Sequence[Row] | None = None
    for condition in plan.keys:
        candidates = indexes.rows(table, (condition.field,), [(value,) for value in condition.values])
        if best is None or len(candidates) < len(best):
            best = candidates
    return table if best is None else best


def query_rows(rows: Sequence[Row], plan: Plan, *, window: bool = True) -> list[Row]:
    """Filter and sort; with ``window``, also apply $skip and $top."""
    selected = [r for r in rows if plan.predicate(r)] if plan.predicate else list(rows)
    for key in reversed(plan.orderby):  # stable sorts, last key first, give a multi-key order
        prop = plan.entity.properties[key.property]
        selected.sort(key=_sort_key_of(prop), reverse=key.descending)
    if window:
        start = plan.skip or 0
        selected = selected[start : None if plan.top is None else start + plan.top]
    return selected


def _sort_key_of(prop: Property) -> Callable[[Row], tuple[bool, Any]]:
    return lambda row: sort_key(prop, row.get(prop.name))


@dataclass
class Joiner:
    """Children of a navigation property for any parent row: from the sandbox's kept ``indexes``,
    or without them (rows that are no store table) one index per (set, key) per request."""

    read_table: TableReader
    indexes: TableIndexes | None = None
    _indexes: dict[tuple[str, tuple[str, ...]], dict[tuple[Any, ...], list[Row]]] = field(
        default_factory=dict
    )

    def children(self, navigation: NavigationProperty, target_set: str | None, parent: Row) -> list[Row]:
        if not navigation.constraints or target_set is None:
            return []
        source = tuple(s for s, _ in navigation.constraints)
        target = tuple(t for _, t in navigation.constraints)
        if self.indexes is not None:
            table = self.read_table(target_set)
            return self.indexes.rows(table, target, [tuple(parent.get(s) for s in source)]) if table else []
        index = self._index(target_set, target)
        return index.get(tuple(_key(parent.get(s)) for s in source), [])

    def _index(self, entity_set: str, keys: tuple[str, ...]) -> dict[tuple[Any, ...], list[Row]]:
        cached = self._indexes.get((entity_set, keys))
        if cached is None:
            cached = {}
            for row in self.read_table(entity_set) or []:
                cached.setdefault(tuple(_key(row.get(k)) for k in keys), []).append(row)
            self._indexes[(entity_set, keys)] = cached
        return cached


def _key(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def render(row: Row, plan: Plan, joiner: Joiner) -> dict[str, Any]:
    """One entity in BC's JSON shape, with its expanded navigation properties."""
    out: dict[str, Any] = {"@odata.etag": etag(row)}
    for name in plan.select:
        out[name] = row.get(name)
    for item in plan.expand:
        children = query_rows(joiner.children(item.navigation, item.target_set, row), item.plan)
        rendered = [render(child, item.plan, joiner) for child in children]
        out[item.navigation.name] = (
            rendered if item.navigation.collection else (rendered[0] if rendered else None)
        )
    return out
