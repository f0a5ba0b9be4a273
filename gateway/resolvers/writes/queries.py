"""``submitQuery`` and ``replyToQuery``: customer queries in the portal custom API.

A new query and its first message are one deep insert into ``customerQueries``; a reply is one
``POST customerQueryMessages`` on a query the caller owns.  Same switch, key and audit as orders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from gateway import bc
from gateway.bc import PORTAL_API, Expand, Field, Filter, Query
from gateway.resolvers.context import Context
from gateway.resolvers.writes.guard import (
    allowed,
    idempotency_key,
    once_per_content,
    refuse,
    run_once,
)
from gateway.resolvers.writes.lookup import look_back_start
from gateway.resolvers.writes.orders import safe_message
from gateway.resolvers.writes.reference import portal_reference
from gateway.resolvers.writes.related import OWNERSHIP, is_callers
from gateway.resolvers.writes.results import QueryOutcome, QueryWritten, WriteError, WriteErrorCode

# BC's members (encoded names) a customer may file a query under: the model's enum, less UNKNOWN.
CATEGORIES = frozenset(c.value for c in bc.QueryCategory if c is not bc.QueryCategory.UNKNOWN)


@dataclass(frozen=True)
class NewQuery:
    category: str  # BC's encoded enum member
    subject: str
    message: str
    related_document_type: str | None = None
    related_document_number: str | None = None


async def submit_query(ctx: Context, query: NewQuery, key: str | None) -> QueryOutcome:
    operation = "submitQuery"
    subject, message = query.subject.strip(), query.message.strip()
    payload = {
        "category": query.category,
        "subject": subject,
        "message": message,
        "relatedType": query.related_document_type,
        "relatedNumber": query.related_document_number,
    }
    checked = allowed(ctx, operation, needs_order_scope=False) or idempotency_key(ctx, key)
    if isinstance(checked, WriteError):
        return refuse(ctx, operation, key, checked, payload)
    invalid = _text_problem(ctx, subject, message, with_subject=True) or _related_problem(query)
    if invalid is not None:
        return refuse(ctx, operation, checked, invalid, payload)

    async def perform() -> QueryOutcome:
        if not await _relates_to_callers(ctx, query):
            return WriteError(WriteErrorCode.NOT_FOUND, "No such document of yours to relate the query to.")
        return await _once_per_content(ctx, operation, payload, write)

    async def write() -> QueryOutcome:
        # Written before, its answer lost (and perhaps the gateway restarted since)?
        found = await _find_recent(ctx, lambda q: _is_submission(q, query, subject, message))
        if found is not None:
            return QueryWritten(found)
        body = bc.body(
            bc.CustomerQuery,
            customer_number=ctx.bc.scope.customer_number,
            category=bc.QueryCategory(query.category),
            subject=subject,
            related_document_type=bc.QueryDocumentType(query.related_document_type or "_x0020_"),
            related_document_number=query.related_document_number or "",
            messages=[_message(ctx, message)],
        )
        created = await _write(ctx, "customerQueries", body, _affinity(ctx, checked))
        if isinstance(created, WriteError):
            return await _recover(ctx, created, lambda q: _is_submission(q, query, subject, message))
        return await _written(ctx, str(created["id"]))

    return await run_once(
        ctx,
        operation=operation,
        key=checked,
        payload=payload,
        perform=_reachable(perform),
        document_number=_number,
    )


async def reply_to_query(ctx: Context, number: str, message: str, key: str | None) -> QueryOutcome:
    operation = "replyToQuery"
    text = message.strip()
    payload = {"query": number, "message": text}
    checked = allowed(ctx, operation, needs_order_scope=False) or idempotency_key(ctx, key)
    if isinstance(checked, WriteError):
        return refuse(ctx, operation, key, checked, payload)
    invalid = _text_problem(ctx, "", text, with_subject=False)
    # A number BC would read as a filter pattern ("CQ-0002*") names no query: refused before BC.
    if invalid is None and (not 1 <= len(number) <= 20 or bc.al_operator_in(number)):
        invalid = WriteError(WriteErrorCode.NOT_FOUND, "No such query of yours.")
    if invalid is not None:
        return refuse(ctx, operation, checked, invalid, payload)

    async def write() -> QueryOutcome:
        since = look_back_start(ctx)
        found = await _find_recent(ctx, lambda q: _has_reply(q, number, text, since))
        if found is not None:
            return QueryWritten(found)
        parent = _mine(ctx, Query("customerQueries", filter=Field("number").eq(number), select=("id",)))
        try:
            created = await ctx.bc.create_under(
                parent,
                "customerQueryMessages",
                _message(ctx, text),
                route=PORTAL_API,
                affinity=_affinity(ctx, checked),
            )
        except bc.BCNotFound:
            return WriteError(WriteErrorCode.NOT_FOUND, "No such query of yours.")
        except bc.BCError as error:
            return await _recover(ctx, _failed(error), lambda q: _has_reply(q, number, text, since))
        return await _written(ctx, str(created["queryId"]))

    async def perform() -> QueryOutcome:
        return await _once_per_content(ctx, operation, payload, write)

    return await run_once(
        ctx,
        operation=operation,
        key=checked,
        payload=payload,
        perform=_reachable(perform),
        document_number=_number,
    )


async def _once_per_content(
    ctx: Context, operation: str, payload: dict[str, Any], write: Callable[[], Awaitable[QueryOutcome]]
) -> QueryOutcome:
    """``write`` (which looks for an identical earlier write first) under the caller's claim on
    this content: identical queries or replies sent at once, with different keys, take turns."""
    return await once_per_content(
        ctx,
        operation=operation,
        content=payload,
        perform=write,
        identify=lambda written: str(written.query.id),
        reread=lambda query_id: _read_back(ctx, query_id),
    )


def _reachable(perform: Callable[[], Awaitable[QueryOutcome]]) -> Callable[[], Awaitable[QueryOutcome]]:
    """``perform``, with BC out of reach during its reads answered as ``BC_UNAVAILABLE``."""

    async def run() -> QueryOutcome:
        try:
            return await perform()
        except (bc.BCThrottled, bc.BCTimeout, bc.BCTransportError, bc.BCUnavailable) as error:
            return _failed(error)

    return run


async def _find_recent(ctx: Context, matches: Callable[[bc.CustomerQuery], bool]) -> bc.CustomerQuery | None:
    """The caller's query, active in the look-back window, that already holds this write.

    Queries carry no gateway reference (the portal API has no field for one), so a write is
    recognised by its content: the same subject, category and first message, or the same reply,
    from the customer within the window.  Compared here, never in ``$filter``: the text is the
    customer's (REFERENCE.md §14).
    """
    found = await _threads(ctx, Field("lastModifiedDateTime").ge(look_back_start(ctx)))
    return next((q for q in found if matches(q)), None)


async def _recover(
    ctx: Context, error: WriteError, matches: Callable[[bc.CustomerQuery], bool]
) -> QueryOutcome:
    """After an ambiguous failure, the write may have landed: look before answering."""
    if error.code is not WriteErrorCode.BC_UNAVAILABLE:
        return error
    try:
        found = await _find_recent(ctx, matches)
    except (bc.BCThrottled, bc.BCTimeout, bc.BCTransportError, bc.BCUnavailable):
        return error
    return QueryWritten(found) if found is not None else error


def _customer_messages(query: bc.CustomerQuery) -> list[bc.CustomerQueryMessage]:
    return [m for m in query.messages or () if m.author_type is bc.QueryAuthorType.CUSTOMER]


def _is_submission(found: bc.CustomerQuery, new: NewQuery, subject: str, message: str) -> bool:
    first = sorted(found.messages or (), key=lambda m: m.sequence)[:1]
    return (
        found.subject == subject
        and found.category.value == new.category
        and (found.related_document_number or None) == new.related_document_number
        and [(m.author_type, m.body) for m in first] == [(bc.QueryAuthorType.CUSTOMER, message)]
    )


def _has_reply(found: bc.CustomerQuery, number: str, text: str, since: datetime) -> bool:
    return found.number == number and any(
        m.body == text and m.created_date_time is not None and m.created_date_time >= since
        for m in _customer_messages(found)[1:]
    )


def _affinity(ctx: Context, key: str) -> str:
    """Every retry with one key writes through the same BC principal (as orders do)."""
    return portal_reference(ctx.membership.company_id, ctx.membership.customer_number, key)


async def _write(
    ctx: Context, entity_set: str, body: dict[str, Any], affinity: str
) -> dict[str, Any] | WriteError:
    try:
        return await ctx.bc.create(entity_set, body, route=PORTAL_API, affinity=affinity)
    except bc.BCError as error:
        return _failed(error)


def _failed(error: bc.BCError) -> WriteError:
    if isinstance(error, bc.BCRequestRejected):
        return WriteError(
            WriteErrorCode.BC_REJECTED,
            f"Business Central refused the query: {safe_message(error.message)}",
            correlation_id=error.correlation_id,
        )
    if isinstance(error, (bc.BCThrottled, bc.BCTimeout, bc.BCTransportError, bc.BCUnavailable)):
        return WriteError(
            WriteErrorCode.BC_UNAVAILABLE,
            "Business Central did not confirm the query; retry with the same idempotency key.",
            correlation_id=error.correlation_id,
        )
    raise error


def _message(ctx: Context, text: str) -> dict[str, Any]:
    return bc.body(
        bc.CustomerQueryMessage,
        author_type=bc.QueryAuthorType.CUSTOMER,
        author_name=(ctx.identity.display_name or "")[:100],
        body=text,
    )


async def _written(ctx: Context, query_id: str) -> QueryWritten:
    """The query as BC holds it right after the write: number, status and the whole thread."""
    written = await _read_back(ctx, query_id)
    if written is None:  # pragma: no cover - BC just answered 201 for it
        raise bc.BCProtocolError("the query Business Central created cannot be read back")
    return written


async def _read_back(ctx: Context, query_id: str) -> QueryWritten | None:
    """The caller's query with that id as BC holds it now, with its whole thread."""
    found = await _threads(ctx, Field("id").eq(UUID(query_id)))
    return QueryWritten(found[0]) if found else None


