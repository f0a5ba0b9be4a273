"""Which entity sets have business logic on writes (the rest are stored as sent)."""

from __future__ import annotations

from gateway.sandbox.portalqueries import CustomerQueryMessageRules, CustomerQueryRules
from gateway.sandbox.rules import Rules
from gateway.sandbox.salesorders import SalesOrderLineRules, SalesOrderRules

RULES: dict[str, Rules] = {
    "salesOrders": SalesOrderRules(),
    "salesOrderLines": SalesOrderLineRules(),
    "customerQueries": CustomerQueryRules(),
    "customerQueryMessages": CustomerQueryMessageRules(),
}
