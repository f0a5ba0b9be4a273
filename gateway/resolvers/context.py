"""The per-request state every resolver receives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from gateway.auth import Identity, Membership
from gateway.bc import BCSession
from gateway.loaders import Loaders
from gateway.resolvers.document_links import DocumentLinks
from gateway.resolvers.idempotency import DEFAULT_LEASE_SECONDS, KeyStore, SharedKeyStore
from gateway.resolvers.writes.codec import WRITE_RESULTS

if TYPE_CHECKING:
    from gateway.resolvers.live import LiveFeed


@dataclass(frozen=True)
class PortalPolicy:
    """What the portal shows and how much of it at once."""

    order_history_months: int = 12
    default_page_size: int = 20
    max_page_size: int = 100
    # Tracking URL templates per shipping agent code, with {tracking} for the tracking number;
    # they override the agent's BC internet address (PORTAL_TRACKING_URLS).
    tracking_urls: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WritePolicy:
    """What the portal lets customers write, and how much (see ``docs/writes.md``)."""

    disabled_mutations: frozenset[str] = frozenset()
    # The scope or role a token needs to order; None: any signed-in customer may.
    order_scope: str | None = "orders:write"
    max_order_lines: int = 100
    max_line_quantity: Decimal = Decimal(10000)
    query_max_subject: int = 100
    query_max_message: int = 4000
    customer_reference_max: int = 35
    # How long a duplicate waits for the first request with its key before IN_PROGRESS.
    in_progress_wait_seconds: float = 30.0
    # How long a key in progress outlives a replica that died holding it (renewed while it lives).
    write_lease_seconds: float = DEFAULT_LEASE_SECONDS


class WriteRecorder(Protocol):
    """Where write outcomes are counted (``gateway.telemetry.Metrics`` is one)."""

    def record_write(self, mutation: str, outcome: str) -> None: ...


@dataclass(frozen=True)
class Writes:
    """Long-lived write state: the policy, the idempotency key store (one per app) and where
    outcomes are counted."""

    policy: WritePolicy = field(default_factory=WritePolicy)
    keys: KeyStore[Any] = field(default_factory=lambda: SharedKeyStore.in_process(WRITE_RESULTS))
    recorder: WriteRecorder | None = None


@dataclass(frozen=True)
class Context:
    """Built once per GraphQL request by the HTTP edge, from the verified token only.

    ``bc`` is bound to ``membership``'s company and customer: every customer-owned BC request
    made through it carries that customer's filter.
    """

    identity: Identity
    membership: Membership
    bc: BCSession
    loaders: Loaders
    policy: PortalPolicy
    today: date
    # The company's own currency (item prices are in it); read from BC once per company.
    local_currency: Callable[[], Awaitable[str]]
    # The same when this process knows it now, without asking BC or the shared store; else None.
    known_local_currency: Callable[[], str | None] = lambda: None
    writes: Writes = field(default_factory=Writes)
    # The request's ``Idempotency-Key`` header, for mutations that take no key argument.
    idempotency_key: str | None = None
    # Signed /documents links for this request's customer (None: downloads are not offered).
    documents: DocumentLinks | None = None
    # BC's company names by id, for the ``companies`` query.
    company_names: Callable[[], Awaitable[dict[UUID, str]]] | None = None
    # A GraphQL subscription's changes (gateway/resolvers/live.py); None for queries and mutations.
    live: LiveFeed | None = None
