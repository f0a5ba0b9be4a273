"""PDF and proof-of-delivery downloads through ``/documents/{token}``: a signed, short-lived link
that only its customer can use, and that can make the gateway fetch nothing but that document."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.edge.development import Development
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings
from tests.conftest import TODAY
from tests.edge.portal_support import customer_with, delivery_documents, posted_credit_memos, posted_invoices
from tests.helpers import data_of

pytestmark = pytest.mark.anyio

PROOF_OF_DELIVERY = """
query($n: String!) { shipment(number: $n) { number proofOfDelivery { fileName byteSize downloadUrl } } }
"""
INVOICE_LINKS = "query($n: String!) { invoice(number: $n) { number pdfUrl } }"


class WallClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall_clock() -> WallClock:
    return WallClock()


@pytest.fixture
async def gateway(development: Development, wall_clock: WallClock) -> AsyncIterator[httpx.AsyncClient]:
    app: Starlette = create_app(
        Settings(), development=development, today=lambda: TODAY, wall_clock=wall_clock
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        yield http


def invoice_owner(store: SandboxStore) -> tuple[str, str]:
    return customer_with(store, lambda c, n: len(posted_invoices(store, c, n)), minimum=2)


async def invoice_link(client: httpx.AsyncClient, token: str, number: str) -> str:
    data = await data_of(client, INVOICE_LINKS, {"n": number}, token=token)
    url = data["invoice"]["pdfUrl"]
    assert url.startswith("http://gateway.test/documents/")
    return str(url)


def document_requests(bc_log: Any) -> list[Any]:
    return [e for e in bc_log.entries if e.entity_set in ("pdfDocument", "deliveryDocuments")]


async def test_the_owner_downloads_the_invoice_pdf_named_after_its_number(
    gateway: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = invoice_owner(shared_store)
    invoice = posted_invoices(shared_store, company, customer)[0]
    token = token_for(customer, company)
    url = await invoice_link(gateway, token, invoice["number"])
    bc_log.clear()

    response = await gateway.get(url, headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert response.headers["content-type"] == "application/pdf"
    safe = invoice["number"].replace("/", "-")
    assert response.headers["content-disposition"] == f'attachment; filename="Invoice-{safe}.pdf"'
    assert invoice["number"].encode() in response.content
    # One scoped header read proves ownership, then the one PDF.
    assert [e.entity_set for e in bc_log.entries] == ["salesInvoices", "pdfDocument"]
    assert f"customerNumber eq '{customer}'" in (bc_log.entries[0].filter or "")
    assert bc_log.entries[1].path.endswith(f"/salesInvoices({invoice['id']})/pdfDocument/pdfDocumentContent")


async def test_an_expired_link_is_refused_without_asking_bc(
    gateway: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any, wall_clock: WallClock
) -> None:
    company, customer = invoice_owner(shared_store)
    token = token_for(customer, company)
    url = await invoice_link(gateway, token, posted_invoices(shared_store, company, customer)[0]["number"])
    wall_clock.now += 301
    bc_log.clear()

    response = await gateway.get(url, headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 403
    assert bc_log.entries == []


async def test_a_link_still_works_just_before_it_expires(
    gateway: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, wall_clock: WallClock
) -> None:
    company, customer = invoice_owner(shared_store)
    token = token_for(customer, company)
    url = await invoice_link(gateway, token, posted_invoices(shared_store, company, customer)[0]["number"])
    wall_clock.now += 299

    response = await gateway.get(url, headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 200


def _tampered(url: str, change: dict[int, str | int]) -> str:
    """The link with its signed payload edited (the signature left as it was)."""
    prefix, token = url.rsplit("/", 1)
    payload, signature = token.split(".")
    fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    for index, value in change.items():
        fields[index] = value
    edited = base64.urlsafe_b64encode(json.dumps(fields, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{prefix}/{edited}.{signature}"


async def test_a_tampered_link_is_refused_without_asking_bc(
    gateway: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = invoice_owner(shared_store)
    mine = posted_invoices(shared_store, company, customer)
    token = token_for(customer, company)
    url = await invoice_link(gateway, token, mine[0]["number"])
    bc_log.clear()

    for bad in (
        _tampered(url, {3: mine[1]["id"]}),  # another document
        _tampered(url, {1: "crm"}),  # another kind
        _tampered(url, {5: 4_000_000_000}),  # a later expiry
        url[:-2] + ("AA" if not url.endswith("AA") else "BB"),  # a forged signature
        url.rsplit("/", 1)[0] + "/not-a-token",
    ):
        response = await gateway.get(bad, headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 403, bad

    assert bc_log.entries == []


async def test_another_customers_token_cannot_use_a_leaked_link(
    gateway: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = invoice_owner(shared_store)
    url = await invoice_link(
        gateway, token_for(customer, company), posted_invoices(shared_store, company, customer)[0]["number"]
    )
    other = next(
        r["number"] for r in shared_store.table(company, "v2.0", "customers") if r["number"] != customer
    )
    bc_log.clear()

    stranger = await gateway.get(url, headers={"authorization": f"Bearer {token_for(other, company)}"})
    anonymous = await gateway.get(url)

    assert stranger.status_code == 403
    assert anonymous.status_code == 401
    assert bc_log.entries == []


async def test_a_link_to_a_document_that_is_no_longer_the_customers_finds_nothing(
    development: Development, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    """Ownership is re-read at download time: a link signed for a document the customer does not
    own (here: minted directly with the process's key) downloads nothing, and no PDF is fetched."""
    company, customer = invoice_owner(shared_store)
    other = next(
        r for r in shared_store.table(company, "v2.0", "salesInvoices") if r["customerNumber"] != customer
    )
    app = create_app(Settings(), development=development, today=lambda: TODAY)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http,
    ):
        from uuid import UUID

        from gateway.bc import CustomerScope
        from gateway.edge.state import gateway_state
        from gateway.resolvers.document_links import DocumentKind

        signer = gateway_state(app).documents
        assert signer is not None
        scope = CustomerScope(UUID(company), customer)
        token = signer.sign(DocumentKind.INVOICE, scope, UUID(other["id"]))
        bc_log.clear()
        response = await http.get(
            f"/documents/{token}", headers={"authorization": f"Bearer {token_for(customer, company)}"}
        )

    assert response.status_code == 404
    assert [e.entity_set for e in bc_log.entries] == ["salesInvoices"]
    assert document_requests(bc_log) == []


