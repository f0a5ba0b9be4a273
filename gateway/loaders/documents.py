"""The customer's documents — orders, posted invoices, posted shipments — as query shapes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gateway.bc import (
    CustomerScope,
    Entity,
    Expand,
    Field,
    Filter,
    Query,
    SalesCreditMemo,
    SalesInvoice,
    SalesOrder,
    SalesShipment,
    ScopedQuery,
    any_of,
    scoped,
)
from gateway.loaders.queries import (
    credit_memo_lines_expand,
    invoice_lines_expand,
    order_lines_expand,
    shipment_lines_expand,
)

D = TypeVar("D", bound=Entity)


@dataclass(frozen=True)
class DocumentKind(Generic[D]):
    """An entity set of headers with contained lines, and the model that reads them."""

    entity_set: str
    model: type[D]
    lines: Any  # (*, with_items: bool) -> Expand

    def query(
        self,
        *,
        filter: Filter | None,
        with_lines: bool = True,
        with_items: bool = False,
        orderby: tuple[str, ...] = (),
        top: int | None = None,
    ) -> Query:
        expand: tuple[Expand, ...] = (self.lines(with_items=with_items),) if with_lines else ()
        return Query(
            self.entity_set, filter=filter, select=self.model.SELECT, expand=expand, orderby=orderby, top=top
        )

    def by_key(
        self, field: str, scope: CustomerScope, *, with_items: bool = False, orderby: tuple[str, ...] = ()
    ) -> Callable[[Sequence[Any]], ScopedQuery]:
        """The caller's documents whose ``field`` is any of some keys, lines expanded: the read
        ``BCSession.fetch_by_key`` keeps one answer per key of."""

        def query_for(keys: Sequence[Any]) -> ScopedQuery:
            query = self.query(filter=any_of(Field(field), keys), with_items=with_items, orderby=orderby)
            return scoped(query, scope)

        return query_for


def _shipment_lines(*, with_items: bool) -> Expand:
    # Shipment lines have no item id, so items cannot be expanded: they load by number instead.
    return shipment_lines_expand()


ORDERS: DocumentKind[SalesOrder] = DocumentKind("salesOrders", SalesOrder, order_lines_expand)
INVOICES: DocumentKind[SalesInvoice] = DocumentKind("salesInvoices", SalesInvoice, invoice_lines_expand)
SHIPMENTS: DocumentKind[SalesShipment] = DocumentKind("salesShipments", SalesShipment, _shipment_lines)
CREDIT_MEMOS: DocumentKind[SalesCreditMemo] = DocumentKind(
    "salesCreditMemos", SalesCreditMemo, credit_memo_lines_expand
)
