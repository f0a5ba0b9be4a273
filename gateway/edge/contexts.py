"""The per-operation Context, built from a verified identity: for a query or mutation over HTTP,
and for each event of a GraphQL subscription (gateway/edge/live/)."""

from __future__ import annotations

from typing import Any

from gateway.auth import Identity, Membership
from gateway.bc import CustomerScope
from gateway.edge.state import GatewayState
from gateway.loaders import build_loaders
from gateway.resolvers.context import Context
from gateway.resolvers.document_links import DocumentLinks
from gateway.resolvers.live import LiveFeed


def customer_context(
    state: GatewayState,
    identity: Identity,
    membership: Membership,
    *,
    base_url: str,
    operation: str | None = None,
    request_id: str | None = None,
    idempotency_key: str | None = None,
    live: LiveFeed | None = None,
    fresh: bool = False,
) -> Context:
    """A Context for ``membership``'s customer: its own BC session (scope, deadline, audit records
    naming ``operation`` and ``request_id``) and loaders.  ``base_url`` signs download links;
    ``fresh`` reads everything from BC rather than from kept answers (an event says it changed)."""
    scope = CustomerScope(company_id=membership.company_id, customer_number=membership.customer_number)
    session = state.bc.session(scope, operation=operation, request_id=request_id)
    if fresh:
        session.read_fresh()

    async def local_currency() -> str:
        return await state.currencies.of(session)

    return Context(
        identity=identity,
        membership=membership,
        bc=session,
        loaders=build_loaders(session),
        policy=state.policy,
        today=state.today(),
        local_currency=local_currency,
        known_local_currency=lambda: state.currencies.known(scope.company_id),
        idempotency_key=idempotency_key,
        live=live,
        **_document_state(state, base_url, scope),
        **_write_state(state),
    )


def _write_state(state: GatewayState) -> dict[str, Any]:
    """The app's write policy and key store."""
    return {"writes": state.writes} if state.writes is not None else {}


def _document_state(state: GatewayState, base_url: str, scope: CustomerScope) -> dict[str, Any]:
    """Signed /documents links for this customer, and BC's company names."""
    extra: dict[str, Any] = {}
    if state.documents is not None:
        extra["documents"] = DocumentLinks(state.documents, scope, base_url.rstrip("/"))
    if state.company_names is not None:
        extra["company_names"] = state.company_names.get
    return extra
