"""GET on an API route: $metadata, the service document, collections and single entities."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.sandbox.config import ApiRoute
from gateway.sandbox.errors import JSON_MEDIA_TYPE, SandboxError
from gateway.sandbox.media import media_response
from gateway.sandbox.metadata_doc import metadata_document
from gateway.sandbox.odata.engine import Joiner, Plan, build_plan, narrowed, query_rows, render
from gateway.sandbox.odata.filter import parse_filter, referenced_fields
from gateway.sandbox.odata.options import QueryOptions, parse_options
from gateway.sandbox.odata.paging import encode_skiptoken, page_of, requested_page_size
from gateway.sandbox.odata.serialize import dumps
from gateway.sandbox.requestlog import RequestRecord
from gateway.sandbox.resolve import Target, parse_path, with_company
from gateway.sandbox.state import Sandbox

# Line collections whose AL page refuses a read without a parent (REFERENCE §6.5).
LINES_NEED_PARENT = frozenset(
    {
        "salesOrderLines",
        "salesInvoiceLines",
        "salesCreditMemoLines",
        "salesQuoteLines",
        "purchaseOrderLines",
        "purchaseInvoiceLines",
        "purchaseCreditMemoLines",
    }
)
LINES_NEED_PARENT_MESSAGE = "You must specify an Id or a Document Id to get the lines."
ODATA_HEADERS = {"OData-Version": "4.0"}


def api_root(request: Request, route: ApiRoute) -> str:
    params = request.path_params
    return f"{request.base_url}v2.0/{params['tenant']}/{params['environment']}/api/{route.route}"


async def read(
    request: Request, sandbox: Sandbox, route: ApiRoute, resource: str, record: RequestRecord
) -> Response:
    if resource == "$metadata":
        document = metadata_document(route.metadata_path, sandbox.served_sets(route), route.extensions)
        return Response(document, media_type="application/xml; charset=utf-8", headers=ODATA_HEADERS)
    if not resource:
        return _json(_service_document(request, sandbox, route))
    params = request.query_params
    record.filter = params.get("$filter")
    segments = with_company(parse_path(resource), params.get("company"), sandbox.store)
    record.entity_set = segments[-1].name  # until resolution names the set a navigation leads to
    schema_21 = params.get("$schemaversion") == "2.1"
    options = parse_options(params)
    resolver = sandbox.resolver(route)
    company_id = segments[0].key
    joiner = Joiner(
        lambda entity_set: resolver.read_table(company_id, entity_set) if company_id else None,
        sandbox.indexes,
    )
    media = media_response(request, route.route, api_root(request, route), segments, resolver, joiner, record)
    if media is not None:
        return media
    target = resolver.resolve(segments, joiner)
    record.entity_set = target.entity_set
    plan = build_plan(options, target.entity, resolver.model, schema_21=schema_21)
    _require_parent(target, options, schema_21)
    context = f"{api_root(request, route)}/$metadata#{_context(target, options)}"
    if target.single:
        record.rows = 1
        return _json({"@odata.context": context, **render(target.rows[0], plan, joiner)})
    return _collection(request, sandbox, target, plan, joiner, context, record)


def _collection(
    request: Request,
    sandbox: Sandbox,
    target: Target,
    plan: Plan,
    joiner: Joiner,
    context: str,
    record: RequestRecord,
) -> Response:
    # A collection of the company is its table: let an index find the rows the filter can keep.
    candidates = target.rows if target.contained else narrowed(target.rows, plan, sandbox.indexes)
    rows = query_rows(candidates, plan, window=False)
    page = page_of(
        rows,
        top=plan.top,
        skip=plan.skip,
        skiptoken=request.query_params.get("$skiptoken"),
        preferred=requested_page_size(request.headers.get("prefer")),
        default_size=sandbox.config.default_page_size,
        max_size=sandbox.config.max_page_size,
    )
    record.rows = len(page.rows)
    body: dict[str, Any] = {"@odata.context": context, "value": [render(r, plan, joiner) for r in page.rows]}
    if page.next_offset is not None:
        next_url = request.url.include_query_params(**{"$skiptoken": encode_skiptoken(page.next_offset)})
        body["@odata.nextLink"] = str(next_url)
    headers = {}
    if page.applied_page_size is not None:
        headers["Preference-Applied"] = f"odata.maxpagesize={page.applied_page_size}"
    return _json(body, headers)


def _require_parent(target: Target, options: QueryOptions, schema_21: bool) -> None:
    if target.entity_set not in LINES_NEED_PARENT or target.single or target.contained:
        return
    fields = referenced_fields(parse_filter(options.filter), schema_21=schema_21) if options.filter else set()
    if not fields & {"documentId", "id"}:
        raise SandboxError(400, "Application_DialogException", LINES_NEED_PARENT_MESSAGE)


def _context(target: Target, options: QueryOptions) -> str:
    if options.select is None:
        return target.context
    selected = f"{target.collection_path}({','.join(options.select)})"
    return f"{selected}/$entity" if target.single else selected


def _service_document(request: Request, sandbox: Sandbox, route: ApiRoute) -> dict[str, Any]:
    sets = sorted(sandbox.served_sets(route))
    return {
        "@odata.context": f"{api_root(request, route)}/$metadata",
        "value": [{"name": s, "kind": "EntitySet", "url": s} for s in sets],
    }


def _json(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(body), media_type=JSON_MEDIA_TYPE, headers={**ODATA_HEADERS, **(headers or {})})
