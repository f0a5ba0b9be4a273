"""The portal's GraphQL operations, collected from ``static/js/operations.js`` for a safelist.

Each operation is a ``/* GraphQL */`` template literal (the marker graphql-codegen and most
editors recognise).  A template with a ``${…}`` substitution is refused: the document the
browser sends must be byte for byte the one in the manifest, or the gateway would refuse it.
"""

from __future__ import annotations

import hashlib
import re
from importlib.resources import files

_TEMPLATE = re.compile(r"/\*\s*GraphQL\s*\*/\s*`([^`]*)`")


def operations_source() -> str:
    return (files("gateway.portal") / "static" / "js" / "operations.js").read_text(encoding="utf-8")


def collect_operations(source: str) -> list[str]:
    """Every ``/* GraphQL */`` template literal in ``source``, in order.

    Raises ``ValueError`` for a template that substitutes a value, or when there is none.
    """
    documents = _TEMPLATE.findall(source)
    if not documents:
        raise ValueError("no /* GraphQL */ template found")
    for document in documents:
        if "${" in document:
            raise ValueError(f"a GraphQL template must be literal, without ${{…}}: {document[:60]!r}")
    return documents


def manifest(documents: list[str]) -> dict[str, str]:
    """The gateway's safelist format: ``{sha256 hex of the document: the document}``."""
    return {hashlib.sha256(document.encode("utf-8")).hexdigest(): document for document in documents}
