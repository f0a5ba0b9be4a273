"""The session's scope checks: what an unscoped query may not reach, and each row BC returns
checked against the customer (BC may drop a filter it cannot apply, REFERENCE §14)."""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._calls import Row, RowCheck
from ._entity import Entity, attribute_of
from ._errors import ScopeViolation
from ._odata import Expand
from ._scope import CUSTOMER_OWNED, CustomerScope

__all__ = ["SECURITY_LOGGER"]

# Navigations that would pull customer-owned data into an otherwise unscoped query.
_CUSTOMER_NAVIGATIONS = frozenset({"customer", "customerFinancialDetail", "agedAccountsReceivable"})


def _reaches_customer_data(expands: Iterable[Expand]) -> bool:
    return any(
        item.navigation in CUSTOMER_OWNED
        or item.navigation in _CUSTOMER_NAVIGATIONS
        or _reaches_customer_data(item.expand)
        for item in expands
    )


SECURITY_LOGGER = logging.getLogger("gateway.security")


def _scope_filter(
    field_name: str, scope: CustomerScope, entity_set: str, model: type[Entity] | None
) -> RowCheck:
    """Keep only rows of the scope's customer: BC may drop a filter it cannot apply (§14).

    A foreign row should never arrive; when one does, it is dropped and logged as a security
    event (no row content, only where it came from), and the answer goes on without it.  A model
    read from a customer-owned set must declare the set's customer property, or nothing could be
    checked: such a read is refused before any request.
    """
    if model is None:
        customer_of: Callable[[Row], Any] = operator.methodcaller("get", field_name)
    else:
        attribute = attribute_of(model, field_name)
        if attribute is None:
            raise ScopeViolation(f"{model.__name__} does not read {entity_set}.{field_name}, its customer")
        customer_of = operator.attrgetter(attribute)

    def keep(row: Row) -> bool:
        if customer_of(row) == scope.customer_number:
            return True
        SECURITY_LOGGER.error(
            "scope_violation_row_dropped",
            extra={
                "security_event": "scope_violation",
                "entity_set": entity_set,
                "company": str(scope.company_id),
                "customer": scope.customer_number,
            },
        )
        return False

    return keep


def _scope_check(field_name: str, customer_number: str) -> Callable[[Mapping[str, Any]], None]:
    """Check each returned row against the scope: BC may drop a filter it cannot apply (§14)."""

    def check(row: Mapping[str, Any]) -> None:
        if row.get(field_name) != customer_number:
            raise ScopeViolation("Business Central returned a row outside the customer scope")

    return check
