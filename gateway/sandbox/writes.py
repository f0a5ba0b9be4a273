"""POST, PATCH and DELETE on an API route, generically over the EDMX, plus each set's ``Rules``.

Capabilities come from the EDMX (Insertable/Updatable/Deletable), read-only properties from
``readonly.py``, optimistic concurrency from ``If-Match`` against the row's ``@odata.etag``.  Every
change goes through an undo journal, so a write that fails part-way (a deep insert whose last line is
refused) leaves nothing behind, and a snapshot ``$batch`` can undo the writes before it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.sandbox.body import bc_timestamp as bc_timestamp
from gateway.sandbox.body import blank_row, parse_body, row_value, unknown_property
from gateway.sandbox.config import ApiRoute
from gateway.sandbox.edm import EntityType, NavigationProperty
from gateway.sandbox.errors import JSON_MEDIA_TYPE, SandboxError, bad_request
from gateway.sandbox.journal import UndoJournal
from gateway.sandbox.odata.engine import Joiner, build_plan, render
from gateway.sandbox.odata.options import ExpandItem, QueryOptions
from gateway.sandbox.odata.serialize import dumps, etag
from gateway.sandbox.readonly import FIXED_AFTER_INSERT, is_read_only, read_only_message
from gateway.sandbox.reads import ODATA_HEADERS, api_root
from gateway.sandbox.requestlog import RequestRecord
from gateway.sandbox.resolve import Resolver, Target, parse_path, with_company
from gateway.sandbox.rules import NO_RULES, WriteContext
from gateway.sandbox.state import Sandbox
from gateway.sandbox.store import Row
from gateway.sandbox.webhooks.capture import notify
from gateway.sandbox.webhooks.feed import ChangeType
from gateway.sandbox.writerules import RULES

JOURNAL_SCOPE_KEY = "sandbox.journal"  # a $batch with Isolation: snapshot shares its journal
_CONCURRENCY_MESSAGE = (
    "Could not validate the client concurrency token required by the service. "
    "Please provide a valid token in the client request."
)


WriteHandler = Callable[[Request, Sandbox, ApiRoute, str, RequestRecord], Awaitable[Response]]


def exclusive(handler: WriteHandler) -> WriteHandler:
    """Run ``handler`` holding the sandbox's write lock, unless a snapshot batch already holds it."""

    async def locked(
        request: Request, sandbox: Sandbox, route: ApiRoute, resource: str, record: RequestRecord
    ) -> Response:
        if JOURNAL_SCOPE_KEY in request.scope:
            return await handler(request, sandbox, route, resource, record)
        async with sandbox.write_lock:
            return await handler(request, sandbox, route, resource, record)

    return locked


@exclusive
async def create(
    request: Request, sandbox: Sandbox, route: ApiRoute, resource: str, record: RequestRecord
) -> Response:
    body = parse_body(await request.body())
    resolver, target, segments = _resolve(request, sandbox, route, resource, record)
    if target.single or target.company_id is None:
        raise method_not_allowed("POST", target.entity_set, single=target.single)
    _require(resolver, target.entity_set, "POST")
    parent: Row | None = None
    navigation: NavigationProperty | None = None
    if target.contained:
        parent_target = resolver.resolve(segments[:-1], _joiner(resolver, target.company_id))
        parent = parent_target.rows[0]
        navigation = parent_target.entity.navigation[segments[-1].name]
    ctx = _context(request, sandbox, route, target.company_id, resolver)
    row, created = _atomically(ctx, lambda: insert(ctx, target.entity_set, body, parent, navigation))
    key = row[target.entity.key[0]]
    root = api_root(request, route)
    location = f"{root}/companies({target.company_id})/{target.entity_set}({key})"
    expand = QueryOptions(expand=tuple(ExpandItem(name, QueryOptions()) for name in created))
    context = f"{root}/$metadata#companies({target.company_id})/{target.entity_set}/$entity"
    # The inline children are the rows just created: no need to index their whole table.
    children = {
        ctx.model.set_for_type(target.entity.navigation[n].target_type): rows for n, rows in created.items()
    }
    plan = build_plan(expand, target.entity, resolver.model, schema_21=False)
    rendered = render(row, plan, Joiner(lambda entity_set: children.get(entity_set, [])))
    headers = {"Location": location, "ETag": etag(row)}
    return _json({"@odata.context": context, **rendered}, 201, headers)


