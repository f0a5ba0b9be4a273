"""Simulate each demo company, then project the simulation into the sandbox's tables."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from gateway.sandbox.store import ANALYTICS_ROUTE, PORTAL_ROUTE, STANDARD_ROUTE, SandboxStore

from . import reference as ref
from .archives import archive_rows
from .balances import CustomerBalance, customer_balances
from .basics import bc_datetime, new_guid
from .ledger import Ledger, settle
from .long_histories import long_history_customers
from .masterdata import MasterData, build_master_data
from .model import Customer
from .numbering import Numbering
from .orders import OrderHistory, simulate_orders
from .portal_logistics import availability_rows, delivery_document_rows, shipping_agent_rows, tracking_rows
from .portal_queries import customer_query_rows
from .posting import Posted, post_documents
from .receivables import Receivables, build_receivables
from .rows_analytics import customer_ledger_entry_rows
from .rows_common import Projection, Row
from .rows_documents import credit_memo_rows, invoice_rows, order_rows, shipment_rows
from .rows_master import customer_tables, item_rows, lookup_tables

SYSTEM_VERSION = "26.0.30643.32100"


@dataclass(frozen=True, slots=True)
class CompanyWorld:
    """One simulated company: everything the projections need, kept for tests and other routes."""

    id: str
    spec: ref.CompanySpec
    data: MasterData
    histories: tuple[OrderHistory, ...]
    posted: Posted
    ledger: Ledger
    receivables: Receivables
    balances: dict[str, CustomerBalance]
    today: date
    numbering: Numbering


def simulate(
    seed: int, scale: float, today: date, long_histories: Sequence[int] = ()
) -> tuple[CompanyWorld, ...]:
    """The demo world: the same arguments always give the same companies, documents and ids.
    ``long_histories``: order counts of customers added to the first company (``long_histories.py``)."""
    master = random.Random(seed)
    return tuple(
        _company(random.Random(master.getrandbits(64)), spec, scale, today, long_histories if i == 0 else ())
        for i, spec in enumerate(ref.COMPANIES)
    )


def _company(
    rng: random.Random, spec: ref.CompanySpec, scale: float, today: date, long_histories: Sequence[int]
) -> CompanyWorld:
    company_id = new_guid(rng)
    data = build_master_data(rng, spec, scale)
    long: tuple[tuple[Customer, int], ...] = ()
    if long_histories:
        template = next(c for c in data.customers if c.blocked == "_x0020_")
        long = long_history_customers(random.Random(rng.getrandbits(64)), template, long_histories)
        data = replace(data, customers=(*data.customers, *(customer for customer, _ in long)))
    numbering = Numbering(spec)
    histories = simulate_orders(rng, data, numbering, scale, today, long)
    posted = post_documents(rng, data, numbering, histories, scale, today)
    ledger = settle(rng, data, numbering, posted.invoices, scale, today)
    receivables = build_receivables(ledger)
    balances = customer_balances(ledger, receivables, data.customers, today)
    return CompanyWorld(
        company_id, spec, data, tuple(histories), posted, ledger, receivables, balances, today, numbering
    )


def build_store(
    seed: int = 42, scale: float = 1.0, today: date | None = None, long_histories: Sequence[int] = ()
) -> SandboxStore:
    """The sandbox's store filled with the demo world; dates are relative to `today`."""
    day = today if today is not None else date.today()
    worlds = simulate(seed, scale, day, long_histories)
    store = SandboxStore(companies=[_company_row(w, seed) for w in worlds])
    for world in worlds:
        for entity_set, rows in standard_tables(world, seed).items():
            store.put_table(world.id, STANDARD_ROUTE, entity_set, rows)
        ledger_entries = customer_ledger_entry_rows(world.receivables)
        store.put_table(world.id, ANALYTICS_ROUTE, "customerLedgerEntries", ledger_entries)
        for entity_set, rows in portal_tables(world, seed, scale).items():
            store.put_table(world.id, PORTAL_ROUTE, entity_set, rows)
        last_order = world.numbering.last("orders", world.today)
        if last_order is not None:  # orders created through the API continue the series
            store.last_numbers[(world.id, STANDARD_ROUTE, "salesOrders")] = last_order
    return store


