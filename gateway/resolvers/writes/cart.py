"""The cart of an order write: its lines, details and a reorder's source and changes, and what is
wrong with them (line by line, every problem at once) before and after BC says what its items are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from gateway import bc
from gateway.resolvers.context import Context
from gateway.resolvers.writes.results import LineProblem, LineProblemCode, WriteError, WriteErrorCode


@dataclass(frozen=True)
class CartLine:
    item_number: str
    quantity: Decimal
    sequence: int | None = None  # the source line, for a reorder
    index: int | None = None  # its place in the cart's `lines`, for placeOrder


@dataclass(frozen=True)
class LineChange:
    sequence: int
    quantity: Decimal


@dataclass(frozen=True)
class OrderDetails:
    customer_reference: str | None = None
    requested_delivery_date: date | None = None


@dataclass(frozen=True)
class ReorderSource:
    order_number: str | None = None
    invoice_number: str | None = None


def _checked_lines(
    ctx: Context, lines: Sequence[CartLine], items: dict[str, bc.Item], *, cart: bool
) -> list[tuple[CartLine, list[LineProblem]]]:
    """Each line with all its problems, in input order: its quantity; its item number (a cart
    names each item once); whether the item exists and may be ordered."""
    checked: list[tuple[CartLine, list[LineProblem]]] = []
    seen: set[str] = set()
    for line in lines:
        problems = _quantity_problems(ctx, line)
        item = items.get(line.item_number)
        if not _is_item_number(line.item_number):
            problems.append(
                _problem(
                    line,
                    LineProblemCode.ITEM_NOT_FOUND,
                    "An item number has 1 to 20 characters, none of * ? | & < > = @ ( ) ' or ..",
                )
            )
        elif cart and line.item_number in seen:
            problems.append(
                _problem(line, LineProblemCode.DUPLICATE_LINE, "Give each item once, with its total.")
            )
        elif item is None:
            problems.append(_problem(line, LineProblemCode.ITEM_NOT_FOUND, "This item does not exist."))
        elif item.blocked:
            problems.append(_problem(line, LineProblemCode.ITEM_BLOCKED, "This item cannot be ordered."))
        seen.add(line.item_number)
        checked.append((line, problems))
    return checked


def _is_item_number(number: str) -> bool:
    return 1 <= len(number) <= 20 and not bc.al_operator_in(number)


def _problem(line: CartLine, code: LineProblemCode, message: str) -> LineProblem:
    return LineProblem(line.sequence, line.item_number, code, message, line.index)


def _cart_problem(ctx: Context, lines: Sequence[CartLine], details: OrderDetails) -> WriteError | None:
    """What is wrong with the cart as a whole (its lines are checked one by one later, together
    with what BC says about their items)."""
    if not lines:
        return WriteError(WriteErrorCode.VALIDATION_FAILED, "An order needs at least one line.")
    if len(lines) > ctx.writes.policy.max_order_lines:
        return _too_many_lines(ctx)
    return _details_problem(ctx, details)


def _quantity_problems(ctx: Context, line: CartLine) -> list[LineProblem]:
    maximum = ctx.writes.policy.max_line_quantity
    if not line.quantity.is_finite() or line.quantity <= 0:
        return [_problem(line, LineProblemCode.QUANTITY_NOT_POSITIVE, "The quantity must be more than 0.")]
    if line.quantity > maximum:
        return [
            _problem(line, LineProblemCode.QUANTITY_TOO_LARGE, f"The quantity must be at most {maximum}.")
        ]
    return []


def _too_many_lines(ctx: Context) -> WriteError:
    limit = ctx.writes.policy.max_order_lines
    return WriteError(WriteErrorCode.VALIDATION_FAILED, f"An order can have at most {limit} lines.")


def _details_problem(ctx: Context, details: OrderDetails) -> WriteError | None:
    limit = ctx.writes.policy.customer_reference_max
    if details.customer_reference is not None and len(details.customer_reference) > limit:
        return WriteError(
            WriteErrorCode.VALIDATION_FAILED, f"`customerReference` must be at most {limit} characters."
        )
    if details.requested_delivery_date is not None and details.requested_delivery_date < ctx.today:
        return WriteError(WriteErrorCode.VALIDATION_FAILED, "`requestedDeliveryDate` is in the past.")
    return None


def _source_problem(source: ReorderSource) -> WriteError | None:
    given = [n for n in (source.order_number, source.invoice_number) if n is not None]
    if len(given) != 1:
        return WriteError(
            WriteErrorCode.VALIDATION_FAILED, "Name exactly one of `orderNumber` or `invoiceNumber`."
        )
    if not 1 <= len(given[0]) <= 20 or bc.al_operator_in(given[0]):
        return WriteError(WriteErrorCode.NOT_FOUND, "No such order or invoice of yours.")
    return None


@dataclass(frozen=True)
class _SourceLine:
    sequence: int
    line_type: bc.InvoiceLineType
    number: str | None
    description: str | None
    quantity: Decimal


def _change_problems(
    ctx: Context, original: list[_SourceLine], changes: Sequence[LineChange]
) -> list[LineProblem]:
    """Every problem of every change, in input order: each line changed at most once, to a
    quantity in bounds (0 removes it), and a line the original document has."""
    numbers = {line.sequence: line.number for line in original}
    problems: list[LineProblem] = []
    seen: set[int] = set()
    for index, change in enumerate(changes):
        number = numbers.get(change.sequence)
        if change.sequence in seen:
            problems.append(
                LineProblem(
                    change.sequence,
                    number,
                    LineProblemCode.DUPLICATE_LINE,
                    "Change each line at most once.",
                    index,
                )
            )
            continue
        seen.add(change.sequence)
        if change.quantity != 0:
            problems += _quantity_problems(
                ctx, CartLine(number or "", change.quantity, change.sequence, index)
            )
        if change.sequence not in numbers:
            problems.append(
                LineProblem(
                    change.sequence,
                    None,
                    LineProblemCode.LINE_NOT_FOUND,
                    "The original document has no such line.",
                    index,
                )
            )
    return [replace(p, item_number=p.item_number or None) for p in problems]


def _apply(
    original: list[_SourceLine], changes: Sequence[LineChange]
) -> tuple[list[CartLine], tuple[LineProblem, ...]]:
    """The original's item lines with the (valid) changes applied, and the lines left out."""
    wanted = {change.sequence: change.quantity for change in changes}
    lines: list[CartLine] = []
    skipped: list[LineProblem] = []
    for line in original:
        if line.line_type is not bc.InvoiceLineType.ITEM or not line.number:
            what = "a comment" if line.line_type is bc.InvoiceLineType.COMMENT else "not an item"
            skipped.append(
                LineProblem(
                    line.sequence, line.number, LineProblemCode.NOT_AN_ITEM, f"Not reordered: {what}."
                )
            )
            continue
        quantity = wanted.get(line.sequence, line.quantity)
        if quantity == 0:
            continue
        lines.append(CartLine(line.number, quantity, line.sequence))
    return lines, tuple(skipped)
