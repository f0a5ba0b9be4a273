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
from uuid import UUID

from ._odata import render_literal
from ._scope import CUSTOMER_OWNED

__all__ = [
    "GENERATION_TTL_SECONDS",
    "KEYED_READS",
    "KIND_OF",
    "SHARED_SETS",
    "CacheSettings",
    "DataKind",
    "Stale",
    "invalidated_by_change",
    "invalidated_by_write",
    "keyed_record",
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

KEYED_READS: Final[Mapping[tuple[str, str], str]] = MappingProxyType(
    {
        # An order's view: the order by number, its archives, its posted documents by its number.
        ("salesOrders", "number"): "order",
        ("salesOrderArchives", "number"): "order",
        ("salesShipments", "orderNumber"): "order",
        ("salesInvoices", "orderNumber"): "order",
        # A posted document by its own number.
        ("salesShipments", "number"): "shipment",
        ("salesInvoices", "number"): "invoice",
        # A catalogue item by its id, which BC's `items` notifications name (a line's item).
        ("items", "id"): "item",
    }
)
"""Reads by key (``BCSession.fetch_by_key``) whose answers are read under the generation of the
record their key names, not the customer's lists' (docs/caching.md, "Invalidation by record"):
(entity set, field) → what the key names.  Every other read by key — documents by id, credit
memos, items by number — is invalidated as a list is: no change can name its key for certain."""


def keyed_record(entity_set: str, field: str, literal: str) -> str | None:
    """The record a read of ``entity_set`` whose filter pins ``field`` to ``literal`` (as the
    filter renders it: ``'S-1'``) names, ``order:'s-1'``, when its answer is read under that
    record's own generation; ``None`` when it is not.  Whatever else the read asks, its rows are
    that record's (or, by ``orderNumber``, that order's documents'), and nobody else's."""
    what = KEYED_READS.get((entity_set, field))
    return None if what is None else _record(what, literal)


def _record(what: str, literal: str) -> str:
    # BC compares codes without case: "s-1" and "S-1" are one order, and one generation.
    return f"{what}:{literal.casefold()}"


@dataclass(frozen=True)
class Stale:
    """What a write or a change makes stale of one kind of data: every answer of it — the
    customer's, or every customer's of the company (``company_wide``) — when ``records`` is
    ``None``; else the customer's lists of it and the answers read by the records named.
    ``lists`` false (a shared kind's change, ``_SHARED_KEYED_CHANGES``): only the company's
    answers read by key go — by the records named, or all of them — and its lists stay."""

    kind: DataKind
    company_wide: bool = False
    records: tuple[str, ...] | None = None
    lists: bool = True


# What a customer's own write changes, by the entity set written (BCSession.create and
# create_under): a placed order is in the customer's orders.  It also commits stock, but stock is
# kept its own minute for everyone, the writer too (below).
_WRITES: Final[Mapping[str, tuple[DataKind, ...]]] = MappingProxyType(
    {
        "salesOrders": (DataKind.ORDERS,),
        "customerQueries": (DataKind.QUERIES,),
        "customerQueryMessages": (DataKind.QUERIES,),
    }
)


def invalidated_by_write(entity_set: str, written: Mapping[str, object] | None = None) -> tuple[Stale, ...]:
    """What a write to ``entity_set`` makes stale: the customer's lists and the new record's own
    answers where BC's answer (``written``) names it (an order placed: its number, which the
    customer may have asked for before it existed), else every answer of its kinds (the answer
    was lost: BC may have committed anything); company-wide for a shared set."""
    kind = KIND_OF.get(entity_set)
    kinds = _WRITES.get(entity_set) or ((kind,) if kind is not None else ())
    if entity_set in SHARED_SETS:
        return tuple(Stale(kind, company_wide=True) for kind in kinds)
    return _stale(entity_set, kinds, written or {})


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
        "items": (),  # its catalogue and stock keep their minute (but see below)
    }
)
_COMPANY_WIDE: Final = frozenset({DataKind.CATALOGUE, DataKind.AVAILABILITY})

# The shared answers read by key that a change of a shared set's record makes stale, by the set:
# the kind, what the key names and the identifier of the changed record that is its key.  An
# item read by its id (a line's item) is that item's row alone, and BC notifies ``items`` when
# the item record changes (name, price, blocked, unit, category code: docs/caching.md, "Items
# read by id"), naming its id: its answer is dropped by that item's notification alone, and
# kept the long time while they all come.  The catalogue's lists and stock keep their minute.
_SHARED_KEYED_CHANGES: Final[Mapping[str, tuple[DataKind, str, str]]] = MappingProxyType(
    {"items": (DataKind.CATALOGUE, "item", "id")}
)


