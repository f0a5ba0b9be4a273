"""The portal's subscriptions are in its safelist, and a production gateway runs them over WebSocket.

A production gateway in ``safelist`` mode, its safelist written by ``bc-gateway portal-manifest``
(what ``docs/portal.md`` tells a deployment to do), behind a TLS-terminating proxy: each of the
portal's subscription documents, sent byte for byte as ``live.js`` sends it, starts listening;
another document is refused with the safelist's code.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, OperationType, parse

from gateway.app import create_app
from gateway.cli import main as cli
from gateway.edge.config import EdgeSettings
from gateway.edge.development import Development
from gateway.edge.state import gateway_state
from gateway.portal.operations import collect_operations, operations_source
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.live.conftest import settle
from tests.live.websocket import connect, initialised

pytestmark = pytest.mark.anyio

# The variables live.js sends with each subscription (the stock view watches the items it shows).
VARIABLES = {"PortalStockChanged": {"numbers": ["1896-S", "1900-S"]}}
BEHIND_TLS = [("x-forwarded-proto", "https")]  # from the trusted proxy: the socket is wss


def portal_subscriptions() -> dict[str, str]:
    """The portal's subscription documents by operation name."""
    found = {}
    for document in collect_operations(operations_source()):
        (operation,) = parse(document).definitions
        assert isinstance(operation, OperationDefinitionNode)
        assert operation.name is not None
        if operation.operation is OperationType.SUBSCRIPTION:
            found[operation.name.value] = document
    return found


def test_the_portal_subscribes_to_orders_documents_queries_and_stock() -> None:
    assert list(portal_subscriptions()) == [
        "PortalOrderUpdated",
        "PortalDocumentPosted",
        "PortalQueryUpdated",
        "PortalStockChanged",
    ]


async def test_a_production_gateway_runs_the_portals_subscriptions_from_its_safelist(
    development: Development, tmp_path: Path
) -> None:
    safelist = tmp_path / "portal-safelist.json"
    assert cli(["portal-manifest", str(safelist)]) == 0
    edge = EdgeSettings(persisted_queries="safelist", safelist_file=safelist, trusted_proxies=("127.0.0.1",))
    settings = dataclasses.replace(
        Settings(edge=edge), bc=development.bc_settings, auth=development.auth_settings
    )
    app = create_app(
        settings,
        bc_transport=development.bc_transport,
        jwks_transport=development.jwks_transport,
        today=lambda: TODAY,
    )
    customer = development.customers[0]
    documents = portal_subscriptions()
    assert set(documents.values()) <= set(json.loads(safelist.read_text()).values())

    async with app.router.lifespan_context(app), connect(app, headers=BEHIND_TLS) as socket:
        live = gateway_state(app).live
        assert live is not None
        assert gateway_state(app).mode == "production"
        await initialised(
            socket, development.identity.mint(uuid.UUID(customer.company_id), customer.customer_number)
        )
        for index, (name, document) in enumerate(documents.items()):
            payload = {"query": document, "variables": VARIABLES.get(name, {})}  # as live.js sends it
            await socket.send({"id": str(index), "type": "subscribe", "payload": payload})
        await settle(lambda: live.hub.feeds_listening == len(documents))

        other = "subscription Other { orderUpdated { number status } }"
        await socket.send({"id": "other", "type": "subscribe", "payload": {"query": other}})
        refused = await socket.receive_until("error")

    assert socket.pending() == []  # none of the portal's subscriptions was refused
    assert refused["id"] == "other"
    assert refused["payload"][0]["extensions"]["code"] == "OPERATION_NOT_SAFELISTED"
