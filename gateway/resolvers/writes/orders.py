"""``placeOrder`` and ``reorder``: validate, then one atomic deep insert into ``salesOrders``.

Prices and totals always come from BC: the request names items and quantities only.  See
``docs/writes.md`` for the sequence and what each failure means.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from gateway import bc
from gateway.resolvers.context import Context
from gateway.resolvers.customer import get_me
from gateway.resolvers.invoices import is_posted
from gateway.resolvers.orders import get_order, read_first_page_ahead
from gateway.resolvers.writes.cart import (
    CartLine,
    LineChange,
    OrderDetails,
    ReorderSource,
    _apply,
    _cart_problem,
    _change_problems,
    _checked_lines,
    _details_problem,
    _is_item_number,
    _source_problem,
    _SourceLine,
    _too_many_lines,
)
from gateway.resolvers.writes.guard import allowed, idempotency_key, refuse, run_once
from gateway.resolvers.writes.lookup import find_by_reference, read_order
from gateway.resolvers.writes.reference import is_reference_text, portal_reference, reference_line
from gateway.resolvers.writes.results import (
    LineProblem,
    LineProblemCode,
    OrderOutcome,
    OrderPlaced,
    WriteError,
    WriteErrorCode,
)

_AMBIGUOUS = (bc.BCTimeout, bc.BCTransportError, bc.BCUnavailable, bc.BCProtocolError)
# BC could not be asked (reads before the write, or the look-up after an ambiguous one).
_UNREACHABLE = (bc.BCTimeout, bc.BCTransportError, bc.BCUnavailable, bc.BCThrottled)
_URL = re.compile(r"\b\w+://\S+")
_MAX_BC_MESSAGE = 300
# What a reorder leaves out (and reports in skippedLines) instead of refusing the order.
_UNORDERABLE = frozenset({LineProblemCode.ITEM_NOT_FOUND, LineProblemCode.ITEM_BLOCKED})


async def place_order(
    ctx: Context, lines: Sequence[CartLine], details: OrderDetails, key: str | None
) -> OrderOutcome:
    operation = "placeOrder"
    payload = {
        "lines": [[line.item_number, _canonical(line.quantity)] for line in lines],
        **_details(details),
    }
    refused = allowed(ctx, operation, needs_order_scope=True)
    checked = refused or idempotency_key(ctx, key)
    if isinstance(checked, WriteError):
        return refuse(ctx, operation, key, checked, payload)
    invalid = _cart_problem(ctx, lines, details)
    if invalid is not None:
        return refuse(ctx, operation, checked, invalid, payload)
    cart = [replace(line, index=index) for index, line in enumerate(lines)]

    async def perform() -> OrderOutcome:
        try:
            return await _create(ctx, checked, cart, details)
        except _UNREACHABLE as error:
            return _unavailable(error)

    return await run_once(
        ctx, operation=operation, key=checked, payload=payload, perform=perform, document_number=_number
    )


async def reorder(
    ctx: Context,
    source: ReorderSource,
    changes: Sequence[LineChange],
    details: OrderDetails,
    key: str | None,
) -> OrderOutcome:
    operation = "reorder"
    payload = {
        "order": source.order_number,
        "invoice": source.invoice_number,
        "changes": sorted([change.sequence, _canonical(change.quantity)] for change in changes),
        **_details(details),
    }
    refused = allowed(ctx, operation, needs_order_scope=True)
    checked = refused or idempotency_key(ctx, key)
    if isinstance(checked, WriteError):
        return refuse(ctx, operation, key, checked, payload)
    invalid = _source_problem(source) or _details_problem(ctx, details)
    if invalid is not None:
        return refuse(ctx, operation, checked, invalid, payload)

    async def perform() -> OrderOutcome:
        try:
            return await _reorder(ctx, checked, source, changes, details)
        except _UNREACHABLE as error:
            return _unavailable(error)

    return await run_once(
        ctx, operation=operation, key=checked, payload=payload, perform=perform, document_number=_number
    )


async def _reorder(
    ctx: Context, key: str, source: ReorderSource, changes: Sequence[LineChange], details: OrderDetails
) -> OrderOutcome:
    reference = _reference(ctx, key)
    # The source's lines as the customer last saw them: a kept answer of the order view serves
    # (customer-scoped, dropped by the customer's own writes and by BC's change events).  What
    # the write is decided on is read from BC now, in one $batch: whether this key's order
    # exists already, whether the customer is blocked, whether each item may be sold.
    with ctx.bc.kept_answers_serve():
        original = await _source_lines(ctx, source)
    lines: list[CartLine] = []
    skipped: tuple[LineProblem, ...] = ()
    problems: list[LineProblem] = []
    if not isinstance(original, WriteError):
        problems = _change_problems(ctx, original, changes)
        if not problems:
            lines, skipped = _apply(original, changes)
    facts = await _facts(ctx, lines, reference)
    if facts.found is not None:
        # Looked up before any answer about the source: a retry of a reorder BC committed finds it.
        return OrderPlaced(facts.found, found_existing=True)
    if isinstance(original, WriteError):
        return original
    if problems:
        return WriteError(
            WriteErrorCode.VALIDATION_FAILED, "Some changes cannot be applied.", tuple(problems)
        )
    return await _decide(ctx, reference, lines, details, facts, skipped=skipped, skip_unorderable=True)


@dataclass(frozen=True)
class _Facts:
    """What BC holds now that decides a write: the order this key made (if any), the customer,
    and the items the lines name."""

    found: bc.SalesOrder | None
    me: bc.Customer | None
    items: dict[str, bc.Item]


async def _facts(ctx: Context, lines: Sequence[CartLine], reference: str) -> _Facts:
    """Read from BC together (one $batch): the reference look-up, the customer, the items."""
    numbers = list(dict.fromkeys(line.item_number for line in lines if _is_item_number(line.item_number)))

    async def no_items() -> list[bc.Item | None]:
        return []

    found, me, items = await asyncio.gather(
        find_by_reference(ctx, reference),
        get_me(ctx),
        ctx.loaders.items_by_number.load_many(numbers) if numbers else no_items(),
    )
    return _Facts(found, me, {item.number: item for item in items if item is not None})


async def _create(
    ctx: Context,
    key: str,
    lines: list[CartLine],
    details: OrderDetails,
) -> OrderOutcome:
    reference = _reference(ctx, key)
    if not any(_is_item_number(line.item_number) for line in lines):
        # No line names an item BC could look up, so every line's problem is known already: a cart
        # that was never valid was never written either, and BC need not be asked anything.
        problems = [p for _, found in _checked_lines(ctx, lines, {}, cart=True) for p in found]
        return WriteError(WriteErrorCode.VALIDATION_FAILED, "Some lines cannot be ordered.", tuple(problems))
    facts = await _facts(ctx, lines, reference)
    if facts.found is not None:
        return OrderPlaced(facts.found, found_existing=True)
    return await _decide(ctx, reference, lines, details, facts, skipped=(), skip_unorderable=False)


async def _decide(
    ctx: Context,
    reference: str,
    lines: list[CartLine],
    details: OrderDetails,
    facts: _Facts,
    *,
    skipped: tuple[LineProblem, ...],
    skip_unorderable: bool,
) -> OrderOutcome:
    """Refuse what BC's current state forbids, else insert the order."""
    me = facts.me
    if me is None or me.blocked is not bc.CustomerBlocked.NONE:
        return WriteError(
            WriteErrorCode.CUSTOMER_BLOCKED,
            "Your account is blocked for new orders; please contact us.",
        )
    checked = _checked_lines(ctx, lines, facts.items, cart=not skip_unorderable)
    # Every problem of every line at once; a reorder leaves unorderable lines out instead.
    problems = [p for _, found in checked for p in found if not (skip_unorderable and p.code in _UNORDERABLE)]
    if problems:
        return WriteError(WriteErrorCode.VALIDATION_FAILED, "Some lines cannot be ordered.", tuple(problems))
    kept = [line for line, found in checked if not found]
    skipped = (*skipped, *(p for _, found in checked for p in found))
    if not kept:
        return WriteError(WriteErrorCode.VALIDATION_FAILED, "There is nothing left to order.", skipped)
    if len(kept) > ctx.writes.policy.max_order_lines:
        return _too_many_lines(ctx)
    return await _insert(ctx, reference, kept, details, skipped)


