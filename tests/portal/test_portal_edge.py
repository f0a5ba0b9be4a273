"""How the gateway serves the portal: where, with which headers, and its operations' manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest
from graphql import parse, validate

from gateway.app import create_app
from gateway.cli import main as cli
from gateway.edge.development import Development
from gateway.portal.operations import collect_operations, manifest, operations_source
from gateway.schema import schema
from gateway.settings import ConfigError, Settings, settings_from_environ

pytestmark = pytest.mark.anyio


@pytest.fixture
async def portal_client(development: Development) -> httpx.AsyncClient:
    app = create_app(Settings(), development=development)
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")


async def test_the_portal_is_served_in_development_with_a_strict_csp(
    portal_client: httpx.AsyncClient,
) -> None:
    async with portal_client as client:
        page = await client.get("/portal/")
        script = await client.get("/portal/js/app.js")
        redirect = await client.get("/portal")

    assert page.status_code == 200
    assert '<script type="module" src="js/app.js">' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["etag"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "javascript" in script.headers["content-type"]
    assert redirect.status_code == 308
    assert redirect.headers["location"] == "/portal/"


async def test_files_are_revalidated_not_refetched(portal_client: httpx.AsyncClient) -> None:
    async with portal_client as client:
        first = await client.get("/portal/styles.css")
        again = await client.get("/portal/styles.css", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304


def test_nothing_is_loaded_from_another_origin() -> None:
    static = Path(__file__).resolve().parents[2] / "gateway" / "portal" / "static"
    for path in static.rglob("*"):
        if path.suffix in {".html", ".css", ".js"}:
            text = path.read_text(encoding="utf-8")
            assert "http://" not in text.replace("http://www.w3.org/2000/svg", ""), path
            assert "https://" not in text, path
            assert " style=" not in text, path  # the CSP forbids inline styles
    assert "<script>" not in (static / "index.html").read_text(encoding="utf-8")


async def test_config_names_the_development_identity_provider(portal_client: httpx.AsyncClient) -> None:
    async with portal_client as client:
        config = (await client.get("/portal/config.json")).json()

    assert config == {
        "issuer": "http://127.0.0.1:8000/dev-idp",
        "clientId": "bc-portal",
        "scopes": "openid profile offline_access orders:read orders:write",
    }


async def test_the_portal_can_be_switched_off(development: Development) -> None:
    settings = Settings(web_portal=settings_from_environ({"GATEWAY_PORTAL": "off"}).web_portal)
    app = create_app(settings, development=development)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/portal/")).status_code == 404


def test_production_needs_the_portals_client_id() -> None:
    environ = {
        "BC_BASE_URL": "https://bc.example.com/bc",
        "BC_TOKEN_URL": "https://login.example.com/token",
        "BC_CLIENT_ID": "id",
        "BC_CLIENT_SECRET": "secret",
        "AUTH_ISSUER": "https://login.example.com/",
        "AUTH_AUDIENCE": "api://gateway",
        "AUTH_JWKS_URL": "https://login.example.com/keys",
        "GATEWAY_DOCUMENT_KEY": "a-document-key-of-at-least-32-characters",
        "GATEWAY_PORTAL": "on",
    }
    with pytest.raises(ConfigError) as caught:
        settings_from_environ(environ)
    assert caught.value.variable == "PORTAL_CLIENT_ID"

    settings = settings_from_environ(
        {**environ, "PORTAL_CLIENT_ID": "portal-app", "PORTAL_SCOPES": "openid x"}
    )
    assert settings.web_portal.client_id == "portal-app"
    assert settings.web_portal.scopes == "openid x"


def test_every_portal_operation_is_valid_against_the_schema() -> None:
    documents = collect_operations(operations_source())

    assert len(documents) >= 15
    for document in documents:
        assert validate(schema._schema, parse(document)) == [], document


def test_the_manifest_command_writes_the_gateways_safelist_format(tmp_path: Path) -> None:
    target = tmp_path / "safelist.json"

    assert cli(["portal-manifest", str(target)]) == 0

    written = json.loads(target.read_text())
    documents = collect_operations(operations_source())
    assert written == manifest(documents)
    assert all(hashlib.sha256(doc.encode()).hexdigest() == key for key, doc in written.items())


def test_a_template_with_a_substitution_is_refused() -> None:
    with pytest.raises(ValueError, match="literal"):
        collect_operations("export const X = /* GraphQL */ `query X { item(number: ${n}) { name } }`;")
