"""BC's sales-order logic for POST/PATCH/DELETE on ``salesOrders`` and ``salesOrderLines``.

What ``APIV2SalesOrders``/``APIV2SalesOrderLines`` and the Sales Header/Sales Line tables do
(REFERENCE §7.1): a sell-to customer is required and must not be blocked for everything; the number
comes from the company's order series; lines resolve their item (or account), take price, unit and
tax from it, and the header's totals follow its lines.  The sell-to customer of an order may be
changed while the order is open (not released) and nothing of it is shipped, as the Sales Header's
*Sell-to Customer No.* validation allows (``sell_to_changes``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.sandbox.errors import SandboxError
from gateway.sandbox.numbers import next_number
from gateway.sandbox.rules import Rules, WriteContext
from gateway.sandbox.store import STANDARD_ROUTE, Row

ZERO = Decimal(0)
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
BLANK_DATE = "0001-01-01"
_CENT = Decimal("0.01")
_AMOUNT_INPUTS = {"quantity", "unitPrice", "discountPercent", "discountAmount"}
# The API's order status → the Sales Header's Status it stands for (REFERENCE §7.2).
_HEADER_STATUS = {"Draft": "Open", "Open": "Released", "In_x0020_Review": "Pending Approval"}


def dialog(message: str) -> SandboxError:
    """An AL ``Error()`` call, as BC reports it."""
    return SandboxError(400, "Application_DialogException", message)


def money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def find(rows: list[Row], field: str, value: Any) -> Row | None:
    wanted = str(value).lower()
    return next((r for r in rows if str(r.get(field, "")).lower() == wanted), None)


class SalesOrderRules(Rules):
    def on_insert(self, ctx: WriteContext, row: Row, given: dict[str, Any], parent: Row | None) -> None:
        customer = _sell_to_customer(ctx, given)
        _refuse_blocked(customer)
        # Blocked "Ship" may still order; BC refuses only the shipment (posting) later.
        _check_relations(ctx, given)
        today = ctx.today.isoformat()
        defaults = {
            **_customer_fields(customer),
            "orderDate": today,
            "postingDate": today,
            "partialShipping": True,
            "discountAppliedBeforeTax": True,
        }
        row.update(
            {k: v for k, v in defaults.items() if (k in row and k not in given) or k.startswith("customer")}
        )
        if "currencyCode" in given and "currencyId" not in given:  # the code decides the id
            currency = find(ctx.table("currencies", STANDARD_ROUTE), "code", given["currencyCode"])
            row["currencyId"] = currency["id"] if currency else ZERO_GUID
        if not row.get("currencyCode"):
            row["currencyCode"] = _local_currency(ctx)
        number = next_number(ctx.store, ctx.journal, ctx.company_id, ctx.route, "salesOrders", "SO000001")
        row.update({"number": number, "status": "Draft", "fullyShipped": False})
        row.update(
            dict.fromkeys(("totalAmountExcludingTax", "totalTaxAmount", "totalAmountIncludingTax"), ZERO)
        )

    def on_update(self, ctx: WriteContext, row: Row, changes: dict[str, Any]) -> dict[str, Any]:
        if not {"customerId", "customerNumber"} & set(changes):
            return {}
        customer = _sell_to_customer(ctx, {"customerId": ZERO_GUID, **changes})
        if customer["id"] == row.get("customerId"):
            return {}
        return sell_to_changes(ctx, row, customer)


def sell_to_changes(ctx: WriteContext, order: Row, customer: Row) -> dict[str, Any]:
    """What changing ``order``'s sell-to customer to ``customer`` changes, or BC's refusal.

    BC's *Sell-to Customer No.* validation tests that the order is open (the API's ``Draft``: not
    released, not pending approval) and that none of its lines is shipped, refuses a customer
    blocked for everything, and takes the new customer's name, addresses, bill-to customer,
    currency, terms and contact details."""
    status = str(order.get("status"))
    if status != "Draft":
        raise SandboxError(
            400,
            "Application_FieldValidationException",
            f"Status must be equal to 'Open'  in Sales Header: Document Type=Order, "
            f"No.={order['number']}. Current value is '{_HEADER_STATUS.get(status, status)}'.",
        )
    lines = sorted(
        (r for r in ctx.table("salesOrderLines") if r["documentId"] == order["id"]),
        key=lambda r: int(r["sequence"]),
    )
    for line in lines:
        if Decimal(line.get("shippedQuantity") or ZERO) != ZERO:
            raise SandboxError(
                400,
                "Application_FieldValidationException",
                f"Quantity Shipped must be equal to '0'  in Sales Line: Document Type=Order, "
                f"Document No.={order['number']}, Line No.={line['sequence']}. "
                f"Current value is '{Decimal(line['shippedQuantity']):f}'.",
            )
    _refuse_blocked(customer)
    fields = _customer_fields(customer)
    currency = fields["currencyCode"] or _local_currency(ctx)
    if currency != (order.get("currencyCode") or _local_currency(ctx)):
        # BC recreates the lines and prices them again in the new currency; the sandbox does not.
        raise dialog(
            "The sandbox does not move an order to a customer billed in another currency "
            f"(Customer {customer['number']}: {currency})."
        )
    return {k: v for k, v in fields.items() if k in order and k not in ("currencyId", "currencyCode")}


def _refuse_blocked(customer: Row) -> None:
    if customer.get("blocked") == "All":
        raise dialog(
            f"You cannot create this type of document when Customer {customer['number']} "
            "is blocked with type All"
        )


def _customer_fields(customer: Row) -> dict[str, Any]:
    """What an order takes from its sell-to customer (who is also its bill-to customer here)."""
    return {
        "customerId": customer["id"],
        "customerNumber": customer["number"],
        "customerName": customer.get("displayName", ""),
        "billToName": customer.get("displayName", ""),
        "billToCustomerId": customer["id"],
        "billToCustomerNumber": customer["number"],
        "shipToName": customer.get("displayName", ""),
        **_address(customer, "sellTo"),
        **_address(customer, "billTo"),
        **_address(customer, "shipTo"),
        "currencyId": customer.get("currencyId", ZERO_GUID),
        "currencyCode": customer.get("currencyCode", ""),
        "paymentTermsId": customer.get("paymentTermsId", ZERO_GUID),
        "shipmentMethodId": customer.get("shipmentMethodId", ZERO_GUID),
        "salesperson": customer.get("salespersonCode", ""),
        "phoneNumber": customer.get("phoneNumber", ""),
        "email": customer.get("email", ""),
    }


class SalesOrderLineRules(Rules):
    def on_insert(self, ctx: WriteContext, row: Row, given: dict[str, Any], parent: Row | None) -> None:
        header = parent or _header_of(ctx, row)
        row["documentId"] = header["id"]
        if given.get("itemId", ZERO_GUID) != ZERO_GUID and given.get("accountId", ZERO_GUID) != ZERO_GUID:
            raise dialog('Both "itemId" and "accountId" are specified. Specify only one of them.')
        line_type = _line_type(given)
        row["lineType"] = line_type
        if line_type == "Item":
            _item_line(ctx, row, given, header)
        elif line_type == "Account":
            _account_line(ctx, row, given)
        elif line_type == "Comment":
            _comment_line(row, given)
        if row["quantity"] < 0:
            raise SandboxError(
                400,
                "Application_FieldValidationException",
                "Quantity must be positive in Sales Line: Document Type=Order, "
                f"Document No.={header['number']}, Line No.={row['sequence'] or 10000}.",
            )
        _sequence(ctx, row, header)
        if line_type != "Comment":
            row["shipmentDate"] = given.get("shipmentDate", header.get("orderDate", BLANK_DATE))
        row.update({"shippedQuantity": ZERO, "invoicedQuantity": ZERO, "discountAppliedBeforeTax": True})
        row.update(line_amounts(row))

    def after_insert(self, ctx: WriteContext, row: Row) -> None:
        _retotal(ctx, row["documentId"])

    def on_update(self, ctx: WriteContext, row: Row, changes: dict[str, Any]) -> dict[str, Any]:
        if "quantity" in changes and changes["quantity"] < 0:
            raise SandboxError(400, "Application_FieldValidationException", "Quantity must be positive.")
        if not _AMOUNT_INPUTS & set(changes):
            return {}
        return line_amounts({**row, **changes})

    def after_change(self, ctx: WriteContext, row: Row) -> None:
        _retotal(ctx, row["documentId"])


def _sell_to_customer(ctx: WriteContext, given: dict[str, Any]) -> Row:
    customers = ctx.table("customers", STANDARD_ROUTE)
    customer_id = given.get("customerId", ZERO_GUID)
    number = given.get("customerNumber", "")
    if customer_id != ZERO_GUID:
        customer = find(customers, "id", customer_id)
        if customer is None:
            raise dialog('The "customerId" does not match to a Customer.')
        return customer
    if not number:
        raise dialog('A "customerNumber" or a "customerId" must be provided.')
    customer = find(customers, "number", number)
    if customer is None:
        raise SandboxError(
            400,
            "Internal_RecordNotFound",
            f"The Customer does not exist. Identification fields and values: No.='{number}'",
        )
    return customer


# Header fields validated against their tables (REFERENCE §7.1): field → (entity set, key, name).
_RELATIONS = {
    "currencyId": ("currencies", "id", "Currency"),
    "currencyCode": ("currencies", "code", "Currency"),
    "paymentTermsId": ("paymentTerms", "id", "Payment Term"),
    "shipmentMethodId": ("shipmentMethods", "id", "Shipment Method"),
    "billToCustomerId": ("customers", "id", "Customer"),
    "billToCustomerNumber": ("customers", "number", "Customer"),
}


def _check_relations(ctx: WriteContext, given: dict[str, Any]) -> None:
    for field, (entity_set, key, name) in _RELATIONS.items():
        value = given.get(field)
        if value in (None, "", ZERO_GUID):
            continue
        if field == "currencyCode" and value == _local_currency(ctx):
            continue  # the local currency has no row of its own
        if find(ctx.table(entity_set, STANDARD_ROUTE), key, value) is None:
            raise dialog(f'The "{field}" does not match to a {name}.')


def _address(customer: Row, prefix: str) -> dict[str, Any]:
    return {
        f"{prefix}AddressLine1": customer.get("addressLine1", ""),
        f"{prefix}AddressLine2": customer.get("addressLine2", ""),
        f"{prefix}City": customer.get("city", ""),
        f"{prefix}Country": customer.get("country", ""),
        f"{prefix}State": customer.get("state", ""),
        f"{prefix}PostCode": customer.get("postalCode", ""),
    }


def _local_currency(ctx: WriteContext) -> str:
    setup = ctx.table("generalLedgerSetup", STANDARD_ROUTE)
    return str(setup[0].get("localCurrencyCode", "")) if setup else ""


def _header_of(ctx: WriteContext, row: Row) -> Row:
    document_id = row.get("documentId", ZERO_GUID)
    header = find(ctx.table("salesOrders"), "id", document_id) if document_id != ZERO_GUID else None
    if header is None:
        raise dialog('The "documentId" does not match to a Sales Order.')
    return header


def _line_type(given: dict[str, Any]) -> str:
    if given.get("itemId", ZERO_GUID) != ZERO_GUID:
        return "Item"
    if given.get("accountId", ZERO_GUID) != ZERO_GUID:
        return "Account"
    return str(given.get("lineType", "Comment"))


def _item_line(ctx: WriteContext, row: Row, given: dict[str, Any], header: Row) -> None:
    items = ctx.table("items", STANDARD_ROUTE)
    if given.get("itemId", ZERO_GUID) != ZERO_GUID:
        item = find(items, "id", given["itemId"])
    else:
        item = (
            find(items, "number", given.get("lineObjectNumber", ""))
            if given.get("lineObjectNumber")
            else None
        )
    if item is None:
        raise dialog("Item does not exist.")
    if item.get("blocked") is True:
        raise SandboxError(
            400,
            "Application_FieldValidationException",
            f"Blocked must be equal to 'No'  in Item: No.={item['number']}. Current value is 'Yes'.",
        )
    setup = ctx.table("generalLedgerSetup", STANDARD_ROUTE)
    standard = setup[0] if setup else {}
    row.update(
        {
            "itemId": item["id"],
            "accountId": ZERO_GUID,
            "lineObjectNumber": item["number"],
            "description": given.get("description", item.get("displayName", "")),
            "unitOfMeasureId": given.get("unitOfMeasureId", item.get("baseUnitOfMeasureId", ZERO_GUID)),
            "unitOfMeasureCode": given.get("unitOfMeasureCode", item.get("baseUnitOfMeasureCode", "")),
            "unitPrice": given.get("unitPrice", item.get("unitPrice", ZERO)),
            "taxCode": given.get("taxCode", item.get("_taxCode", standard.get("_standardTaxCode", ""))),
            "taxPercent": Decimal(item.get("_taxPercent", standard.get("_standardTaxPercent")) or ZERO),
        }
    )


def _account_line(ctx: WriteContext, row: Row, given: dict[str, Any]) -> None:
    accounts = ctx.table("accounts", STANDARD_ROUTE)
    if given.get("accountId", ZERO_GUID) != ZERO_GUID:
        account = find(accounts, "id", given["accountId"])
    else:
        account = find(accounts, "number", given.get("lineObjectNumber", ""))
    if account is None:
        raise dialog("Account does not exist.")
    setup = ctx.table("generalLedgerSetup", STANDARD_ROUTE)
    standard = setup[0] if setup else {}
    row.update(
        {
            "accountId": account["id"],
            "itemId": ZERO_GUID,
            "lineObjectNumber": account["number"],
            "description": given.get("description", account.get("displayName", "")),
            "taxCode": given.get("taxCode", standard.get("_standardTaxCode", "")),
            "taxPercent": Decimal(standard.get("_standardTaxPercent", ZERO)),
        }
    )


def _comment_line(row: Row, given: dict[str, Any]) -> None:
    # BC's default line type is Comment, whose "No." is a Standard Text code: a number sent without
    # a lineType is looked up there, not among items (the demo world has no standard texts).
    code = given.get("lineObjectNumber", "")
    if code:
        raise SandboxError(
            400,
            "Internal_RecordNotFound",
            f"The Standard Text does not exist. Identification fields and values: Code='{code}'",
        )
    row.update({"lineObjectNumber": "", "itemId": ZERO_GUID, "accountId": ZERO_GUID})


def _sequence(ctx: WriteContext, row: Row, header: Row) -> None:
    siblings = [r for r in ctx.table("salesOrderLines") if r.get("documentId") == header["id"]]
    if not row.get("sequence"):
        row["sequence"] = max((int(r.get("sequence", 0)) for r in siblings), default=0) + 10000
    elif any(r.get("sequence") == row["sequence"] for r in siblings):
        raise SandboxError(
            400,
            "Internal_EntityWithSameKeyExists",
            "The Sales Line already exists. Identification fields and values: "
            f"Document Type='Order',Document No.='{header['number']}',Line No.='{row['sequence']}'",
        )


def line_amounts(line: Row) -> dict[str, Any]:
    """BC's line maths: line discount first, then tax on the discounted amount, each rounded."""
    quantity = Decimal(line.get("quantity", ZERO))
    if line.get("lineType") == "Comment":
        quantity = ZERO
    gross = money(quantity * Decimal(line.get("unitPrice", ZERO)))
    percent = Decimal(line.get("discountPercent", ZERO))
    discount = (
        money(gross * percent / 100) if percent else min(Decimal(line.get("discountAmount", ZERO)), gross)
    )
    excluding = gross - discount
    tax = money(excluding * Decimal(line.get("taxPercent", ZERO)) / 100)
    return {
        "discountAmount": discount,
        "amountExcludingTax": excluding,
        "totalTaxAmount": tax,
        "amountIncludingTax": excluding + tax,
        "invoiceDiscountAllocation": ZERO,
        "netAmount": excluding,
        "netTaxAmount": tax,
        "netAmountIncludingTax": excluding + tax,
        "shipQuantity": quantity - Decimal(line.get("shippedQuantity", ZERO)),
        "invoiceQuantity": quantity - Decimal(line.get("invoicedQuantity", ZERO)),
    }


def _retotal(ctx: WriteContext, document_id: str) -> None:
    header = find(ctx.table("salesOrders"), "id", document_id)
    if header is None:  # the header itself is being deleted
        return
    lines = [r for r in ctx.table("salesOrderLines") if r.get("documentId") == document_id]
    excluding = sum((Decimal(r["amountExcludingTax"]) for r in lines), ZERO)
    tax = sum((Decimal(r["totalTaxAmount"]) for r in lines), ZERO)
    totals = {
        "totalAmountExcludingTax": excluding,
        "totalTaxAmount": tax,
        "totalAmountIncludingTax": excluding + tax,
        "lastModifiedDateTime": ctx.now,
    }
    if any(header.get(k) != v for k, v in totals.items()):
        ctx.journal.update(header, totals)