async def _insert(
    ctx: Context,
    reference: str,
    lines: list[CartLine],
    details: OrderDetails,
    skipped: tuple[LineProblem, ...],
) -> OrderOutcome:
    header: dict[str, Any] = {}
    if details.customer_reference:
        header["external_document_number"] = details.customer_reference
    if details.requested_delivery_date is not None:
        header["requested_delivery_date"] = details.requested_delivery_date
    body = bc.body(
        bc.SalesOrder,
        customer_number=ctx.bc.scope.customer_number,
        **header,
        # The reference first: created in the same atomic request as the order and its lines.
        lines=[reference_line(reference)]
        + [
            bc.body(
                bc.SalesOrderLine,
                line_type=bc.InvoiceLineType.ITEM,
                line_object_number=line.item_number,
                quantity=line.quantity,
            )
            for line in lines
        ],
    )
    try:
        # The reference names the key: every retry goes through the same BC principal.
        created = await ctx.bc.create("salesOrders", body, affinity=reference)
    except bc.BCRequestRejected as error:
        return WriteError(
            WriteErrorCode.BC_REJECTED,
            f"Business Central refused the order: {safe_message(error.message)}",
            correlation_id=error.correlation_id,
        )
    except bc.BCThrottled as error:
        # A 429 is answered before BC does anything: nothing was written.
        return _unavailable(error)
    except _AMBIGUOUS as error:
        # BC may have committed the order before the answer was lost: look before anything else.
        try:
            found = await find_by_reference(ctx, reference)
        except _UNREACHABLE:
            found = None  # still unknown: the client's retry (same key) looks again first
        if found is not None:
            return OrderPlaced(found, skipped, found_existing=True)
        return _unavailable(error)
    # The read-back, and riding along in its request the customer's first page of orders, the
    # new one on it, for the dashboard or orders page that usually follows, and the new order's
    # posted documents and archives (none yet, as a rule), for its view.
    number = created.get("number")
    order, _ = await asyncio.gather(
        read_order(ctx, str(created["id"])),
        read_first_page_ahead(ctx, number if isinstance(number, str) and number else None),
    )
    if order is None:  # pragma: no cover - BC just answered 201 for it
        raise bc.BCProtocolError("the order Business Central created cannot be read back")
    return OrderPlaced(order, skipped)


