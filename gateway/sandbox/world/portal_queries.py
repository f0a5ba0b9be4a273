"""Portal route rows for customer queries: questions customers raised about statements,
deliveries and products, with the conversation between customer and staff.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from .basics import new_guid, scaled
from .ledger import Ledger
from .model import Customer, Invoice, Shipment
from .orders import OrderHistory
from .rows_common import Row

_SUBJECTS = {
    "Statement_x0020_Dispute": ("Invoice {doc} charged twice?", "Amount on {doc} does not match our PO"),
    "Delivery": ("Shipment {doc} has not arrived", "Parts missing from shipment {doc}"),
    "Product": ("Question about items on order {doc}", "Can we swap the colour on {doc}?"),
    "Other": ("Please update our billing address", "Request for a copy of our statement"),
}
_CUSTOMER_LINES = (
    "Could you please look into this?",
    "Dziękujemy za szybką odpowiedź.",
    "Any update on this? We need it before Friday.",
    "Thanks — that's all clear now.",
)
_STAFF_LINES = (
    "Thank you for letting us know, we are checking with the warehouse.",
    "We have issued a correction; you will see it on your next statement.",
    "The carrier confirms delivery tomorrow before noon.",
    "I've attached the document you asked for.",
)


def customer_query_rows(
    rng: random.Random,
    customers: tuple[Customer, ...],
    histories: tuple[OrderHistory, ...],
    shipments: tuple[Shipment, ...],
    ledger: Ledger,
    scale: float,
    today: date,
) -> tuple[list[Row], list[Row]]:
    """`customerQueries` and `customerQueryMessages`, oldest query first."""
    queries: list[Row] = []
    messages: list[Row] = []
    invoices = [i for i in ledger.invoices if i.posted]
    count = scaled(60, scale, 6)
    created_days = sorted((rng.randint(0, 120) for _ in range(count)), reverse=True)
    for index, age in enumerate(created_days):
        category = list(_SUBJECTS)[index % len(_SUBJECTS)]
        customer, doc_type, doc_number = _related(rng, category, customers, histories, shipments, invoices)
        created = today - timedelta(days=age)
        thread = _thread(rng, customer, created, today)
        # The oldest three take one status each, so even a tiny world shows all of them.
        statuses = ("Resolved", "In_x0020_Progress", "Open")
        status = statuses[index] if index < 3 else "Open" if len(thread) == 1 else rng.choice(statuses[:2])
        query_id = new_guid(rng)
        queries.append(
            {
                "id": query_id,
                "number": f"CQ-{index + 1:05d}",
                "customerNumber": customer.number,
                "category": category,
                "subject": rng.choice(_SUBJECTS[category]).format(doc=doc_number or "-"),
                "status": status,
                "relatedDocumentType": doc_type,
                "relatedDocumentNumber": doc_number,
                "createdDateTime": thread[0][1],
                "lastModifiedDateTime": thread[-1][1],
            }
        )
        messages += [
            {
                "id": new_guid(rng),
                "queryId": query_id,
                "sequence": n,
                "authorType": author,
                "authorName": name,
                "body": body,
                "createdDateTime": stamp,
            }
            for n, (author, stamp, name, body) in enumerate(thread, start=1)
        ]
    return queries, messages


def _related(
    rng: random.Random,
    category: str,
    customers: tuple[Customer, ...],
    histories: tuple[OrderHistory, ...],
    shipments: tuple[Shipment, ...],
    invoices: list[Invoice],
) -> tuple[Customer, str, str]:
    if category == "Statement_x0020_Dispute" and invoices:
        invoice = rng.choice(invoices)
        return invoice.customer, "Sales_x0020_Invoice", invoice.number
    if category == "Delivery" and shipments:
        shipment = rng.choice(shipments)
        return shipment.order.customer, "Sales_x0020_Shipment", shipment.number
    if category == "Product" and histories:
        order = rng.choice(histories).order
        return order.customer, "Sales_x0020_Order", order.number
    return rng.choice(customers), "_x0020_", ""


def _thread(
    rng: random.Random, customer: Customer, created: date, today: date
) -> list[tuple[str, str, str, str]]:
    """(authorType, createdDateTime, authorName, body) per message; customer and staff take turns."""
    contact = customer.contacts[0]
    moment = datetime.combine(created, time(8)) + timedelta(seconds=rng.randint(0, 4 * 3600))
    latest = datetime.combine(today, time(18))
    thread = []
    for n in range(rng.randint(1, 5)):
        staff = n % 2 == 1
        author = (
            ("Staff", "Customer Service")
            if staff
            else ("Customer", f"{contact.first_name} {contact.last_name}")
        )
        body = rng.choice(_STAFF_LINES if staff else _CUSTOMER_LINES)
        thread.append((author[0], f"{moment:%Y-%m-%dT%H:%M:%S}.{n:03d}Z", author[1], body))
        moment = min(latest, moment + timedelta(minutes=rng.randint(20, 3 * 24 * 60)))
    return thread
