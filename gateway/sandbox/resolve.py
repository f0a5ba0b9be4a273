"""Resource paths under an API route (``companies(id)/salesOrders(id)/salesOrderLines``) to rows."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.sandbox.edm import EdmModel, EntityType
from gateway.sandbox.errors import SandboxError, not_found_segment, query_syntax
from gateway.sandbox.indexes import TableIndexes
from gateway.sandbox.odata.engine import Joiner
from gateway.sandbox.odata.values import is_guid
from gateway.sandbox.store import Row, SandboxStore

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<key>[^()]*)\))?$")


@dataclass(frozen=True)
class Segment:
    name: str
    key: str | None  # lowercase GUID


@dataclass(frozen=True)
class Target:
    """What a path addresses: rows of one entity type, one entity or a collection."""

    entity_set: str  # the set the rows belong to
    entity: EntityType
    rows: list[Row]
    single: bool
    company_id: str | None
    collection_path: str  # e.g. "companies(<id>)/salesOrders(<id>)/salesOrderLines"
    contained: bool  # reached through a parent entity's navigation property
    key: str | None = None  # set when a key segment picked the one entity

    @property
    def context(self) -> str:
        """The part after "$metadata#" in @odata.context."""
        return f"{self.collection_path}/$entity" if self.single else self.collection_path

    @property
    def entity_path(self) -> str:
        return f"{self.collection_path}({self.key})" if self.key else self.collection_path


@dataclass
class Resolver:
    model: EdmModel
    store: SandboxStore
    route: str
    served: frozenset[str]  # entity sets (besides companies) with a table in the store
    company_type: EntityType  # from the route's EDMX, or the standard one if the route lacks it
    indexes: TableIndexes | None = None  # the sandbox's kept lookups; None: read tables through

    def read_table(self, company_id: str, entity_set: str) -> list[Row] | None:
        if entity_set not in self.served:
            return None
        return self.store.table(company_id, self.route, entity_set)

    def resolve(self, segments: list[Segment], joiner: Joiner) -> Target:
        first = segments[0]
        if first.name != "companies":
            raise not_found_segment(first.name)
        companies = self.company_type
        if first.key is None:
            if len(segments) > 1:
                raise not_found_segment(segments[1].name)
            return Target("companies", companies, list(self.store.companies), False, None, "companies", False)
        company = self.store.company(first.key)
        if company is None:
            raise SandboxError(404, "Internal_CompanyNotFound", f"The company '{first.key}' does not exist.")
        if len(segments) == 1:
            return Target("companies", companies, [company], True, first.key, "companies", False, first.key)
        return self._within_company(first.key, segments[1:], joiner)

    def _within_company(self, company_id: str, segments: list[Segment], joiner: Joiner) -> Target:
        head = segments[0]
        if (
            head.name == "companies"
            or head.name not in self.served
            or head.name not in self.model.entity_sets
        ):
            raise not_found_segment(head.name)
        entity = self.model.entity_type_of(head.name)
        rows = self.read_table(company_id, head.name) or []
        path = f"companies({company_id})/{head.name}"
        target = Target(head.name, entity, rows, False, company_id, path, False)
        target = _keyed(target, head, self.indexes)
        for segment in segments[1:]:
            target = self._navigate(target, segment, joiner)
        return target

    def _navigate(self, parent: Target, segment: Segment, joiner: Joiner) -> Target:
        navigation = parent.entity.navigation.get(segment.name)
        entity = self.model.entity_types.get(navigation.target_type) if navigation else None
        if not parent.single or navigation is None or entity is None:
            raise not_found_segment(segment.name)
        entity_set = self.model.set_for_type(navigation.target_type) or segment.name
        rows = joiner.children(navigation, entity_set, parent.rows[0])
        context = f"{parent.entity_path}/{segment.name}"
        target = Target(entity_set, entity, rows, not navigation.collection, parent.company_id, context, True)
        if not navigation.collection and not rows:
            raise _record_not_found(segment.name)
        return _keyed(target, segment)


def with_company(segments: list[Segment], company: str | None, store: SandboxStore) -> list[Segment]:
    """BC's other addressing form, ``customers?company=<id or name>``, as ``companies(<id>)/customers``."""
    if company is None or segments[0].name == "companies":
        return segments
    if is_guid(company):
        return [Segment("companies", company.lower()), *segments]
    match = next((c for c in store.companies if company in (c.get("name"), c.get("displayName"))), None)
    if match is None:
        raise SandboxError(404, "Internal_CompanyNotFound", f"The company '{company}' does not exist.")
    return [Segment("companies", str(match["id"]).lower()), *segments]


def parse_path(path: str) -> list[Segment]:
    """Split a resource path into segments; keys must be unquoted GUIDs, as in BC's API v2.0."""
    segments = []
    for raw in path.strip("/").split("/"):
        match = _SEGMENT.match(raw)
        if match is None:
            raise not_found_segment(raw)
        key = match.group("key")
        if key is not None and not is_guid(key):
            raise query_syntax(f"'{key}' is not a valid key: expected an unquoted GUID.")
        segments.append(Segment(match.group("name"), key.lower() if key is not None else None))
    return segments


def _keyed(target: Target, segment: Segment, indexes: TableIndexes | None = None) -> Target:
    if segment.key is None:
        return target
    if target.single:
        raise not_found_segment(f"{segment.name}({segment.key})")
    key = target.entity.key[0]
    rows = indexes.rows(target.rows, (key,), [(segment.key,)]) if indexes is not None else target.rows
    row = next((r for r in rows if str(r.get(key, "")).lower() == segment.key), None)
    if row is None:
        raise _record_not_found(segment.name)
    return Target(
        target.entity_set,
        target.entity,
        [row],
        True,
        target.company_id,
        target.collection_path,
        target.contained,
        segment.key,
    )


def _record_not_found(name: str) -> SandboxError:
    return SandboxError(404, "Internal_RecordNotFound", f"The '{name}' record does not exist.")
