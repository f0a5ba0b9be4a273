"""Customer scope: the one way to build a request for customer-owned data.

``scoped(query, scope)`` is the only constructor of ``ScopedQuery``; ``BCSession.fetch`` refuses a
plain ``Query`` for any entity set in ``CUSTOMER_OWNED``.  So customer-owned data cannot be read
without ``<customer field> eq '<customer number>'`` in the filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final
from uuid import UUID

from gateway.customer_number import is_customer_number

from ._errors import InvalidScope, ScopeViolation
from ._odata import Field, Filter, Query, _And

__all__ = ["CUSTOMER_OWNED", "CustomerScope", "ScopedQuery", "scoped"]

CUSTOMER_OWNED: Final[Mapping[str, str | None]] = MappingProxyType(
    {
        "customers": "number",
        "customerFinancialDetails": "number",
        "salesOrders": "customerNumber",
        "salesInvoices": "customerNumber",
        "salesShipments": "customerNumber",
        "salesCreditMemos": "customerNumber",
        # Newer than the 2025 API (REFERENCE §9); read only where the tenant's $metadata lists it.
        "salesOrderArchives": "sellToCustomerNumber",
        "agedAccountsReceivables": "customerNumber",
        # The portal custom API (docs/bc-extension.md) and the analytics API (REFERENCE §10).
        "customerQueries": "customerNumber",
        "deliveryDocuments": "customerNumber",
        "customerLedgerEntries": "dcleCustomerNo",
        # Messages carry no customer number: read them only through $expand of a scoped query.
        "customerQueryMessages": None,
        # The portal custom API (docs/bc-extension.md): its customer-owned sets carry customerNumber.
        "shipmentTrackings": "customerNumber",
        # Lines carry no customer number: read them only through $expand of a scoped parent.
        "salesOrderLines": None,
        "salesInvoiceLines": None,
        "salesShipmentLines": None,
        "salesCreditMemoLines": None,
        "salesOrderArchiveLines": None,
    }
)
"""Entity set → the property holding the customer number (``None``: never read directly)."""


@dataclass(frozen=True)
class CustomerScope:
    """The company and customer a GraphQL operation may see; built from the verified identity."""

    company_id: UUID
    customer_number: str

    def __post_init__(self) -> None:
        if not isinstance(self.company_id, UUID) or self.company_id.int == 0:
            raise InvalidScope("company_id must be a non-nil UUID")
        # The rule tokens are held to as well, so the number cannot widen the filter it is put into.
        if not is_customer_number(self.customer_number):
            raise InvalidScope("customer_number is not a valid BC customer number")


_CREATION_KEY: Final = object()


@dataclass(frozen=True)
class ScopedQuery:
    """A query whose filter already restricts it to ``scope``.  Only ``scoped()`` creates one."""

    query: Query
    scope: CustomerScope
    _key: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._key is not _CREATION_KEY:
            raise ScopeViolation("a ScopedQuery is created by scoped() only")
        # dataclasses.replace() copies the key, so the invariant itself is checked as well.
        if not _restricts_to(self.query, self.scope):
            raise ScopeViolation("the query does not carry its scope's customer filter")

    @property
    def scope_field(self) -> str:
        field_name = CUSTOMER_OWNED[self.query.entity_set]
        if field_name is None:  # pragma: no cover - scoped() refuses line sets
            raise ScopeViolation(f"{self.query.entity_set} has no customer field")
        return field_name


def _restricts_to(query: Query, scope: CustomerScope) -> bool:
    """Whether ``query``'s filter ANDs the scope condition at its top level."""
    field_name = CUSTOMER_OWNED.get(query.entity_set)
    if field_name is None:
        return False
    condition: Filter = Field(field_name).eq(scope.customer_number)
    # Or-chains always render parenthesised, so every top-level conjunct constrains every row.
    return query.filter == condition or (isinstance(query.filter, _And) and condition in query.filter.parts)


def scoped(query: Query, scope: CustomerScope) -> ScopedQuery:
    """AND ``<customer field> eq '<customer number>'`` to ``query``'s filter.

    Raises ``ScopeViolation`` for entity sets that are not customer-owned (nothing to scope by) and
    for line sets (no customer field: expand them from a scoped parent).  When the query selects
    properties, the customer field is selected too, so every returned row can be checked.
    """
    if query.entity_set not in CUSTOMER_OWNED:
        raise ScopeViolation(f"{query.entity_set} is not a customer-owned entity set")
    field_name = CUSTOMER_OWNED[query.entity_set]
    if field_name is None:
        raise ScopeViolation(f"{query.entity_set} is read only through $expand of a scoped parent")
    condition = Field(field_name).eq(scope.customer_number)
    combined = condition if query.filter is None else query.filter & condition
    select = query.select
    if select and field_name not in select:
        select = (*select, field_name)
    return ScopedQuery(replace(query, filter=combined, select=select), scope, _CREATION_KEY)
