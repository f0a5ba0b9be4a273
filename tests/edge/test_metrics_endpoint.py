"""``/metrics``: open in development; in production only with its bearer token, or on a port of
its own; and never a customer in a label."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development, mint_for
from gateway.edge.metrics_endpoint import MetricsSettings
from gateway.settings import Settings
from tests.conftest import TODAY

pytestmark = pytest.mark.anyio

TOKEN = "metrics-token-0123456789"


@contextlib.asynccontextmanager
async def production(development: Development, metrics: MetricsSettings) -> AsyncIterator[httpx.AsyncClient]:
    settings = dataclasses.replace(
        Settings(), bc=development.bc_settings, auth=development.auth_settings, metrics=metrics
    )
    app: Starlette = create_app(
        settings,
        bc_transport=development.bc_transport,
        jwks_transport=development.jwks_transport,
        today=lambda: TODAY,
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://gateway.test") as http,
    ):
        yield http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_production_serves_no_metrics_without_a_token_or_a_port(development: Development) -> None:
    async with production(development, MetricsSettings()) as client:
        assert (await client.get("/metrics")).status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token-0123456789", f"Basic {TOKEN}", TOKEN])
async def test_the_metrics_token_is_required(development: Development, authorization: str | None) -> None:
    headers = {"authorization": authorization} if authorization else {}
    async with production(development, MetricsSettings(token=TOKEN.encode())) as client:
        response = await client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "bc_gateway" not in response.text


async def test_with_the_token_the_metrics_are_served_and_name_no_customer(development: Development) -> None:
    customer = development.customers[0]
    token = mint_for(development, customer)
    async with production(development, MetricsSettings(token=TOKEN.encode())) as client:
        answer = await client.post(
            "/graphql",
            json={"query": "query Me { me { number } }"},
            headers={"authorization": f"Bearer {token}"},
        )
        response = await client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert 'bc_gateway_operations_total{operation="Me",outcome="ok",type="query"} 1.0' in response.text
    # Names live in label values (a sample's value is a number, which may hold the digits
    # "10000" — a timestamp, a sum — and names no customer).
    label_values = re.findall(r'="([^"]*)"', response.text)
    assert [value for value in label_values if customer.customer_number in value] == []
    assert customer.company_id not in response.text


async def test_the_metrics_port_serves_them_unauthenticated_on_a_listener_of_its_own(
    development: Development,
) -> None:
    port = free_port()
    settings = MetricsSettings(port=port, host="127.0.0.1")
    async with production(development, settings) as client:
        on_gateway = await client.get("/metrics")
        async with httpx.AsyncClient() as plain:
            scraped = await plain.get(f"http://127.0.0.1:{port}/metrics")
    assert on_gateway.status_code == 404
    assert scraped.status_code == 200
    assert "bc_gateway_bc_breaker_state" in scraped.text
    async with httpx.AsyncClient() as plain:
        with pytest.raises(httpx.ConnectError):
            await plain.get(f"http://127.0.0.1:{port}/metrics", timeout=2)  # closed with the app