async def test_the_route_fetches_nothing_but_a_documents_pdf_whatever_the_path(
    gateway: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = invoice_owner(shared_store)
    token = token_for(customer, company)
    url = await invoice_link(gateway, token, posted_invoices(shared_store, company, customer)[0]["number"])
    bc_log.clear()
    headers = {"authorization": f"Bearer {token}"}

    for path in (
        url + "/../../customers",
        url.replace("/documents/", "/documents/..%2F..%2Fcustomers%2F"),
        url + "?$expand=salesInvoiceLines",
        url + "%2F..%2Fcustomers",
        "/documents/",
        "/documents/%2E%2E",
    ):
        response = await gateway.get(path, headers=headers)
        if response.status_code == 200:
            assert response.content.startswith(b"%PDF-")
        else:
            assert response.status_code in (403, 404, 405), path
    assert {e.entity_set for e in bc_log.entries} <= {"salesInvoices", "pdfDocument"}
    assert all(
        e.path.endswith("/pdfDocument/pdfDocumentContent")
        for e in bc_log.entries
        if e.entity_set == "pdfDocument"
    )


async def test_the_owner_downloads_a_posted_credit_memo_pdf(
    gateway: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    company, customer = customer_with(shared_store, lambda c, n: len(posted_credit_memos(shared_store, c, n)))
    memo = posted_credit_memos(shared_store, company, customer)[0]
    token = token_for(customer, company)
    data = await data_of(
        gateway,
        "query($n: String!) { creditMemo(number: $n) { number pdfUrl } }",
        {"n": memo["number"]},
        token=token,
    )

    response = await gateway.get(data["creditMemo"]["pdfUrl"], headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert memo["number"].encode() in response.content
    assert "Credit-Memo-" in response.headers["content-disposition"]


async def test_the_owner_downloads_proof_of_delivery_from_the_shipment(
    gateway: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = customer_with(shared_store, lambda c, n: len(delivery_documents(shared_store, c, n)))
    document = delivery_documents(shared_store, company, customer)[0]
    token = token_for(customer, company)
    data = await data_of(
        gateway,
        PROOF_OF_DELIVERY,
        {"n": document["shipmentNumber"]},
        token=token,
    )
    pods = data["shipment"]["proofOfDelivery"]
    assert [(p["fileName"], p["byteSize"]) for p in pods] == [
        (d["fileName"], d["byteSize"])
        for d in delivery_documents(shared_store, company, customer)
        if d["shipmentNumber"] == document["shipmentNumber"]
    ]
    bc_log.clear()

    response = await gateway.get(pods[0]["downloadUrl"], headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.content == document["_content"]
    assert response.headers["content-disposition"] == f'attachment; filename="{document["fileName"]}"'
    assert [e.entity_set for e in bc_log.entries] == ["deliveryDocuments", "deliveryDocuments"]
    assert f"customerNumber eq '{customer}'" in (bc_log.entries[0].filter or "")
