"""Signed document links: what a token grants, and everything that makes one worthless."""

from __future__ import annotations

import uuid

import pytest

from gateway.bc import CustomerScope
from gateway.resolvers.document_links import DocumentKind, DocumentLinks, DocumentSigner, InvalidLink

COMPANY = uuid.UUID("11111111-1111-1111-1111-111111111111")
DOCUMENT = uuid.UUID("22222222-2222-2222-2222-222222222222")
SCOPE = CustomerScope(company_id=COMPANY, customer_number="10000")
KEY = b"k" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_signed_link_names_its_kind_company_document_customer_and_expiry() -> None:
    clock = Clock()
    signer = DocumentSigner(KEY, clock=clock, ttl_seconds=300)
    link = signer.verify(signer.sign(DocumentKind.CREDIT_MEMO, SCOPE, DOCUMENT))
    assert (link.kind, link.company_id, link.document_id, link.customer_number) == (
        DocumentKind.CREDIT_MEMO,
        COMPANY,
        DOCUMENT,
        "10000",
    )
    assert link.expires_at == 1_800_000_300
    assert link.scope == SCOPE


def test_a_link_expires_after_its_time_to_live() -> None:
    clock = Clock()
    signer = DocumentSigner(KEY, clock=clock, ttl_seconds=300)
    token = signer.sign(DocumentKind.INVOICE, SCOPE, DOCUMENT)
    clock.now += 300
    with pytest.raises(InvalidLink) as refused:
        signer.verify(token)
    assert refused.value.reason == "expired"


def test_replicas_sharing_a_key_accept_each_others_links_and_others_do_not() -> None:
    clock = Clock()
    token = DocumentSigner(KEY, clock=clock).sign(DocumentKind.INVOICE, SCOPE, DOCUMENT)
    assert DocumentSigner(KEY, clock=clock).verify(token).document_id == DOCUMENT
    with pytest.raises(InvalidLink):
        DocumentSigner(b"x" * 32, clock=clock).verify(token)
    with pytest.raises(InvalidLink):
        DocumentSigner(None, clock=clock).verify(token)  # a random per-process key


@pytest.mark.parametrize("token", ["", ".", "a.b.c", "%%%.%%%", "x" * 600, "eyJ9.AAAA"])
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidLink):
        DocumentSigner(KEY, clock=Clock()).verify(token)


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        DocumentSigner(b"short", clock=Clock())


def test_urls_hang_below_the_gateways_documents_route() -> None:
    links = DocumentLinks(DocumentSigner(KEY, clock=Clock()), SCOPE, "https://portal.example.com")
    url = links.url(DocumentKind.INVOICE, DOCUMENT)
    assert url.startswith("https://portal.example.com/documents/")
    assert "/" not in url.removeprefix("https://portal.example.com/documents/")
