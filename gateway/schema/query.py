"""The root Query: what a signed-in customer can read.  No argument can name a customer.

Each feature contributes its own type from ``gateway/schema/queries/``; they are merged here.
"""

from __future__ import annotations

from strawberry.tools import merge_types

from gateway.schema.queries.account import AccountQuery
from gateway.schema.queries.catalogue import CatalogueQuery
from gateway.schema.queries.credit_memos import CreditMemosQuery
from gateway.schema.queries.customer_queries import CustomerQueriesQuery
from gateway.schema.queries.invoices import InvoicesQuery
from gateway.schema.queries.orders import OrdersQuery
from gateway.schema.queries.shipments import ShipmentsQuery
from gateway.schema.queries.statement import StatementQuery

Query = merge_types(
    "Query",
    (
        AccountQuery,
        OrdersQuery,
        InvoicesQuery,
        CreditMemosQuery,
        ShipmentsQuery,
        CatalogueQuery,
        StatementQuery,
        CustomerQueriesQuery,
    ),
)
