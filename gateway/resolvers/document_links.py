"""Short-lived signed links to ``/documents/{token}``: a PDF or a proof-of-delivery file.

A token is ``base64url(payload) "." base64url(HMAC-SHA256(key, payload))``; the payload names the
kind of document, the company, the document's GUID, the customer number and the expiry (Unix
seconds).  The key is random per process unless ``GATEWAY_DOCUMENT_KEY`` gives one that every
replica shares.  A link is useless to anyone but its customer: ``/documents`` also requires the
caller's bearer token to name the same customer and company (docs/documents.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from uuid import UUID

from gateway.bc import CustomerScope, InvalidScope

__all__ = ["DocumentKind", "DocumentLink", "DocumentLinks", "DocumentSigner", "InvalidLink"]

_VERSION = 1
DEFAULT_TTL_SECONDS = 300
MIN_KEY_BYTES = 32
_MAX_TOKEN_LENGTH = 512


class DocumentKind(Enum):
    """What a link downloads; the value is what the token carries."""

    INVOICE = "inv"
    CREDIT_MEMO = "crm"
    DELIVERY_DOCUMENT = "pod"
    STATEMENT = "stm"


class InvalidLink(Exception):
    """A token that is malformed, forged or expired; ``reason`` says which (for the log only)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DocumentLink:
    """What a verified token grants: one document of one customer, until ``expires_at``."""

    kind: DocumentKind
    company_id: UUID
    document_id: UUID
    customer_number: str
    expires_at: int

    @property
    def scope(self) -> CustomerScope:
        return CustomerScope(company_id=self.company_id, customer_number=self.customer_number)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class DocumentSigner:
    """Signs and verifies document tokens with one HMAC-SHA256 key; ``clock`` gives Unix seconds."""

    def __init__(
        self, key: bytes | None, *, clock: Callable[[], float], ttl_seconds: int = DEFAULT_TTL_SECONDS
    ) -> None:
        if key is not None and len(key) < MIN_KEY_BYTES:
            raise ValueError(f"a document signing key needs at least {MIN_KEY_BYTES} bytes")
        self._key = key if key is not None else secrets.token_bytes(MIN_KEY_BYTES)
        self._clock = clock
        self.ttl_seconds = ttl_seconds

    def new_link_expiry(self) -> int:
        """When a link signed now expires (Unix seconds)."""
        return int(self._clock()) + self.ttl_seconds

    def sign(self, kind: DocumentKind, scope: CustomerScope, document_id: UUID) -> str:
        expires = self.new_link_expiry()
        payload = [
            _VERSION,
            kind.value,
            str(scope.company_id),
            str(document_id),
            scope.customer_number,
            expires,
        ]
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return f"{_b64(raw)}.{_b64(self._mac(raw))}"

    def verify(self, token: str) -> DocumentLink:
        """The link ``token`` grants; ``InvalidLink`` unless it is well-formed, ours and unexpired."""
        if len(token) > _MAX_TOKEN_LENGTH or token.count(".") != 1:
            raise InvalidLink("malformed")
        encoded, signature = token.split(".")
        try:
            raw, mac = _unb64(encoded), _unb64(signature)
        except (ValueError, binascii.Error):
            raise InvalidLink("malformed") from None
        if not hmac.compare_digest(mac, self._mac(raw)):
            raise InvalidLink("bad_signature")
        link = _parse(raw)
        if link.expires_at <= self._clock():
            raise InvalidLink("expired")
        return link

    def _mac(self, raw: bytes) -> bytes:
        return hmac.new(self._key, raw, hashlib.sha256).digest()


def _parse(raw: bytes) -> DocumentLink:
    # Only reached for payloads this process (or a replica sharing the key) signed.
    try:
        version, kind, company, document, customer, expires = json.loads(raw)
        if version != _VERSION or not isinstance(expires, int) or not isinstance(customer, str):
            raise ValueError(version)
        link = DocumentLink(DocumentKind(kind), UUID(company), UUID(document), customer, expires)
        link.scope  # noqa: B018 - validates the company and customer number
    except (ValueError, TypeError, InvalidScope):
        raise InvalidLink("malformed") from None
    return link


@dataclass(frozen=True)
class DocumentLinks:
    """Per request: signed download URLs for documents of ``scope``, under ``base_url``."""

    signer: DocumentSigner
    scope: CustomerScope
    base_url: str  # the gateway's origin as the client reached it, without a trailing slash
    # When the first link of this request was signed to expire (a kept response must not
    # outlive its links: edge/response_cache.py).
    _first_expiry: list[int] = field(default_factory=list, compare=False, repr=False)

    def url(self, kind: DocumentKind, document_id: UUID) -> str:
        if not self._first_expiry:
            self._first_expiry.append(self.signer.new_link_expiry())
        return f"{self.base_url}/documents/{self.signer.sign(kind, self.scope, document_id)}"

    @property
    def fresh_until(self) -> float | None:
        """Until when the links signed so far have at least half their lifetime left (Unix
        seconds); ``None`` when none was signed."""
        if not self._first_expiry:
            return None
        return self._first_expiry[0] - self.signer.ttl_seconds / 2
