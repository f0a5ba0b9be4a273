"""What a customer's order history should be, computed from the sandbox's own rows.

Independent of the gateway: open orders from ``salesOrders``, completed ones from the posted
shipments and invoices that carry an order number BC no longer holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette

from gateway.resolvers.dates import months_before
from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.world import build_store
from tests.conftest import SEED, TODAY
from tests.helpers import rows

POSTED = {"Open", "Paid", "Corrective", "Canceled"}
# A small world with one customer of a long history (``LONG-<orders>``): cheap to build.
LONG_HISTORY_SCALE = 0.05


def long_history_store(orders: int) -> SandboxStore:
    """The small world with customer ``LONG-<orders>``, who has ``orders`` orders in 12 months."""
    return build_store(seed=SEED, scale=LONG_HISTORY_SCALE, today=TODAY, long_histories=(orders,))


def long_history_sandbox(store: SandboxStore, orders: int) -> Starlette:
    """The sandbox serving ``store`` (from ``long_history_store(orders)``)."""
    config = SandboxConfig(seed=SEED, scale=LONG_HISTORY_SCALE, today=TODAY, long_histories=(orders,))
    return create_sandbox_app(config, store=store)


@dataclass
class ExpectedOrder:
    number: str
    order_date: str
    open: bool
    external_reference: str
    shipments: list[str] = field(default_factory=list)
    invoices: list[str] = field(default_factory=list)
    # item number -> (ordered, shipped, invoiced)
    quantities: dict[str, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)


def _lines_of(store: SandboxStore, company: str, entity_set: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in rows(store, company, entity_set):
        grouped[line["documentId"]].append(line)
    return grouped


def order_history(
    store: SandboxStore, company: str, customer: str, months: int = 12, *, archives: bool = True
) -> list[ExpectedOrder]:
    """Newest first by (order date, number), as the gateway must list them.

    A completed order's date is its archive's Document Date (``archives``: the tenant has them),
    else its earliest posted document's date; it is in the history when that date is."""
    earliest = months_before(TODAY, months).isoformat()
    orders: dict[str, ExpectedOrder] = {}
    order_lines = _lines_of(store, company, "salesOrderLines")
    for row in rows(store, company, "salesOrders"):
        if row["customerNumber"] != customer or row["orderDate"] < earliest:
            continue
        expected = ExpectedOrder(row["number"], row["orderDate"], True, row["externalDocumentNumber"])
        for line in order_lines[row["id"]]:
            if line["lineType"] == "Item":
                expected.quantities[line["lineObjectNumber"]] = (
                    Decimal(str(line["quantity"])),
                    Decimal(str(line["shippedQuantity"])),
                    Decimal(str(line["invoicedQuantity"])),
                )
        orders[row["number"]] = expected
    open_numbers = {row["number"] for row in rows(store, company, "salesOrders")}
    archived = _archive_dates(store, company, customer) if archives else {}
    shipped: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    invoiced: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    shipment_lines = _lines_of(store, company, "salesShipmentLines")
    invoice_lines = _lines_of(store, company, "salesInvoiceLines")
    posted: dict[str, ExpectedOrder] = {}
    for entity_set, lines, totals in (
        ("salesShipments", shipment_lines, shipped),
        ("salesInvoices", invoice_lines, invoiced),
    ):
        for row in rows(store, company, entity_set):
            number = row["orderNumber"]
            if row["customerNumber"] != customer or not number:
                continue
            if entity_set == "salesInvoices" and row["status"] not in POSTED:
                continue
            if number in open_numbers:
                if number in orders:
                    documents = (
                        orders[number].shipments
                        if entity_set == "salesShipments"
                        else orders[number].invoices
                    )
                    documents.append(row["number"])
                continue  # its quantities are the open order's own
            expected = posted.setdefault(
                number, ExpectedOrder(number, row["invoiceDate"], False, row["externalDocumentNumber"])
            )
            expected.order_date = min(expected.order_date, row["invoiceDate"])
            documents = expected.shipments if entity_set == "salesShipments" else expected.invoices
            documents.append(row["number"])
            if entity_set == "salesInvoices" and row["status"] == "Canceled":
                continue
            for line in lines[row["id"]]:
                if line["lineType"] == "Item":
                    totals[number][line["lineObjectNumber"]] += Decimal(str(line["quantity"]))
    for number, expected in posted.items():
        expected.order_date = archived.get(number, expected.order_date)
        for item in shipped[number].keys() | invoiced[number].keys():
            s, i = shipped[number][item], invoiced[number][item]
            expected.quantities[item] = (max(s, i), s, i)
    everything = [*orders.values(), *(o for o in posted.values() if o.order_date >= earliest)]
    return sorted(everything, key=lambda o: (o.order_date, o.number), reverse=True)


def _archive_dates(store: SandboxStore, company: str, customer: str) -> dict[str, str]:
    """Order number → the Document Date of its last archived version."""
    latest: dict[str, tuple[int, int, str]] = {}
    for row in rows(store, company, "salesOrderArchives"):
        if row["sellToCustomerNumber"] != customer:
            continue
        version = (row["docNoOccurrence"], row["versionNumber"], row["documentDate"])
        latest[row["number"]] = max(latest.get(row["number"], version), version)
    return {number: version[2] for number, version in latest.items()}


def busiest_history_customer(store: SandboxStore) -> tuple[str, str]:
    """(company id, customer number) with both open and completed orders, the most orders first."""
    best: tuple[int, str, str] | None = None
    for company in store.companies:
        customers = {row["customerNumber"] for row in rows(store, company["id"], "salesOrders")}
        for customer in sorted(customers):
            history = order_history(store, company["id"], customer)
            if any(not o.open for o in history) and (best is None or len(history) > best[0]):
                best = (len(history), company["id"], customer)
    assert best is not None
    return best[1], best[2]
