"""The staff actions by name, with the record each one works on: named, or picked at random."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.sandbox.state import Sandbox
from gateway.sandbox.store import PORTAL_ROUTE, Row

from . import finance, orders, stock
from .desk import Desk, StaffError, find

ACTIONS = ("release", "ship", "invoice", "pay", "stock", "answer", "reassign")
RANDOM = "random"
# How often each action comes up when staff work on a clock (never a move to another customer:
# it is done on request only).
_WEIGHTS = {"release": 2, "ship": 3, "invoice": 2, "pay": 2, "stock": 1, "answer": 1}
_REPLIES = (
    "Thank you for getting in touch. We are looking into it and will come back to you shortly.",
    "We have checked this with the warehouse: the goods left us today.",
    "Our accounts team has reviewed the invoice; the details are in the attached statement.",
)
_TARGETS = {
    "release": "order",
    "ship": "order",
    "invoice": "order",
    "pay": "invoice",
    "stock": "item",
    "answer": "query",
    "reassign": "order",
}
_TARGET_TABLES = {
    "order": ("salesOrders", "v2.0"),
    "invoice": ("salesInvoices", "v2.0"),
    "item": ("items", "v2.0"),
    "query": ("customerQueries", PORTAL_ROUTE),
}


@dataclass(frozen=True)
class Outcome:
    action: str
    company_id: str
    summary: str
    changes: tuple[dict[str, Any], ...]

    def json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "company": self.company_id,
            "summary": self.summary,
            "changes": list(self.changes),
        }


async def run_action(
    sandbox: Sandbox, action: str, options: Mapping[str, Any], rng: random.Random
) -> Outcome:
    """Do ``action`` (one of ``ACTIONS``, or ``random``) atomically; ``StaffError`` when it cannot."""
    if action == RANDOM:
        return await _any_action(sandbox, options, rng)
    if action not in ACTIONS:
        raise StaffError(404, f"Unknown staff action {action!r}; one of {', '.join((*ACTIONS, RANDOM))}.")
    async with sandbox.write_lock:
        company = _company(sandbox, action, options, rng)
        desk = Desk(sandbox, company, rng)
        try:
            summary = _DO[action](desk, options)
        except BaseException:
            desk.journal.rollback()
            raise
    return Outcome(action, company, summary, tuple(desk.changes))


async def _any_action(sandbox: Sandbox, options: Mapping[str, Any], rng: random.Random) -> Outcome:
    """What staff on a clock do: a weighted random action that finds something to work on."""
    names = list(_WEIGHTS)
    order = sorted(names, key=lambda name: rng.random() ** (1 / _WEIGHTS[name]), reverse=True)
    reasons = []
    for name in order:
        try:
            return await run_action(sandbox, name, {**_variation(name, rng), **options}, rng)
        except StaffError as error:
            reasons.append(error.message)
    raise StaffError(409, "Nothing to do: " + " ".join(reasons))


def _variation(action: str, rng: random.Random) -> dict[str, Any]:
    """Staff on a clock ship half an order now and then, and pay invoices in part."""
    if action == "ship" and rng.random() < 0.5:
        return {"fraction": "0.5"}
    if action == "pay" and rng.random() < 0.3:
        return {"part": "0.5"}
    if action == "answer":
        return {"message": rng.choice(_REPLIES), "resolve": rng.random() < 0.3}
    if action == "stock":
        return {"quantity": str(rng.choice((10, 25, 50, 100)))}
    return {}


def _release(desk: Desk, options: Mapping[str, Any]) -> str:
    order = _target(desk, options, "order", lambda o: o["status"] in ("Draft", orders.PENDING_APPROVAL))
    return orders.release(desk, order)


def _ship(desk: Desk, options: Mapping[str, Any]) -> str:
    lines = orders.lines_by_order(desk)

    def shippable(order: Row) -> bool:
        customer = find(desk.table("customers"), "id", order["customerId"])
        return (
            order["status"] != orders.PENDING_APPROVAL
            and customer is not None
            and customer.get("blocked") not in ("Ship", "All")
            and any(
                orders.outstanding(line) > 0
                for line in lines.get(order["id"], ())
                if line["lineType"] != "Comment"
            )
        )

    order = _target(desk, options, "order", shippable)
    return orders.ship(desk, order, _fraction(options))


def _invoice(desk: Desk, options: Mapping[str, Any]) -> str:
    lines = orders.lines_by_order(desk)
    order = _target(
        desk,
        options,
        "order",
        lambda o: any(orders.uninvoiced(line) > 0 for line in lines.get(o["id"], ())),
    )
    return orders.invoice(desk, order)


def _pay(desk: Desk, options: Mapping[str, Any]) -> str:
    invoice = _target(
        desk, options, "invoice", lambda i: i["status"] == "Open" and Decimal(i["remainingAmount"]) > 0
    )
    if invoice["status"] != "Open" or Decimal(invoice["remainingAmount"]) <= 0:
        raise StaffError(409, f"Invoice {invoice['number']} is not open for payment ({invoice['status']}).")
    remaining = Decimal(invoice["remainingAmount"])
    amount = _decimal(options, "amount") if "amount" in options else remaining
    if "part" in options:
        amount = (remaining * _decimal(options, "part")).quantize(Decimal("0.01"))
    if not Decimal(0) < amount <= remaining:
        raise StaffError(400, f"amount must be more than 0 and at most the remaining {remaining:f}.")
    number = finance.next_payment_number(desk)
    finance.post_payment(desk, invoice, amount, number)
    currency = invoice.get("currencyCode", "")
    left = Decimal(invoice["remainingAmount"])
    tail = "paid in full" if left == 0 else f"{left:f} {currency} still open"
    return f"Posted payment {number} of {amount:f} {currency} on invoice {invoice['number']}: {tail}."


def _reassign(desk: Desk, options: Mapping[str, Any]) -> str:
    lines = orders.lines_by_order(desk)

    def movable(order: Row) -> bool:
        shipped = any(Decimal(line["shippedQuantity"]) for line in lines.get(order["id"], ()))
        return order["status"] == "Draft" and not shipped

    order = _target(desk, options, "order", movable)
    number = options.get("customer")
    if not number:
        raise StaffError(400, "customer (the number of the order's new customer) is required.")
    customer = find(desk.table("customers"), "number", number)
    if customer is None:
        raise StaffError(404, f"No customer {number} in this company.")
    return orders.reassign(desk, order, customer)


def _stock(desk: Desk, options: Mapping[str, Any]) -> str:
    item = _target(desk, options, "item", lambda i: i.get("type") == "Inventory" and not i.get("blocked"))
    quantity = _decimal(options, "quantity") if "quantity" in options else Decimal(25)
    if quantity == 0:
        raise StaffError(400, "quantity must not be 0.")
    return stock.adjust_stock(desk, item, quantity)


def _answer(desk: Desk, options: Mapping[str, Any]) -> str:
    query = _target(desk, options, "query", lambda q: q["status"] != stock.RESOLVED)
    message = str(options.get("message") or _REPLIES[0]).strip()
    if not message or len(message) > 4000:
        raise StaffError(400, "message must be 1 to 4000 characters.")
    return stock.answer_query(desk, query, message, resolve=_flag(options, "resolve"))


_DO: dict[str, Callable[[Desk, Mapping[str, Any]], str]] = {
    "release": _release,
    "ship": _ship,
    "invoice": _invoice,
    "pay": _pay,
    "stock": _stock,
    "answer": _answer,
    "reassign": _reassign,
}


def _target(desk: Desk, options: Mapping[str, Any], kind: str, eligible: Callable[[Row], bool]) -> Row:
    """The record ``options[kind]`` numbers, or a random eligible one."""
    entity_set, route = _TARGET_TABLES[kind]
    if not desk.has(entity_set, route):
        raise StaffError(409, f"This company has no {entity_set}.")
    rows = desk.table(entity_set, route)
    number = options.get(kind)
    if number:
        row = find(rows, "number", number)
        if row is None:
            raise StaffError(404, f"No {kind} {number} in this company.")
        return row
    candidates = [r for r in rows if eligible(r)]
    if not candidates:
        raise StaffError(404, f"No {kind} to {_verb(kind)} in this company.")
    return desk.rng.choice(candidates)


def _company(sandbox: Sandbox, action: str, options: Mapping[str, Any], rng: random.Random) -> str:
    """The company ``options["company"]`` names (id or name); else the one holding the named record;
    else a random one."""
    companies = sorted(sandbox.store.companies, key=lambda c: str(c.get("name", "")))
    wanted = options.get("company")
    if wanted:
        match = next(
            (c for c in companies if str(wanted).lower() in (c["id"], str(c.get("name", "")).lower())), None
        )
        if match is None:
            raise StaffError(404, f"No company {wanted}.")
        return str(match["id"])
    kind = _TARGETS[action]
    number = options.get(kind)
    if number:
        entity_set, route = _TARGET_TABLES[kind]
        for company in companies:
            if find(sandbox.store.table(company["id"], route, entity_set), "number", number) is not None:
                return str(company["id"])
        raise StaffError(404, f"No {kind} {number} in any company.")
    return str(rng.choice(companies)["id"])


def _fraction(options: Mapping[str, Any]) -> Decimal:
    fraction = _decimal(options, "fraction") if "fraction" in options else Decimal(1)
    if not Decimal(0) < fraction <= 1:
        raise StaffError(400, "fraction must be more than 0 and at most 1.")
    return fraction


def _decimal(options: Mapping[str, Any], name: str) -> Decimal:
    try:
        value = Decimal(str(options[name]))
    except (InvalidOperation, ValueError):
        raise StaffError(400, f"{name} must be a number.") from None
    if not value.is_finite():
        raise StaffError(400, f"{name} must be a number.")
    return value


def _flag(options: Mapping[str, Any], name: str) -> bool:
    value = options.get(name, False)
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes", "on")


def _verb(kind: str) -> str:
    return {"order": "work on", "invoice": "pay", "item": "count", "query": "answer"}[kind]