@exclusive
async def update(
    request: Request, sandbox: Sandbox, route: ApiRoute, resource: str, record: RequestRecord
) -> Response:
    body = parse_body(await request.body())
    resolver, target, _ = _resolve(request, sandbox, route, resource, record)
    if not target.single or target.company_id is None:
        raise method_not_allowed("PATCH", target.entity_set, single=False)
    _require(resolver, target.entity_set, "PATCH")
    row = target.rows[0]
    check_if_match(request.headers.get("if-match"), row)
    changes = _changes(resolver, target, row, body)
    ctx = _context(request, sandbox, route, target.company_id, resolver)
    rules = RULES.get(target.entity_set, NO_RULES)

    def apply() -> None:
        derived = rules.on_update(ctx, row, changes)
        stamp = (
            {"lastModifiedDateTime": ctx.now} if "lastModifiedDateTime" in target.entity.properties else {}
        )
        ctx.journal.update(row, {**changes, **derived, **stamp})
        rules.after_change(ctx, row)
        notify(ctx, target.entity_set, row, ChangeType.UPDATED)

    _atomically(ctx, apply)
    context = f"{api_root(request, route)}/$metadata#{target.collection_path}/$entity"
    rendered = _render(resolver, target.company_id, target.entity, row, QueryOptions())
    return _json({"@odata.context": context, **rendered}, 200, {"ETag": etag(row)})


@exclusive
async def delete(
    request: Request, sandbox: Sandbox, route: ApiRoute, resource: str, record: RequestRecord
) -> Response:
    resolver, target, _ = _resolve(request, sandbox, route, resource, record)
    if not target.single or target.company_id is None:
        raise method_not_allowed("DELETE", target.entity_set, single=False)
    _require(resolver, target.entity_set, "DELETE")
    row = target.rows[0]
    check_if_match(request.headers.get("if-match"), row)
    ctx = _context(request, sandbox, route, target.company_id, resolver)
    _atomically(ctx, lambda: remove(ctx, target.entity_set, row))
    return Response(status_code=204, headers=ODATA_HEADERS)


def insert(
    ctx: WriteContext,
    entity_set: str,
    body: dict[str, Any],
    parent: Row | None,
    navigation: NavigationProperty | None,
) -> tuple[Row, dict[str, list[Row]]]:
    """Store a new row of ``entity_set`` (and, deep insert, its contained children); return it and
    its children per navigation property they were given through."""
    entity = ctx.model.entity_type_of(entity_set)
    given, nested = _split_body(ctx, entity_set, entity, body)
    row = blank_row(entity, ctx.model)
    row.update(given)
    if parent is not None and navigation is not None:
        for source, target in navigation.constraints:
            row[target] = parent[source]
    table = ctx.table(entity_set)
    key = entity.key[0]
    if given.get(key) in (None, "00000000-0000-0000-0000-000000000000"):
        row[key] = str(uuid.uuid4())
    elif any(str(r.get(key)) == row[key] for r in table):
        raise SandboxError(
            400,
            "Internal_EntityWithSameKeyExists",
            f"The {entity.name} already exists. Identification fields and values: Id='{row[key]}'",
        )
    if "lastModifiedDateTime" in entity.properties:
        row["lastModifiedDateTime"] = ctx.now
    rules = RULES.get(entity_set, NO_RULES)
    rules.on_insert(ctx, row, given, parent)
    ctx.journal.insert(table, row)
    rules.after_insert(ctx, row)
    notify(ctx, entity_set, row, ChangeType.CREATED)
    created: dict[str, list[Row]] = {}
    for name, items in nested.items():
        child_navigation = entity.navigation[name]
        child_set = ctx.model.set_for_type(child_navigation.target_type)
        if child_set is None:
            raise unknown_property(name, entity)
        created[name] = []
        for item in items:
            if not isinstance(item, dict):
                raise bad_request("Invalid Request Body")
            created[name].append(insert(ctx, child_set, item, row, child_navigation)[0])
    return row, created


def remove(ctx: WriteContext, entity_set: str, row: Row) -> None:
    """Delete ``row`` and the rows it contains (an order's lines)."""
    entity = ctx.model.entity_type_of(entity_set)
    for navigation in entity.navigation.values():
        child_set = ctx.model.set_for_type(navigation.target_type)
        if not (
            navigation.collection and navigation.contains_target and navigation.constraints and child_set
        ):
            continue
        children = ctx.table(child_set)
        for child in [c for c in children if _joined(navigation, row, c)]:
            ctx.journal.delete(children, child)
    ctx.journal.delete(ctx.table(entity_set), row)
    RULES.get(entity_set, NO_RULES).after_change(ctx, row)
    notify(ctx, entity_set, row, ChangeType.DELETED)


def check_if_match(header: str | None, row: Row) -> None:
    """PATCH and DELETE need ``If-Match``: ``*`` or the row's current ETag (REFERENCE §3.4)."""
    if header is None or not header.strip():
        raise SandboxError(400, "BadRequest_InvalidToken", _CONCURRENCY_MESSAGE)
    tags = [t.strip() for t in header.split(",")]
    if "*" in tags:
        return
    if any('"' not in t for t in tags):
        raise SandboxError(400, "BadRequest_InvalidToken", _CONCURRENCY_MESSAGE)
    current = _opaque(etag(row))
    if all(_opaque(t) != current for t in tags):
        raise SandboxError(409, "Request_EntityChanged", "Another user has already changed the record.")


