"""The OData shapes the portal reads: which properties, which expansions.

One place, so a list query and a keyed lookup of the same entity ask BC for the same columns.
Each shape is built once per process (``functools.cache``: an ``Expand`` is immutable), and so
validated and rendered once, not in every operation that reads it.
"""

from __future__ import annotations

import functools

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


@functools.cache
def item_expand() -> Expand:
    """Lines' ``item`` navigation, with what the catalogue shows of an item."""
    return Expand("item", select=Item.SELECT, expand=ITEM_EXPANDS)


@functools.cache
def order_lines_expand(*, with_items: bool) -> Expand:
    return Expand(
        "salesOrderLines",
        select=SalesOrderLine.SELECT,
        expand=(item_expand(),) if with_items else (),
        orderby=("sequence asc",),
    )


@functools.cache
def invoice_lines_expand(*, with_items: bool) -> Expand:
    return Expand(
        "salesInvoiceLines",
        select=SalesInvoiceLine.SELECT,
        expand=(item_expand(),) if with_items else (),
        orderby=("sequence asc",),
    )


@functools.cache
def shipment_lines_expand() -> Expand:
    return Expand("salesShipmentLines", select=SalesShipmentLine.SELECT, orderby=("sequence asc",))


@functools.cache
def credit_memo_lines_expand(*, with_items: bool) -> Expand:
    return Expand(
        "salesCreditMemoLines",
        select=SalesCreditMemoLine.SELECT,
        expand=(item_expand(),) if with_items else (),
        orderby=("sequence asc",),
    )