def safe_message(message: str) -> str:
    """BC's reason, readable and safe: no URLs, no correlation internals, bounded length."""
    text = _URL.sub("", message)
    text = " ".join(text.split())
    return text[:_MAX_BC_MESSAGE] or "no reason given"


def _unavailable(error: bc.BCError) -> WriteError:
    return WriteError(
        WriteErrorCode.BC_UNAVAILABLE,
        "Business Central did not confirm the order; retry with the same idempotency key.",
        correlation_id=error.correlation_id,
    )


async def _source_lines(ctx: Context, source: ReorderSource) -> list[_SourceLine] | WriteError:
    lines: Sequence[bc.SalesOrderLine | bc.SalesInvoiceLine] | None = None
    if source.order_number is not None:
        # Open, or rebuilt from its posted documents once BC deleted it: the lines (and their
        # sequences) the caller sees in `orders`.
        order = await get_order(ctx, source.order_number)
        lines = order.order.lines if order is not None else None
    elif source.invoice_number is not None:
        invoice: bc.SalesInvoice | None = await ctx.loaders.invoice_by_number.load(source.invoice_number)
        lines = invoice.lines if invoice is not None and is_posted(invoice) else None
    if lines is None:
        return WriteError(WriteErrorCode.NOT_FOUND, "No such order or invoice of yours.")
    return [
        _SourceLine(line.sequence, line.line_type, line.line_object_number, line.description, line.quantity)
        for line in lines
        if not (line.line_type is bc.InvoiceLineType.COMMENT and is_reference_text(line.description))
    ]


def _reference(ctx: Context, key: str) -> str:
    return portal_reference(ctx.membership.company_id, ctx.membership.customer_number, key)


def _details(details: OrderDetails) -> dict[str, Any]:
    return {
        "customerReference": details.customer_reference,
        "requestedDeliveryDate": details.requested_delivery_date,
    }


def _number(outcome: OrderPlaced) -> str | None:
    return outcome.order.number


def _canonical(quantity: Decimal) -> str:
    """One spelling per number ("2", "2.0" and "2.00" are one quantity), for the fingerprint."""
    return format(quantity.normalize(), "f") if quantity.is_finite() else str(quantity)