def method_not_allowed(method: str, entity_set: str, *, single: bool) -> SandboxError:
    kind = "Entity" if single else "EntitySet"
    return SandboxError(
        405,
        "BadRequest_MethodNotAllowed",
        f"'{method}' requests for '{entity_set}' of EdmType '{kind}' are not allowed within "
        "Microsoft Dynamics 365 Business Central OData web services.",
    )


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/").strip('"')


def _joined(navigation: NavigationProperty, parent: Row, child: Row) -> bool:
    return all(
        str(parent.get(s, "")).lower() == str(child.get(t, "")).lower() for s, t in navigation.constraints
    )


def _split_body(
    ctx: WriteContext, entity_set: str, entity: EntityType, body: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    given: dict[str, Any] = {}
    nested: dict[str, list[Any]] = {}
    for name, raw in body.items():
        if name.startswith("@odata."):
            continue
        navigation = entity.navigation.get(name)
        if navigation is not None and navigation.collection and navigation.contains_target:
            if not isinstance(raw, list):
                raise bad_request("Invalid Request Body")
            nested[name] = raw
            continue
        prop = entity.properties.get(name)
        if prop is None:
            raise unknown_property(name, entity)
        if name not in entity.key and is_read_only(entity_set, name):
            raise SandboxError(400, "BadRequest_InvalidOperation", read_only_message(name))
        given[name] = row_value(prop, raw, ctx.model)
    return given, nested


def _changes(resolver: Resolver, target: Target, row: Row, body: dict[str, Any]) -> dict[str, Any]:
    entity = target.entity
    fixed = FIXED_AFTER_INSERT.get(target.entity_set, {})
    changes: dict[str, Any] = {}
    for name, raw in body.items():
        if name.startswith("@odata."):
            continue
        if name in entity.navigation:
            # BC has no deep update (REFERENCE §3.5).
            raise bad_request(
                "Deep update is not supported. Update the nested entities with separate requests."
            )
        prop = entity.properties.get(name)
        if prop is None:
            raise unknown_property(name, entity)
        if name in entity.key or is_read_only(target.entity_set, name):
            raise SandboxError(400, "BadRequest_InvalidOperation", read_only_message(name))
        value = row_value(prop, raw, resolver.model)
        if name in fixed and value != row.get(name):
            raise SandboxError(400, "Application_DialogException", fixed[name])
        changes[name] = value
    return changes


def _resolve(
    request: Request, sandbox: Sandbox, route: ApiRoute, resource: str, record: RequestRecord
) -> tuple[Resolver, Target, list[Any]]:
    if not resource or resource == "$metadata":
        raise method_not_allowed(request.method, resource or "the service root", single=False)
    segments = with_company(parse_path(resource), request.query_params.get("company"), sandbox.store)
    record.entity_set = segments[-1].name
    resolver = sandbox.resolver(route)
    target = resolver.resolve(segments, _joiner(resolver, segments[0].key))
    record.entity_set = target.entity_set
    return resolver, target, segments


def _require(resolver: Resolver, entity_set: str, method: str) -> None:
    declared = resolver.model.entity_sets.get(entity_set)
    allowed = (
        declared is not None
        and {
            "POST": declared.insertable,
            "PATCH": declared.updatable,
            "DELETE": declared.deletable,
        }[method]
    )
    if not allowed:
        raise method_not_allowed(method, entity_set, single=method != "POST")


def _context(
    request: Request, sandbox: Sandbox, route: ApiRoute, company_id: str, resolver: Resolver
) -> WriteContext:
    journal = request.scope.get(JOURNAL_SCOPE_KEY)
    return WriteContext(
        store=sandbox.store,
        model=resolver.model,
        route=route.route,
        company_id=company_id,
        journal=journal if isinstance(journal, UndoJournal) else UndoJournal(),
        today=sandbox.config.today or dt.date.today(),
        now=bc_timestamp(sandbox.now()),
        webhooks=sandbox.webhooks,
    )


def _atomically(ctx: WriteContext, work: Any) -> Any:
    mark = ctx.journal.mark()
    try:
        return work()
    except BaseException:
        ctx.journal.rollback(mark)
        raise


def _joiner(resolver: Resolver, company_id: str | None) -> Joiner:
    return Joiner(
        lambda entity_set: resolver.read_table(company_id, entity_set) if company_id else None,
        resolver.indexes,
    )


def _render(
    resolver: Resolver, company_id: str, entity: EntityType, row: Row, options: QueryOptions
) -> dict[str, Any]:
    plan = build_plan(options, entity, resolver.model, schema_21=False)
    return render(row, plan, _joiner(resolver, company_id))


def _json(body: dict[str, Any], status: int, headers: dict[str, str]) -> Response:
    return Response(
        dumps(body), status_code=status, media_type=JSON_MEDIA_TYPE, headers={**ODATA_HEADERS, **headers}
    )