# The records whose answers read by key (``KEYED_READS``) a change of a record changes, by the
# entity set it names and the kind: what each names, and the identifier of the changed record
# that is its key (``number``: its own; ``orderNumber``: the order a posted document came from).
# A posted shipment moves its order's shipped quantities; a posted invoice its order's invoiced
# ones, or deletes the order and archives it.  A kind not listed here for the set (the account,
# every kind of a credit memo, which changes the invoices it is applied to) goes whole: every
# answer of the customer's.  docs/caching.md, "Invalidation by record", says why each is safe.
_KEYED_CHANGES: Final[Mapping[str, Mapping[DataKind, tuple[tuple[str, str], ...]]]] = MappingProxyType(
    {
        "salesOrders": {DataKind.ORDERS: (("order", "number"),)},
        "salesShipments": {
            DataKind.SHIPMENTS: (("shipment", "number"), ("order", "orderNumber")),
            DataKind.ORDERS: (("order", "orderNumber"),),
        },
        "salesInvoices": {
            DataKind.INVOICES: (("invoice", "number"), ("order", "orderNumber")),
            DataKind.ORDERS: (("order", "orderNumber"),),
        },
    }
)


def invalidated_by_change(
    entity_set: str,
    *,
    owner_known: bool,
    held: bool = True,
    identifiers: Mapping[str, object] | None = None,
) -> tuple[Stale, ...]:
    """What a change BC reported in ``entity_set`` makes stale: company-wide when the change's
    owner is not known; none at all when no kept answer holds the record (``held`` false: a
    record gone from BC that no kept answer's read remembered, docs/caching.md); else the
    owner's, of the records ``identifiers`` name (``number``, ``orderNumber``) where every one
    a kind needs is known, of every answer of the kind where one is not.  Of a shared kind, only
    the answers read by the changed record's key (``_SHARED_KEYED_CHANGES``): its lists keep
    their own minute (above)."""
    if not (owner_known or held):
        return ()
    owned = _owned_stale(entity_set, owner_known, identifiers)
    return (*owned, *_shared_keyed_stale(entity_set, identifiers))


def _owned_stale(
    entity_set: str, owner_known: bool, identifiers: Mapping[str, object] | None
) -> tuple[Stale, ...]:
    kinds = _CHANGES.get(entity_set)
    if kinds is None:
        kind = KIND_OF.get(entity_set)
        kinds = (kind,) if kind is not None else ()
    kinds = tuple(kind for kind in kinds if kind not in _COMPANY_WIDE)
    if not owner_known:
        return tuple(Stale(kind, company_wide=True) for kind in kinds)
    return _stale(entity_set, kinds, identifiers or {})


def _shared_keyed_stale(entity_set: str, identifiers: Mapping[str, object] | None) -> tuple[Stale, ...]:
    """The company's answers of a shared set read by the changed record's key: that record's
    when ``identifiers`` name its key (a GUID), else every one (a ``collection``, a resync)."""
    found = _SHARED_KEYED_CHANGES.get(entity_set)
    if found is None:
        return ()
    kind, what, which = found
    key = _guid((identifiers or {}).get(which))
    records = None if key is None else (_record(what, render_literal(key)),)
    return (Stale(kind, company_wide=True, records=records, lists=False),)


def _guid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if isinstance(value, str | UUID) else None
    except ValueError:
        return None


def _stale(
    entity_set: str, kinds: tuple[DataKind, ...], identifiers: Mapping[str, object]
) -> tuple[Stale, ...]:
    """The customer's ``kinds``: by record where ``identifiers`` name every record a change of
    ``entity_set`` changes in that kind, else whole."""
    keyed = _KEYED_CHANGES.get(entity_set, {})
    found = []
    for kind in kinds:
        named = [(what, identifiers.get(which)) for what, which in keyed.get(kind, ())]
        known = bool(named) and all(isinstance(key, str) and key for _, key in named)
        records = (
            tuple(dict.fromkeys(_record(what, render_literal(str(key))) for what, key in named))
            if known
            else None
        )
        found.append(Stale(kind, records=records))
    return tuple(found)


def notified_by(kind: DataKind, *, keyed: bool = False) -> frozenset[str]:
    """The entity sets whose change notifications, all together, keep answers of ``kind`` fresh
    (``keyed``: its answers read by a record's key): every set of the tables above whose changes
    invalidate it.  For the shared kinds, only their answers read by key (an item by id, by
    ``items``); their lists keep their own times to live: stock moves through item ledger
    entries, which BC does not notify, and a shared answer costs one BC read per company and
    time to live, whoever asks."""
    if kind in _COMPANY_WIDE:
        if not keyed:
            return frozenset()
        return frozenset(name for name, (of, _, _) in _SHARED_KEYED_CHANGES.items() if of is kind)
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