def _company_row(world: CompanyWorld, seed: int) -> Row:
    rng = random.Random(f"{seed}:{world.spec.name}")
    created = world.today - timedelta(days=3 * 365)
    return {
        "id": world.id,
        "systemVersion": SYSTEM_VERSION,
        "timestamp": rng.randint(1000, 900000),
        "name": world.spec.name,
        "displayName": world.spec.name,
        "businessProfileId": "",
        "systemCreatedAt": bc_datetime(created, rng),
        "systemCreatedBy": new_guid(rng),
        "systemModifiedAt": bc_datetime(created + timedelta(days=2), rng),
        "systemModifiedBy": new_guid(rng),
    }


def standard_tables(world: CompanyWorld, seed: int) -> dict[str, list[Row]]:
    """Every API v2.0 entity set of one company."""
    p = Projection(random.Random(f"{seed}:{world.id}:v2"), world.spec.lcy_code, _dimension(world.spec))
    since = world.today - timedelta(days=700)
    tables = lookup_tables(p, world.data, since)
    tables["items"] = item_rows(p, world.data, since)
    tables.update(customer_tables(p, world.data.customers, world.balances, world.today))
    open_orders = [h.order for h in world.histories if not h.order.completed]
    _documents(tables, "salesOrders", "salesOrderLines", [order_rows(p, o) for o in open_orders])
    _documents(
        tables, "salesShipments", "salesShipmentLines", [shipment_rows(p, s) for s in world.posted.shipments]
    )
    _documents(
        tables, "salesInvoices", "salesInvoiceLines", [invoice_rows(p, i) for i in world.ledger.invoices]
    )
    memos = [credit_memo_rows(p, m) for m in world.ledger.credit_memos]
    _documents(tables, "salesCreditMemos", "salesCreditMemoLines", memos)
    tables["generalLedgerSetup"] = [_general_ledger_setup(p, world.spec, since)]
    # BC archives an order it deletes after posting ("Archive Orders" on).  Its own random stream,
    # so the rows above stay as they were.
    archived = Projection(random.Random(f"{seed}:{world.id}:archives"), world.spec.lcy_code, p.dimension)
    completed = [h.order for h in world.histories if h.order.completed]
    _documents(
        tables, "salesOrderArchives", "salesOrderArchiveLines", [archive_rows(archived, o) for o in completed]
    )
    return tables


def _general_ledger_setup(p: Projection, spec: ref.CompanySpec, since: date) -> Row:
    """The one setup row; the gateway reads the company's currency (item prices are in it) here."""
    return {
        "id": p.new_id(),
        "allowPostingFrom": "0001-01-01",
        "allowPostingTo": "0001-01-01",
        "additionalReportingCurrency": "",
        "localCurrencyCode": spec.lcy_code,
        "localCurrencySymbol": {"GBP": "£", "PLN": "zł"}.get(spec.lcy_code, ""),
        "lastModifiedDateTime": p.stamp(since),
        "allowQueryFromConsolidation": False,
        "shortcutDimension1Code": _dimension(spec),
        "shortcutDimension2Code": "",
        "shortcutDimension3Code": "",
        "shortcutDimension4Code": "",
        "shortcutDimension5Code": "",
        "shortcutDimension6Code": "",
        "shortcutDimension7Code": "",
        "shortcutDimension8Code": "",
        # Not in API v2.0: the standard VAT rate, which lines without an item (accounts) get.
        "_standardTaxCode": spec.tax_rates[0][0],
        "_standardTaxPercent": spec.tax_rates[0][1],
    }


def portal_tables(world: CompanyWorld, seed: int, scale: float) -> dict[str, list[Row]]:
    """The partner extension's entity sets of one company (docs/bc-extension.md)."""
    rng = random.Random(f"{seed}:{world.id}:portal")
    shipments = world.posted.shipments
    trackings = tracking_rows(rng, world.spec.lcy_code, shipments)
    queries, messages = customer_query_rows(
        rng, world.data.customers, world.histories, shipments, world.ledger, scale, world.today
    )
    return {
        "shippingAgents": shipping_agent_rows(rng, world.spec.lcy_code),
        "shipmentTrackings": trackings,
        "deliveryDocuments": delivery_document_rows(rng, shipments, trackings, world.today),
        "itemAvailabilities": availability_rows(rng, world.data.items, world.histories, world.today),
        "customerQueries": queries,
        "customerQueryMessages": messages,
    }


def _documents(
    tables: dict[str, list[Row]], headers: str, lines: str, docs: list[tuple[Row, list[Row]]]
) -> None:
    tables[headers] = [header for header, _ in docs]
    tables[lines] = [line for _, doc_lines in docs for line in doc_lines]


def _dimension(spec: ref.CompanySpec) -> str:
    return "SPRZEDAŻ" if spec.lcy_code == "PLN" else "SALES"
