"""JSON ``$batch`` (REFERENCE §3.6): many GETs in one HTTP request, each answer routed back.

``POST {route}/$batch`` with ``{"requests": [{"id", "method", "url", "headers"}]}``, URLs relative
to the API root; BC answers ``{"responses": [{"id", "status", "headers", "body"}]}`` and reports
an inner failure in that inner response's ``body.error``.  BC accepts at most 100 operations.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final
from urllib.parse import quote, urlencode

import httpx

from ._errors import BCError, BCProtocolError, error_from_response

__all__ = ["MAX_BATCH_OPERATIONS", "BatchOperation", "InnerResponse", "batch_body", "read_batch"]

MAX_BATCH_OPERATIONS: Final = 100  # BC online's "Max batch size" (REFERENCE §5)
_SAFE: Final = "$,'()"  # characters OData query options use and that need no escaping


@dataclass(frozen=True)
class BatchOperation:
    """One inner GET: ``path`` relative to the API root, query options still separate."""

    id: str
    path: str
    params: Mapping[str, str]
    headers: Mapping[str, str] = field(default_factory=dict)

    def url(self) -> str:
        if not self.params:
            return self.path
        # %20, not '+': OData servers read a '+' in $filter literally.
        return f"{self.path}?{urlencode(dict(self.params), quote_via=quote, safe=_SAFE)}"


@dataclass(frozen=True)
class InnerResponse:
    status: int
    headers: Mapping[str, str]
    body: Any

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    def error(self) -> BCError:
        """The inner failure as the same ``BCError`` a plain request would have raised."""
        response = httpx.Response(self.status, headers=dict(self.headers), json=self.body)
        return error_from_response(response)


def batch_body(operations: Sequence[BatchOperation]) -> dict[str, Any]:
    return {
        "requests": [
            {"id": op.id, "method": "GET", "url": op.url(), "headers": dict(op.headers)} for op in operations
        ]
    }


def read_batch(response: httpx.Response) -> tuple[dict[str, InnerResponse], int | None]:
    """The inner responses by id; decimals stay exact (``parse_float=Decimal``)."""
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise BCProtocolError("Business Central sent a $batch answer that is not JSON") from exc
    answers = body.get("responses") if isinstance(body, dict) else None
    if not isinstance(answers, list):
        raise BCProtocolError("Business Central sent a $batch answer without 'responses'")
    inner: dict[str, InnerResponse] = {}
    for answer in answers:
        if not isinstance(answer, dict) or not isinstance(answer.get("status"), int):
            raise BCProtocolError("Business Central sent a $batch answer that is not a response")
        headers = answer.get("headers")
        headers = headers if isinstance(headers, dict) else {}
        inner[str(answer.get("id"))] = InnerResponse(
            answer["status"], {str(k): str(v) for k, v in headers.items()}, answer.get("body")
        )
    return inner, len(inner)
