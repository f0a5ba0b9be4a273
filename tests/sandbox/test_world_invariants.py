"""The demo world behaves like a Business Central company: quantities, statuses and balances agree."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from gateway.sandbox.store import Row
from gateway.sandbox.world.build import CompanyWorld, simulate, standard_tables

TODAY = date(2026, 11, 25)
SEED = 11


@pytest.fixture(scope="module")
def worlds() -> tuple[CompanyWorld, ...]:
    return simulate(SEED, 0.15, TODAY)


@pytest.fixture(scope="module")
def tables(worlds: tuple[CompanyWorld, ...]) -> list[dict[str, list[Row]]]:
    return [standard_tables(world, SEED) for world in worlds]


def _moved(rows: list[Row], key: str) -> dict[tuple[str, int], Decimal]:
    sums: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for row in rows:
        sums[(row[key], row["sequence"])] += row["quantity"]
    return sums


def test_order_lines_never_ship_more_than_ordered_nor_invoice_more_than_shipped(
    tables: list[dict[str, list[Row]]],
) -> None:
    for t in tables:
        for line in t["salesOrderLines"]:
            assert 0 <= line["invoicedQuantity"] <= line["shippedQuantity"] <= line["quantity"]
            assert line["shipQuantity"] == line["quantity"] - line["shippedQuantity"]
            assert line["invoiceQuantity"] == line["quantity"] - line["invoicedQuantity"]


def test_posted_lines_add_up_to_the_open_orders_shipped_and_invoiced_quantities(
    tables: list[dict[str, list[Row]]],
) -> None:
    for t in tables:
        shipment_order = {s["id"]: s["orderNumber"] for s in t["salesShipments"]}
        shipped = _moved(
            [{**r, "order": shipment_order[r["documentId"]]} for r in t["salesShipmentLines"]], "order"
        )
        invoice_order = {i["id"]: i["orderId"] for i in t["salesInvoices"]}
        invoiced = _moved(
            [{**r, "order": invoice_order[r["documentId"]]} for r in t["salesInvoiceLines"]], "order"
        )
        orders = {o["id"]: o["number"] for o in t["salesOrders"]}
        for line in t["salesOrderLines"]:
            if line["lineType"] == "Comment":
                continue
            number = orders[line["documentId"]]
            assert shipped.get((number, line["sequence"]), Decimal(0)) == line["shippedQuantity"]
            assert (
                invoiced.get((line["documentId"], line["sequence"]), Decimal(0)) == line["invoicedQuantity"]
            )


def test_completed_orders_are_gone_but_their_posted_documents_cover_them(
    worlds: tuple[CompanyWorld, ...], tables: list[dict[str, list[Row]]]
) -> None:
    for world, t in zip(worlds, tables, strict=True):
        listed = {o["id"] for o in t["salesOrders"]}
        completed = [h.order for h in world.histories if h.order.completed]
        assert completed
        invoiced = _moved(
            [
                {**r, "order": i["orderId"]}
                for i in t["salesInvoices"]
                for r in _lines_of(t, "salesInvoiceLines", i)
            ],
            "order",
        )
        for order in completed:
            assert order.id not in listed
            for ol in order.lines:
                if ol.line.quantity:
                    assert invoiced[(order.id, ol.line.sequence)] == ol.line.quantity


def _lines_of(t: dict[str, list[Row]], table: str, header: Row) -> list[Row]:
    return [line for line in t[table] if line["documentId"] == header["id"]]


def test_no_order_left_in_sales_orders_is_fully_shipped_and_invoiced(
    tables: list[dict[str, list[Row]]],
) -> None:
    for t in tables:
        by_order: dict[str, list[Row]] = defaultdict(list)
        for line in t["salesOrderLines"]:
            by_order[line["documentId"]].append(line)
        for order in t["salesOrders"]:
            lines = by_order[order["id"]]
            assert any(line["invoicedQuantity"] < line["quantity"] for line in lines)
            assert order["fullyShipped"] == all(line["shippedQuantity"] == line["quantity"] for line in lines)


def test_open_orders_cover_every_lifecycle_stage(tables: list[dict[str, list[Row]]]) -> None:
    for t in tables:
        by_order: dict[str, list[Row]] = defaultdict(list)
        for line in t["salesOrderLines"]:
            if line["lineType"] != "Comment":
                by_order[line["documentId"]].append(line)
        stages = {_stage(lines) for lines in by_order.values()}
        assert stages >= {"unshipped", "partly shipped", "shipped", "partly invoiced"}


def _stage(lines: list[Row]) -> str:
    if any(line["invoicedQuantity"] for line in lines):
        return "partly invoiced"
    if all(line["shippedQuantity"] == line["quantity"] for line in lines):
        return "shipped"
    return "partly shipped" if any(line["shippedQuantity"] for line in lines) else "unshipped"


@pytest.mark.parametrize(
    ("table", "statuses"),
    [
        ("salesOrders", {"Draft", "In_x0020_Review", "Open"}),
        ("salesInvoices", {"Draft", "Open", "Paid", "Canceled", "Corrective"}),
        ("salesCreditMemos", {"Draft", "Open", "Paid", "Canceled", "Corrective"}),
    ],
)
def test_every_status_is_present(tables: list[dict[str, list[Row]]], table: str, statuses: set[str]) -> None:
    for t in tables:
        assert {row["status"] for row in t[table]} >= statuses


def test_lines_carry_comments_accounts_and_now_blocked_items(tables: list[dict[str, list[Row]]]) -> None:
    for t in tables:
        blocked = {item["id"] for item in t["items"] if item["blocked"]}
        lines = t["salesOrderLines"] + t["salesInvoiceLines"]
        assert {line["lineType"] for line in lines} >= {"Item", "Account", "Comment"}
        assert any(line["itemId"] in blocked for line in lines)
        comments = [line for line in lines if line["lineType"] == "Comment"]
        assert all(line["quantity"] == 0 and line["lineObjectNumber"] == "" for line in comments)


def test_line_amounts_follow_price_quantity_discount_and_tax(tables: list[dict[str, list[Row]]]) -> None:
    for t in tables:
        for line in t["salesOrderLines"] + t["salesInvoiceLines"] + t["salesCreditMemoLines"]:
            gross = (line["quantity"] * line["unitPrice"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert line["amountExcludingTax"] == gross - line["discountAmount"]
            assert line["amountIncludingTax"] == line["amountExcludingTax"] + line["totalTaxAmount"]


def test_invoice_totals_are_the_sum_of_their_lines(tables: list[dict[str, list[Row]]]) -> None:
    for t in tables:
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for line in t["salesInvoiceLines"]:
            sums[line["documentId"]] += line["amountIncludingTax"]
        for invoice in t["salesInvoices"]:
            assert invoice["totalAmountIncludingTax"] == sums[invoice["id"]]
            assert 0 <= invoice["remainingAmount"] <= invoice["totalAmountIncludingTax"]


def test_paid_invoices_have_nothing_left_and_some_open_ones_are_overdue(
    tables: list[dict[str, list[Row]]],
) -> None:
    for t in tables:
        posted = [i for i in t["salesInvoices"] if i["status"] != "Draft"]
        assert all(
            i["remainingAmount"] == 0 for i in posted if i["status"] in ("Paid", "Canceled", "Corrective")
        )
        assert all(i["remainingAmount"] > 0 for i in posted if i["status"] == "Open")
        assert any(i["status"] == "Open" and i["dueDate"] < TODAY.isoformat() for i in posted)
        assert any(
            i["status"] == "Open" and i["remainingAmount"] < i["totalAmountIncludingTax"] for i in posted
        )


def test_draft_invoices_exist_with_their_own_number_series(tables: list[dict[str, list[Row]]]) -> None:
    for t in tables:
        drafts = [i for i in t["salesInvoices"] if i["status"] == "Draft"]
        posted_numbers = {i["number"] for i in t["salesInvoices"] if i["status"] != "Draft"}
        assert drafts
        assert not {d["number"] for d in drafts} & posted_numbers
        assert all(d["orderNumber"] == "" for d in drafts)


def test_customer_balance_is_open_invoices_less_open_credit_memos_and_unapplied_payments(
    worlds: tuple[CompanyWorld, ...], tables: list[dict[str, list[Row]]]
) -> None:
    for world, t in zip(worlds, tables, strict=True):
        expected: dict[str, Decimal] = defaultdict(Decimal)
        for invoice in t["salesInvoices"]:
            if invoice["status"] == "Open":
                expected[invoice["customerNumber"]] += invoice["remainingAmount"]
        for memo in t["salesCreditMemos"]:
            if memo["status"] == "Open":
                expected[memo["customerNumber"]] -= memo["totalAmountIncludingTax"]
        for payment in world.ledger.payments:
            expected[payment.customer.number] -= payment.unapplied
        for customer in t["customers"]:
            assert customer["balanceDue"] == expected[customer["number"]], customer["number"]


def test_financial_details_and_aging_agree_with_the_balance(tables: list[dict[str, list[Row]]]) -> None:
    for t in tables:
        customers = {c["id"]: c for c in t["customers"]}
        aged = {a["customerId"]: a for a in t["agedAccountsReceivables"]}
        for detail in t["customerFinancialDetails"]:
            customer = customers[detail["id"]]
            row = aged[detail["id"]]
            if customer["currencyId"] == "00000000-0000-0000-0000-000000000000":
                assert detail["balance"] == customer["balanceDue"]
            buckets = (
                row["currentAmount"] + row["period1Amount"] + row["period2Amount"] + row["period3Amount"]
            )
            assert buckets == row["balanceDue"] == detail["balance"]
            assert detail["overdueAmount"] == row["balanceDue"] - row["currentAmount"]


def test_some_customers_owe_money_and_some_have_unapplied_payments(worlds: tuple[CompanyWorld, ...]) -> None:
    for world in worlds:
        assert any(b.overdue_lcy > 0 for b in world.balances.values())
        assert any(p.unapplied > 0 for p in world.ledger.payments)


def test_posted_documents_carry_their_own_dates_not_the_orders(
    worlds: tuple[CompanyWorld, ...], tables: list[dict[str, list[Row]]]
) -> None:
    """BC gives a posted shipment or invoice its own Document Date (the API's invoiceDate) and
    Posting Date: days or weeks after the order date, which no posted document carries."""
    for world, t in zip(worlds, tables, strict=True):
        ordered = {h.order.number: h.order.document_date.isoformat() for h in world.histories}
        posted = [*t["salesShipments"], *(i for i in t["salesInvoices"] if i["orderNumber"])]
        for document in posted:
            assert document["orderNumber"]
            assert ordered[document["orderNumber"]] <= document["invoiceDate"] == document["postingDate"]
            assert document["postingDate"] <= TODAY.isoformat()
        assert any(ordered[d["orderNumber"]] < d["invoiceDate"] for d in posted)
        orders_with_many: dict[str, int] = defaultdict(int)
        for shipment in t["salesShipments"]:
            orders_with_many[shipment["orderNumber"]] += 1
        assert max(orders_with_many.values()) > 1


def test_some_orders_ship_in_one_month_and_are_invoiced_in_the_next(
    worlds: tuple[CompanyWorld, ...],
) -> None:
    for world in worlds:
        crossing = [
            h
            for h in world.histories
            if any(
                (s.posting_date.year, s.posting_date.month) != (i.posting_date.year, i.posting_date.month)
                for s, i in zip(h.shipments, h.invoices, strict=False)
            )
        ]
        assert crossing
        assert any(len(h.shipments) > 1 and h.order.completed for h in crossing)


def test_names_include_apostrophes_and_non_ascii_letters(tables: list[dict[str, list[Row]]]) -> None:
    names = [c["displayName"] for t in tables for c in t["customers"]]
    assert any("'" in name for name in names)
    assert any(not name.isascii() for name in names)


def test_customers_mix_currencies_credit_limits_and_blocking(tables: list[dict[str, list[Row]]]) -> None:
    for t in tables:
        customers = t["customers"]
        assert len({c["currencyCode"] for c in customers}) >= 2
        assert any(c["creditLimit"] == 0 for c in customers)
        assert {"All", "Ship", "_x0020_"} <= {c["blocked"] for c in customers}


def test_items_mix_types_blocking_and_empty_stock(tables: list[dict[str, list[Row]]]) -> None:
    for t in tables:
        items = t["items"]
        assert {i["type"] for i in items} == {"Inventory", "Service", "Non_x002D_Inventory"}
        assert any(i["blocked"] for i in items)
        assert any(i["inventory"] == 0 and i["type"] == "Inventory" for i in items)
        assert any(i["number"].endswith("-S") for i in items)