async def _threads(ctx: Context, condition: Filter) -> list[bc.CustomerQuery]:
    """The caller's queries that meet ``condition``, each with its whole thread (oldest message first)."""
    query = Query(
        "customerQueries",
        filter=condition,
        select=bc.CustomerQuery.SELECT,
        expand=(
            Expand("customerQueryMessages", select=bc.CustomerQueryMessage.SELECT, orderby=("sequence asc",)),
        ),
    )
    return await ctx.bc.fetch(_mine(ctx, query), model=bc.CustomerQuery, route=PORTAL_API)


def _mine(ctx: Context, query: Query) -> bc.ScopedQuery:
    return bc.scoped(query, ctx.bc.scope)


async def _relates_to_callers(ctx: Context, query: NewQuery) -> bool:
    """No related document, or one of the caller's (checked before any write)."""
    if query.related_document_type is None or query.related_document_number is None:
        return True
    kind = bc.QueryDocumentType(query.related_document_type)
    return await is_callers(ctx, kind, query.related_document_number)


def _text_problem(ctx: Context, subject: str, message: str, *, with_subject: bool) -> WriteError | None:
    policy = ctx.writes.policy
    if with_subject and not 1 <= len(subject) <= policy.query_max_subject:
        return WriteError(
            WriteErrorCode.VALIDATION_FAILED,
            f"The subject must be 1 to {policy.query_max_subject} characters.",
        )
    if not 1 <= len(message) <= policy.query_max_message:
        return WriteError(
            WriteErrorCode.VALIDATION_FAILED,
            f"The message must be 1 to {policy.query_max_message} characters.",
        )
    return None


def _related_problem(query: NewQuery) -> WriteError | None:
    if query.category not in CATEGORIES:
        return WriteError(WriteErrorCode.VALIDATION_FAILED, "Unknown query category.")
    if (query.related_document_type is None) != (query.related_document_number is None):
        return WriteError(
            WriteErrorCode.VALIDATION_FAILED, "A related document needs both its type and its number."
        )
    if (
        query.related_document_type is not None
        and bc.QueryDocumentType(query.related_document_type) not in OWNERSHIP
    ):
        return WriteError(WriteErrorCode.VALIDATION_FAILED, "Unknown related document type.")
    number = query.related_document_number
    if number is not None and (not 1 <= len(number) <= 20 or bc.al_operator_in(number)):
        return WriteError(WriteErrorCode.NOT_FOUND, "No such document of yours to relate the query to.")
    return None


def _number(outcome: QueryWritten) -> str | None:
    return outcome.query.number
