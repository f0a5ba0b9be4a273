"""After staff have worked for a while, the world still behaves like a Business Central company.

The same promises as tests/sandbox/test_world_invariants.py, checked on the store after many
random staff actions: quantities never run ahead of each other, posted documents add up to the
open orders' quantities, no finished order lingers, and every ledger agrees to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from gateway.sandbox.staff import StaffError, run_action
from gateway.sandbox.state import Sandbox
from gateway.sandbox.store import Row
from tests.sandbox.staff.conftest import rows

pytestmark = pytest.mark.anyio

ACTIONS_DONE = 60


def _open_items(sandbox: Sandbox, company_id: str) -> dict[str, Decimal]:
    """What each customer owes on open invoices less open credit memos (customer currency)."""
    owed: dict[str, Decimal] = defaultdict(Decimal)
    for invoice in rows(sandbox, company_id, "salesInvoices"):
        if invoice["status"] == "Open":
            owed[invoice["customerNumber"]] += invoice["remainingAmount"]
    for memo in rows(sandbox, company_id, "salesCreditMemos"):
        if memo["status"] == "Open":
            owed[memo["customerNumber"]] -= memo["totalAmountIncludingTax"]
    return owed


def _unexplained(sandbox: Sandbox, company_id: str) -> dict[str, Decimal]:
    """Balance due beyond the open documents: the unapplied payments, which staff never touch."""
    owed = _open_items(sandbox, company_id)
    return {c["number"]: c["balanceDue"] - owed[c["number"]] for c in rows(sandbox, company_id, "customers")}


@pytest.fixture
async def worked(sandbox: Sandbox) -> tuple[Sandbox, dict[str, dict[str, Decimal]], list[str]]:
    before = {c["id"]: _unexplained(sandbox, c["id"]) for c in sandbox.store.companies}
    done = []
    for _ in range(ACTIONS_DONE):
        try:
            done.append((await run_action(sandbox, "random", {}, sandbox.staff_rng)).action)
        except StaffError:
            continue
    return sandbox, before, done


def _companies(sandbox: Sandbox) -> list[str]:
    return [c["id"] for c in sandbox.store.companies]


async def test_staff_did_every_kind_of_work(
    worked: tuple[Sandbox, dict[str, dict[str, Decimal]], list[str]],
) -> None:
    _, _, done = worked
    assert set(done) == {"release", "ship", "invoice", "pay", "stock", "answer"}


async def test_order_quantities_stay_in_order(
    worked: tuple[Sandbox, dict[str, dict[str, Decimal]], list[str]],
) -> None:
    sandbox, _, _ = worked
    for co in _companies(sandbox):
        for line in rows(sandbox, co, "salesOrderLines"):
            assert 0 <= line["invoicedQuantity"] <= line["shippedQuantity"] <= line["quantity"]
            assert line["shipQuantity"] == line["quantity"] - line["shippedQuantity"]
            assert line["invoiceQuantity"] == line["quantity"] - line["invoicedQuantity"]


async def test_posted_lines_add_up_to_the_open_orders_quantities(
    worked: tuple[Sandbox, dict[str, dict[str, Decimal]], list[str]],
) -> None:
    sandbox, _, _ = worked
    for co in _companies(sandbox):
        shipment_order = {s["id"]: s["orderNumber"] for s in rows(sandbox, co, "salesShipments")}
        shipped: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        for line in rows(sandbox, co, "salesShipmentLines"):
            shipped[(shipment_order[line["documentId"]], line["sequence"])] += line["quantity"]
        invoice_order = {i["id"]: i["orderId"] for i in rows(sandbox, co, "salesInvoices")}
        invoiced: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        for line in rows(sandbox, co, "salesInvoiceLines"):
            invoiced[(invoice_order[line["documentId"]], line["sequence"])] += line["quantity"]
        numbers = {o["id"]: o["number"] for o in rows(sandbox, co, "salesOrders")}
        for line in rows(sandbox, co, "salesOrderLines"):
            if line["lineType"] == "Comment":
                continue
            assert shipped.get((numbers[line["documentId"]], line["sequence"]), 0) == line["shippedQuantity"]
            assert invoiced.get((line["documentId"], line["sequence"]), 0) == line["invoicedQuantity"]


async def test_no_finished_order_is_left_and_every_flag_is_right(
    worked: tuple[Sandbox, dict[str, dict[str, Decimal]], list[str]],
) -> None:
    sandbox, _, _ = worked
    for co in _companies(sandbox):
        by_order: dict[str, list[Row]] = defaultdict(list)
        for line in rows(sandbox, co, "salesOrderLines"):
            by_order[line["documentId"]].append(line)
        for order in rows(sandbox, co, "salesOrders"):
            lines = by_order[order["id"]]
            assert any(line["invoicedQuantity"] < line["quantity"] for line in lines)
            assert order["fullyShipped"] == all(line["shippedQuantity"] == line["quantity"] for line in lines)


async def test_invoices_add_up_and_paid_ones_owe_nothing(
    worked: tuple[Sandbox, dict[str, dict[str, Decimal]], list[str]],
) -> None:
    sandbox, _, _ = worked
    for co in _companies(sandbox):
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for line in rows(sandbox, co, "salesInvoiceLines"):
            gross = (line["quantity"] * line["unitPrice"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert line["amountExcludingTax"] == gross - line["discountAmount"]
            assert line["amountIncludingTax"] == line["amountExcludingTax"] + line["totalTaxAmount"]
            sums[line["documentId"]] += line["amountIncludingTax"]
        for invoice in rows(sandbox, co, "salesInvoices"):
            assert invoice["totalAmountIncludingTax"] == sums[invoice["id"]]
            assert 0 <= invoice["remainingAmount"] <= invoice["totalAmountIncludingTax"]
            if invoice["status"] == "Paid":
                assert invoice["remainingAmount"] == 0


async def test_balances_aging_and_the_ledger_agree_to_the_cent(
    worked: tuple[Sandbox, dict[str, dict[str, Decimal]], list[str]],
) -> None:
    sandbox, before, _ = worked
    for co in _companies(sandbox):
        assert _unexplained(sandbox, co) == before[co]
        customers = {c["id"]: c for c in rows(sandbox, co, "customers")}
        aged = {a["customerId"]: a for a in rows(sandbox, co, "agedAccountsReceivables")}
        ledger: dict[str, Decimal] = defaultdict(Decimal)
        for entry in rows(sandbox, co, "customerLedgerEntries", "microsoft/analytics/v1.0"):
            ledger[entry["dcleCustomerNo"]] += entry["dcleAmountLCY"]
        for detail in rows(sandbox, co, "customerFinancialDetails"):
            customer, age = customers[detail["id"]], aged[detail["id"]]
            if customer["currencyId"] == "00000000-0000-0000-0000-000000000000":
                assert detail["balance"] == customer["balanceDue"]
            buckets = (
                age["currentAmount"] + age["period1Amount"] + age["period2Amount"] + age["period3Amount"]
            )
            assert buckets == age["balanceDue"] == detail["balance"] == ledger[customer["number"]]
            assert detail["overdueAmount"] == age["balanceDue"] - age["currentAmount"]


async def test_posted_documents_carry_their_own_dates(
    worked: tuple[Sandbox, dict[str, dict[str, Decimal]], list[str]],
) -> None:
    sandbox, _, _ = worked
    today = sandbox.config.today
    assert today is not None
    for co in _companies(sandbox):
        posted = [*rows(sandbox, co, "salesShipments"), *rows(sandbox, co, "salesInvoices")]
        staff_posted = [d for d in posted if d["postingDate"] == today.isoformat()]
        assert staff_posted
        for document in (d for d in posted if d["orderNumber"]):
            assert document["invoiceDate"] == document["postingDate"] <= today.isoformat()
            assert document["dueDate"] >= document["invoiceDate"]
