"""The root Query: what a signed-in customer can read.  No argument can name a customer.

Each feature contributes its own type from ``gateway/schema/queries/``; they are merged here.
"""

from __future__ import annotations

from strawberry.tools import merge_types

from gateway.schema.queries.account import AccountQuery
from gateway.schema.queries.catalogue import CatalogueQuery
from gateway.schema.queries.invoices import InvoicesQuery
from gateway.schema.queries.orders import OrdersQuery
from gateway.schema.queries.shipments import ShipmentsQuery

Query = merge_types("Query", (AccountQuery, OrdersQuery, InvoicesQuery, ShipmentsQuery, CatalogueQuery))
