"""Persisted queries: Apollo's automatic persisted queries (APQ) and a deploy-time safelist.

- ``off``: documents are sent in full; ``extensions.persistedQuery`` is refused.
- ``apq``: a request may carry ``extensions.persistedQuery = {version: 1, sha256Hash}``; with the
  document it registers it (the hash must match), without it the registered document is used, and
  an unknown hash answers ``PersistedQueryNotFound`` so the client resends the document.  A
  document is registered only once it passed every check, and for every replica (``edge/apq.py``).
- ``safelist``: only documents listed in the safelist file (produced from the front end's code at
  deploy time) run, by hash or in full; nothing is registered at run time.

A request may also name its document as graphql-codegen's client preset does for persisted
documents: ``{"documentId": "sha256:<hash>", "variables": …}`` (``sha256:`` optional).  It is
looked up like an APQ hash: in the safelist, or among the registered documents in ``apq`` mode.
The safelist file may be graphql-codegen's ``persisted-documents.json`` as it is
(``{"sha256:<hash>": "<document>"}``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from gateway.edge.apq import RegisteredDocuments
from gateway.schema.error_codes import ErrorCode
from gateway.store import MemoryStore

PersistedMode = Literal["off", "apq", "safelist"]


class PersistedQueryError(Exception):
    """A persisted-query failure; ``message`` and ``code`` follow Apollo's protocol."""

    def __init__(self, message: str, code: ErrorCode, status: int = 200) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


def digest_of(document_id: str) -> str | None:
    """The SHA-256 hex digest a document id names (``sha256:<hex>`` or ``<hex>``), or ``None``."""
    algorithm, _, digest = document_id.rpartition(":")
    if algorithm not in ("", "sha256") or not _HEX_DIGEST.fullmatch(digest):
        return None
    return digest.lower()


def load_safelist(path: Path) -> dict[str, str]:
    """A safelist file: a JSON object ``{sha256: document}`` (keys may read ``sha256:<hash>``, as
    in graphql-codegen's persisted documents) or a JSON list of documents.

    Hashes are checked against their documents, so a stale file fails at start-up, not later.
    """
    content = json.loads(path.read_text(encoding="utf-8"))
    documents = list(content.values()) if isinstance(content, dict) else content
    if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
        raise ValueError("a safelist is a JSON object of sha256 → document, or a list of documents")
    listed = {sha256_of(document): document for document in documents}
    if isinstance(content, dict):
        for key, document in content.items():
            digest = digest_of(key)
            if digest is None:
                raise ValueError(f"a safelist key is not a SHA-256 hash (or sha256:<hash>): {key[:80]!r}")
            if digest != sha256_of(document):
                raise ValueError(f"a safelist hash does not match its document: {key[:80]!r}")
    return listed


@dataclass(frozen=True)
class Resolved:
    """The document a request runs, and the digest to register it under once it passed the
    edge's checks (APQ with the document: ``None`` otherwise)."""

    document: str | None
    register_as: str | None = None


class PersistedQueries:
    """The persisted-query protocol in ``mode``; in ``apq`` mode, documents are registered in
    ``registered`` (shared by every replica; in process when none is given)."""

    def __init__(
        self,
        mode: PersistedMode = "apq",
        safelist: Mapping[str, str] | None = None,
        registered: RegisteredDocuments | None = None,
    ) -> None:
        if mode == "safelist" and safelist is None:
            raise ValueError("safelist mode needs a safelist")
        self.mode = mode
        self.safelist = safelist
        self._registered = registered if registered is not None else RegisteredDocuments(MemoryStore().kv)

    async def resolve(self, query: object, extensions: object, document_id: str | None = None) -> Resolved:
        """The document to run for a request's ``query``, ``extensions`` and ``documentId``, or an
        error."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if document_id is not None:
            return Resolved(await self._by_document_id(query, document_id))
        if persisted is None:
            return Resolved(self._plain(query))
        if self.mode == "off":
            raise PersistedQueryError(
                "PersistedQueryNotSupported", ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, 400
            )
        digest = _hash_of(persisted)
        if query is None:
            return Resolved(await self._lookup(digest))
        if not isinstance(query, str) or sha256_of(query) != digest:
            raise PersistedQueryError(
                "provided sha does not match query", ErrorCode.INVALID_PERSISTED_QUERY, 400
            )
        if self.mode == "safelist":
            return Resolved(self._listed(query))
        return Resolved(query, register_as=digest)

    async def register(self, digest: str, document: str) -> None:
        """Register a document that passed every check (``Resolved.register_as``)."""
        await self._registered.register(digest, document)

    async def _by_document_id(self, query: object, document_id: str) -> str:
        if self.mode == "off":
            raise PersistedQueryError(
                "PersistedQueryNotSupported", ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, 400
            )
        digest = digest_of(document_id)
        if digest is None:
            raise PersistedQueryError(
                "documentId must be sha256:<SHA-256 hex digest>", ErrorCode.INVALID_PERSISTED_QUERY, 400
            )
        if query is None:
            return await self._lookup(digest)
        if not isinstance(query, str) or sha256_of(query) != digest:
            raise PersistedQueryError(
                "documentId does not match query", ErrorCode.INVALID_PERSISTED_QUERY, 400
            )
        return self._listed(query) if self.mode == "safelist" else query

    def _plain(self, query: object) -> str | None:
        if self.mode == "safelist" and isinstance(query, str):
            return self._listed(query)
        return query if isinstance(query, str) else None

    async def _lookup(self, digest: str) -> str:
        if self.mode == "safelist":
            document = self.safelist.get(digest) if self.safelist is not None else None
            if document is None:
                raise _not_listed()
            return document
        registered = await self._registered.get(digest)
        if registered is None:
            raise PersistedQueryError("PersistedQueryNotFound", ErrorCode.PERSISTED_QUERY_NOT_FOUND)
        return registered

    def _listed(self, query: str) -> str:
        if self.safelist is None or sha256_of(query) not in self.safelist:
            raise _not_listed()
        return query


def _hash_of(persisted: Any) -> str:
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError(
            "Unsupported persisted query version", ErrorCode.INVALID_PERSISTED_QUERY, 400
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64:
        raise PersistedQueryError(
            "sha256Hash must be a SHA-256 hex digest", ErrorCode.INVALID_PERSISTED_QUERY, 400
        )
    return digest.lower()


def _not_listed() -> PersistedQueryError:
    return PersistedQueryError(
        "This operation is not on the gateway's safelist.", ErrorCode.OPERATION_NOT_SAFELISTED, 400
    )
