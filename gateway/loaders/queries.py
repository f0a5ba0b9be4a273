"""The OData shapes the portal reads: which properties, which expansions.

One place, so a list query and a keyed lookup of the same entity ask BC for the same columns.
"""

from __future__ import annotations

from gateway.bc import (
    Expand,
    Item,
    ItemCategory,
    SalesCreditMemoLine,
    SalesInvoiceLine,
    SalesOrderLine,
    SalesShipmentLine,
    UnitOfMeasure,
)

ITEM_EXPANDS = (
    Expand("itemCategory", select=ItemCategory.SELECT),
    Expand("unitOfMeasure", select=UnitOfMeasure.SELECT),
)


def item_expand() -> Expand:
    """Lines' ``item`` navigation, with what the catalogue shows of an item."""
    return Expand("item", select=Item.SELECT, expand=ITEM_EXPANDS)


def order_lines_expand(*, with_items: bool) -> Expand:
    return Expand(
        "salesOrderLines",
        select=SalesOrderLine.SELECT,
        expand=(item_expand(),) if with_items else (),
        orderby=("sequence asc",),
    )


def invoice_lines_expand(*, with_items: bool) -> Expand:
    return Expand(
        "salesInvoiceLines",
        select=SalesInvoiceLine.SELECT,
        expand=(item_expand(),) if with_items else (),
        orderby=("sequence asc",),
    )


def shipment_lines_expand() -> Expand:
    return Expand("salesShipmentLines", select=SalesShipmentLine.SELECT, orderby=("sequence asc",))


def credit_memo_lines_expand(*, with_items: bool) -> Expand:
    return Expand(
        "salesCreditMemoLines",
        select=SalesCreditMemoLine.SELECT,
        expand=(item_expand(),) if with_items else (),
        orderby=("sequence asc",),
    )
