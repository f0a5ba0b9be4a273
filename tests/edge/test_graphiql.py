"""GraphiQL works on a machine without internet, introspects the schema in development, and is
switched off in production (``GATEWAY_GRAPHIQL``)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from gateway.edge.graphiql import ASSETS
from tests.edge.conftest import GatewayFactory
from tests.helpers import graphql

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
ASSET = re.compile(r"""(?:src|href)="([^"]+)\"""")


async def _page(client: httpx.AsyncClient) -> str:
    response = await client.get("/graphql", headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def test_the_graphiql_page_loads_nothing_from_another_origin(gateway: GatewayFactory) -> None:
    async with gateway() as client:
        page = await _page(client)
        assets = ASSET.findall(page)
        answers = {asset: await client.get(asset) for asset in assets}

    assert "://" not in page  # no URL of another origin anywhere in the page
    assert len(assets) == 6  # React, ReactDOM, GraphiQL (script, style), the explorer (script, style)
    for asset, answer in answers.items():
        assert asset.startswith("/graphiql/assets/"), asset
        assert answer.status_code == 200, asset
        kind = "text/css" if asset.endswith(".css") else "javascript"
        assert kind in answer.headers["content-type"], asset
        assert len(answer.content) > 500, asset


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(get_introspection_query(), id="graphql-core-default"),
        pytest.param(
            get_introspection_query(
                descriptions=True,
                specified_by_url=True,
                directive_is_repeatable=True,
                schema_description=True,
                input_value_deprecation=True,
            ),
            id="graphiql-and-codegen-full",
        ),
    ],
)
async def test_the_standard_introspection_query_passes_the_limits_in_development(
    gateway: GatewayFactory, development: Any, token_for: Any, query: str, bc_log: Any
) -> None:
    customer = development.customers[0]
    async with gateway() as client:
        bc_log.clear()
        response = await graphql(
            client, query, token=token_for(customer.customer_number, customer.company_id)
        )
    body = response.json()
    assert "errors" not in body, body.get("errors")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    assert bc_log.entries == []


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { types { fields { type { fields { type { name } } } } } } }",
        '{ __type(name: "Query") { interfaces { possibleTypes { name } } } }',
        "query { __schema { types { ...F } } }"
        " fragment F on __Type { fields { type { fields { type { name } } } } }",
    ],
)
async def test_introspection_that_reaches_types_through_types_is_refused(
    gateway: GatewayFactory, development: Any, token_for: Any, query: str
) -> None:
    customer = development.customers[0]
    async with gateway() as client:
        response = await graphql(
            client, query, token=token_for(customer.customer_number, customer.company_id)
        )
    assert response.json()["errors"][0]["extensions"]["code"] == "OPERATION_LIMIT_EXCEEDED"


async def test_an_of_type_chain_of_any_length_is_introspection_not_depth(
    gateway: GatewayFactory, development: Any, token_for: Any
) -> None:
    customer = development.customers[0]
    chain = "ofType { " * 30 + "name" + " }" * 30
    query = f'{{ __type(name: "Query") {{ fields {{ type {{ {chain} }} }} }} }}'
    async with gateway() as client:
        response = await graphql(
            client, query, token=token_for(customer.customer_number, customer.company_id)
        )
    assert "errors" not in response.json()


async def test_graphiql_switched_off_serves_neither_page_nor_assets(gateway: GatewayFactory) -> None:
    async with gateway(graphiql=False) as client:
        page = await client.get("/graphql", headers=BROWSER)
        asset = await client.get("/graphiql/assets/graphiql-3.8.3.min.js")
    assert "graphiql" not in page.text.lower()
    assert page.headers["content-type"].startswith("application/json")  # a GraphQL GET, not the page
    assert asset.status_code == 404


async def test_production_serves_no_graphiql_unless_switched_on(gateway: GatewayFactory) -> None:
    https = {"x-forwarded-proto": "https"}
    async with gateway(production=True, trusted_proxies=("127.0.0.1",)) as client:
        closed = await client.get("/graphql", headers={**BROWSER, **https})
    async with gateway(production=True, trusted_proxies=("127.0.0.1",), graphiql=True) as client:
        opened = await client.get("/graphql", headers={**BROWSER, **https})
    assert "graphiql" not in closed.text.lower()
    assert "graphiql" in opened.text.lower()


def test_the_package_data_ships_every_graphiql_file() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["gateway.edge"]
    package = ROOT / "gateway" / "edge"
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    assert set(ASSETS.iterdir()) <= shipped
