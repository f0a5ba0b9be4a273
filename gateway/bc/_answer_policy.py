"""What the answer cache may keep, for whom, and for how long (``docs/caching.md``).

Every entity set the gateway reads belongs to one kind of data, and each kind has one time to
live.  Answers of customer-owned sets are kept per customer; only the sets in ``SHARED_SETS`` —
the catalogue, stock, shipping agents: the same rows for every customer of a company — are
shared.  A set that is in neither table is never cached: a set added later is
read from BC every time until someone decides how it may be kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from ._scope import CUSTOMER_OWNED

__all__ = [
    "GENERATION_TTL_SECONDS",
    "KIND_OF",
    "SHARED_SETS",
    "CacheSettings",
    "DataKind",
    "invalidated_by_change",
    "invalidated_by_write",
    "notified_by",
]


# The longest time to live an answer can have.
MAX_TTL_SECONDS: Final = 3600.0
# Generations live far longer than any answer; one that expires (or is lost) is made anew, with a
# token no answer was read under, so it never revives an old answer.
GENERATION_TTL_SECONDS: Final = 86_400.0


class DataKind(StrEnum):
    """A kind of data: one time to live, and one generation per customer (and per company)."""

    ORDERS = "orders"
    SHIPMENTS = "shipments"
    INVOICES = "invoices"
    ACCOUNT = "account"
    QUERIES = "queries"
    CATALOGUE = "catalogue"
    AVAILABILITY = "availability"


KIND_OF: Final[Mapping[str, DataKind]] = MappingProxyType(
    {
        # Orders: open, archived (lines come expanded with their header).
        "salesOrders": DataKind.ORDERS,
        "salesOrderArchives": DataKind.ORDERS,
        # Posted shipments and what the portal extension adds to them.
        "salesShipments": DataKind.SHIPMENTS,
        "shipmentTrackings": DataKind.SHIPMENTS,
        "deliveryDocuments": DataKind.SHIPMENTS,
        # Posted invoices and credit memos.
        "salesInvoices": DataKind.INVOICES,
        "salesCreditMemos": DataKind.INVOICES,
        # The account: balance, credit, aging, the ledger, the statement's contact.
        "customers": DataKind.ACCOUNT,
        "customerFinancialDetails": DataKind.ACCOUNT,
        "agedAccountsReceivables": DataKind.ACCOUNT,
        "customerLedgerEntries": DataKind.ACCOUNT,
        "customerContacts": DataKind.ACCOUNT,
        # The customer's queries (support tickets) with their messages.
        "customerQueries": DataKind.QUERIES,
        # Shared across the company's customers.
        "items": DataKind.CATALOGUE,
        "itemCategories": DataKind.CATALOGUE,
        "unitsOfMeasure": DataKind.CATALOGUE,
        "shippingAgents": DataKind.CATALOGUE,
        "itemAvailabilities": DataKind.AVAILABILITY,
    }
)
"""Entity set → its kind of data.  A set not listed is never cached: ``generalLedgerSetup`` among
them, whose one fact the gateway needs (the company's currency) it keeps itself, good answers only."""

SHARED_SETS: Final = frozenset(
    {
        "items",
        "itemCategories",
        "unitsOfMeasure",
        "shippingAgents",
        "itemAvailabilities",
    }
)
"""Sets whose answers serve every customer of a company: no row of them belongs to a customer."""

if SHARED_SETS & set(CUSTOMER_OWNED):  # pragma: no cover - a guard on the tables above
    raise AssertionError("a customer-owned entity set is listed as shared")

# What a customer's own write changes, by the entity set written (BCSession.create and
# create_under): a placed order is in the customer's orders.  It also commits stock, but stock is
# kept its own minute for everyone, the writer too (below).
_WRITES: Final[Mapping[str, tuple[tuple[DataKind, bool], ...]]] = MappingProxyType(
    {
        "salesOrders": ((DataKind.ORDERS, False),),
        "customerQueries": ((DataKind.QUERIES, False),),
        "customerQueryMessages": ((DataKind.QUERIES, False),),
    }
)


def invalidated_by_write(entity_set: str) -> tuple[tuple[DataKind, bool], ...]:
    """The kinds a write to ``entity_set`` changes, each with whether it is company-wide (shared)."""
    if entity_set in _WRITES:
        return _WRITES[entity_set]
    kind = KIND_OF.get(entity_set)
    return ((kind, entity_set in SHARED_SETS),) if kind is not None else ()


# What a change BC reports (a webhook event, issue 13) makes stale, by the entity set it names.
# A posted shipment moves its order's shipped quantities and status; a posted invoice (or a
# payment, an update of it) moves its order, the customer's balance and ledger; an order deleted
# once invoiced is archived.
#
# The shared kinds — the catalogue and stock — keep their own minute whatever BC reports, so no
# change names them (nor does a customer's own order, ``_WRITES``).  Orders placed, changed and
# shipped by every customer and every member of staff move stock all day, and every shipment
# touches its items (BC resets their "Cost is Adjusted"), so ``items`` is notified for stock
# moves as often as for a new price: each of these changes is company-wide for a shared answer,
# and invalidated on them the company's stock answers lived a few seconds under load, so that most
# stock pages cost BC a read (bench/results/portal_mix.md).  Stock also moves through item ledger
# entries BC never notifies, so the minute is what the portal promises either way; what a write
# decides on an item (exists, blocked) is read from BC at the time (docs/caching.md, "The
# catalogue and stock keep their minute").
_CHANGES: Final[Mapping[str, tuple[DataKind, ...]]] = MappingProxyType(
    {
        "salesOrders": (DataKind.ORDERS,),
        "salesShipments": (DataKind.SHIPMENTS, DataKind.ORDERS),
        "salesInvoices": (DataKind.INVOICES, DataKind.ORDERS, DataKind.ACCOUNT),
        "salesCreditMemos": (DataKind.INVOICES, DataKind.ACCOUNT),
        "customers": (DataKind.ACCOUNT,),
        "customerQueries": (DataKind.QUERIES,),
        "items": (),  # its catalogue and stock keep their minute
    }
)
_COMPANY_WIDE: Final = frozenset({DataKind.CATALOGUE, DataKind.AVAILABILITY})


def invalidated_by_change(
    entity_set: str, *, owner_known: bool, held: bool = True
) -> tuple[tuple[DataKind, bool], ...]:
    """The kinds a change BC reported in ``entity_set`` makes stale, each with whether it is
    company-wide (when the change's owner is not known); none at all when no kept answer holds
    the record (``held`` false: a record gone from BC that no kept answer's read remembered,
    docs/caching.md).  Never a shared kind: they keep their own minute (above)."""
    if not (owner_known or held):
        return ()
    kinds = _CHANGES.get(entity_set)
    if kinds is None:
        kind = KIND_OF.get(entity_set)
        kinds = (kind,) if kind is not None else ()
    return tuple((kind, not owner_known) for kind in kinds if kind not in _COMPANY_WIDE)


def notified_by(kind: DataKind) -> frozenset[str]:
    """The entity sets whose change notifications, all together, keep answers of ``kind`` fresh:
    every set of the table above whose changes invalidate it.  Empty for the shared kinds, which
    keep their own times to live: stock moves through item ledger entries, which BC does not
    notify, and a shared answer costs one BC read per company and time to live, whoever asks."""
    if kind in _COMPANY_WIDE:
        return frozenset()
    return frozenset(entity_set for entity_set, kinds in _CHANGES.items() if kind in kinds)


@dataclass(frozen=True)
class CacheSettings:
    """The answer cache's knobs (``GATEWAY_CACHE*``).  Times to live are in seconds."""

    enabled: bool = True
    orders_ttl: float = 15.0
    shipments_ttl: float = 15.0
    invoices_ttl: float = 15.0
    account_ttl: float = 30.0
    queries_ttl: float = 15.0
    catalogue_ttl: float = 60.0
    availability_ttl: float = 60.0
    # The customer-owned kinds while BC's webhooks cover them (``notified_by``): a change is then
    # forgotten when BC reports it, and this only bounds what BC never reports (docs/caching.md).
    with_webhooks_ttl: float = 600.0
    # Rows kept decoded in this process, all answers together (least recently used go first).
    memory_rows: int = 200_000
    # How long a replica waits for another replica that is reading the same answer from BC.
    fill_wait_seconds: float = 2.0

    def __post_init__(self) -> None:
        for name in (*(f"{kind.value}_ttl" for kind in DataKind), "with_webhooks_ttl"):
            if not 0 < getattr(self, name) <= MAX_TTL_SECONDS:
                raise ValueError(f"{name} must be in (0, {MAX_TTL_SECONDS:g}]")
        if self.memory_rows < 0:
            raise ValueError("memory_rows must not be negative")
        if not self.fill_wait_seconds > 0:
            raise ValueError("fill_wait_seconds must be positive")

    def ttl(self, kind: DataKind) -> float:
        ttl: float = getattr(self, f"{kind.value}_ttl")
        return ttl
