"""What a GraphQL subscription hears: a customer's changes in BC, each to be read through its own Context.

The edge (``gateway/edge/live/``) turns BC's change events into these changes for the customer
who owns the record and hands each subscription a :class:`LiveFeed`.  The subscription resolvers
read what changed through the :class:`Context` that comes with each change — a fresh BC session
(its own deadline) and fresh loaders, scoped to the subscriber — with the same resolvers as the
queries, so an event shows exactly what the matching query would, and a record of another
customer can never be read (docs/subscriptions.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from gateway.resolvers.errors import UserInputError

if TYPE_CHECKING:
    from gateway.resolvers.context import Context

MAX_WATCHED_ITEMS = 50  # item numbers one itemAvailabilityChanged may watch


class Topic(Enum):
    """What a subscription listens to."""

    ORDERS = "orders"
    DOCUMENTS = "documents"
    QUERIES = "queries"
    ITEMS = "items"


class PostedKind(Enum):
    INVOICE = "salesInvoices"
    SHIPMENT = "salesShipments"
    CREDIT_MEMO = "salesCreditMemos"


@dataclass(frozen=True)
class OrderMoved:
    """An order of the customer changed: its status, dates or shipped and invoiced quantities
    (a shipment or an invoice posted for it counts too)."""

    number: str


@dataclass(frozen=True)
class DocumentPosted:
    """A new posted invoice, shipment or credit memo of the customer."""

    kind: PostedKind
    number: str


@dataclass(frozen=True)
class QueryMoved:
    """A reply or a status change on one of the customer's queries."""

    query_id: UUID


@dataclass(frozen=True)
class ItemMoved:
    """A catalogue item changed (its stock, price or availability)."""

    number: str


LiveChange = OrderMoved | DocumentPosted | QueryMoved | ItemMoved

TOPICS: dict[type[LiveChange], Topic] = {
    OrderMoved: Topic.ORDERS,
    DocumentPosted: Topic.DOCUMENTS,
    QueryMoved: Topic.QUERIES,
    ItemMoved: Topic.ITEMS,
}


class LiveFeed(Protocol):
    """One subscription's changes, each with the Context to read it through.  Each iterator
    runs until the subscription ends; a change that is already waiting is not queued twice."""

    def orders(self) -> AsyncIterator[tuple[OrderMoved, Context]]: ...

    def documents(self) -> AsyncIterator[tuple[DocumentPosted, Context]]: ...

    def queries(self) -> AsyncIterator[tuple[QueryMoved, Context]]: ...

    def items(self, numbers: frozenset[str]) -> AsyncIterator[tuple[ItemMoved, Context]]: ...


def watched_items(numbers: list[str]) -> frozenset[str]:
    """The item numbers an ``itemAvailabilityChanged`` watches, or ``UserInputError``."""
    if not 1 <= len(numbers) <= MAX_WATCHED_ITEMS:
        raise UserInputError(f"`numbers` must hold 1 to {MAX_WATCHED_ITEMS} item numbers", argument="numbers")
    if any(not 1 <= len(number) <= 20 for number in numbers):
        raise UserInputError("an item number is 1 to 20 characters", argument="numbers")
    return frozenset(numbers)
