"""The analytics route's customer ledger entries agree with the standard route's documents."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.sandbox.store import ANALYTICS_ROUTE, STANDARD_ROUTE, Row, SandboxStore
from gateway.sandbox.world import build_store

METADATA = Path(__file__).parents[2] / "gateway" / "sandbox" / "metadata" / "analytics.xml"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def store() -> SandboxStore:
    return build_store(seed=5, scale=0.15, today=TODAY)


def _entries(store: SandboxStore, company: Row) -> list[Row]:
    return store.table(company["id"], ANALYTICS_ROUTE, "customerLedgerEntries")


def _standard(store: SandboxStore, company: Row, entity_set: str) -> list[Row]:
    return store.table(company["id"], STANDARD_ROUTE, entity_set)


def test_rows_have_exactly_the_properties_and_enum_members_of_the_analytics_metadata(
    store: SandboxStore,
) -> None:
    # Our own checked-in metadata file, not untrusted input.
    schema = ET.parse(METADATA).getroot().find(f".//{EDM}Schema")  # noqa: S314
    assert schema is not None
    entity = schema.find(f"{EDM}EntityType[@Name='customerLedgerEntry']")
    assert entity is not None
    types = {p.get("Name"): str(p.get("Type")) for p in entity.findall(f"{EDM}Property")}
    enums = {
        f"Microsoft.NAV.{e.get('Name')}": {m.get("Name") for m in e.findall(f"{EDM}Member")}
        for e in schema.findall(f"{EDM}EnumType")
    }
    python_types = {
        "Edm.Int32": int,
        "Edm.Date": str,
        "Edm.Boolean": bool,
        "Edm.String": str,
        "Edm.Decimal": Decimal,
    }
    for company in store.companies:
        rows = _entries(store, company)
        assert rows
        for row in rows:
            assert set(row) == set(types)
            for name, value in row.items():
                if types[name] in enums:
                    assert value in enums[types[name]]
                else:
                    assert type(value) is python_types[types[name]], (name, value)
                if types[name] == "Edm.Date":
                    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)


def test_opening_balance_plus_movements_is_each_customers_balance_today(store: SandboxStore) -> None:
    cutoff = (TODAY - timedelta(days=90)).isoformat()
    for company in store.companies:
        opening: dict[str, Decimal] = defaultdict(Decimal)
        movements: dict[str, Decimal] = defaultdict(Decimal)
        for row in _entries(store, company):
            bucket = opening if row["dclePostingDate"] < cutoff else movements
            bucket[row["dcleCustomerNo"]] += row["dcleAmountLCY"]
        for detail in _standard(store, company, "customerFinancialDetails"):
            number = detail["number"]
            assert opening[number] + movements[number] == detail["balance"], number


def test_each_open_invoice_entry_sums_to_the_invoice_remaining_amount(store: SandboxStore) -> None:
    for company in store.companies:
        lcy_customers = {
            c["number"]
            for c in _standard(store, company, "customers")
            if c["currencyId"] == "00000000-0000-0000-0000-000000000000"
        }
        rows = _entries(store, company)
        open_documents = {r["dcleDocumentNo"] for r in rows if r["dcleLedgerEntryAmount"] and r["cleOpen"]}
        entry_documents = {r["cleEntryNo"]: r["dcleDocumentNo"] for r in rows if r["dcleLedgerEntryAmount"]}
        per_document: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            per_document[entry_documents[row["cleEntryNo"]]] += row["dcleAmountLCY"]
        invoices = [
            i
            for i in _standard(store, company, "salesInvoices")
            if i["status"] == "Open" and i["customerNumber"] in lcy_customers
        ]
        assert invoices
        for invoice in invoices:
            assert invoice["number"] in open_documents
            assert per_document[invoice["number"]] == invoice["remainingAmount"]


def test_closed_entries_carry_their_closing_date_and_open_ones_do_not(store: SandboxStore) -> None:
    for company in store.companies:
        rows = _entries(store, company)
        assert any(not r["cleOpen"] for r in rows)
        for row in rows:
            if row["cleOpen"]:
                assert row["cleClosedAtDate"] == "0001-01-01"
            else:
                assert row["clePostingDate"] <= row["cleClosedAtDate"] <= TODAY.isoformat()


def test_every_posted_invoice_credit_memo_and_payment_has_an_initial_entry(store: SandboxStore) -> None:
    for company in store.companies:
        initial = {
            (r["dcleDocumentType"], r["dcleDocumentNo"])
            for r in _entries(store, company)
            if r["dcleLedgerEntryAmount"]
        }
        posted_invoices = {
            i["number"] for i in _standard(store, company, "salesInvoices") if i["status"] != "Draft"
        }
        posted_memos = {
            m["number"] for m in _standard(store, company, "salesCreditMemos") if m["status"] != "Draft"
        }
        assert {("Invoice", n) for n in posted_invoices} <= initial
        assert {("Credit_x0020_Memo", n) for n in posted_memos} <= initial
        assert any(kind == "Payment" for kind, _ in initial)
        assert not {n for _, n in initial} & {
            i["number"] for i in _standard(store, company, "salesInvoices") if i["status"] == "Draft"
        }
