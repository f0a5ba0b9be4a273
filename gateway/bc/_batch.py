"""JSON ``$batch`` (REFERENCE §3.6): many GETs in one HTTP request, each answer routed back.

``POST {route}/$batch`` with ``{"requests": [{"id", "method", "url", "headers"}]}``, URLs relative
to the API root; BC answers ``{"responses": [{"id", "status", "headers", "body"}]}`` and reports
an inner failure in that inner response's ``body.error``.  BC accepts at most 100 operations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote, urlencode

import httpx
import msgspec

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
    """One inner answer; ``body`` is its JSON exactly as BC sent it, read only by whoever asked
    (a page by its model's reader, an error as an error)."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    def error(self) -> BCError:
        """The inner failure as the same ``BCError`` a plain request would have raised."""
        headers = {**self.headers, "content-type": "application/json"}
        return error_from_response(httpx.Response(self.status, headers=headers, content=self.body))


def batch_body(operations: Sequence[BatchOperation]) -> dict[str, Any]:
    return {
        "requests": [
            {"id": op.id, "method": "GET", "url": op.url(), "headers": dict(op.headers)} for op in operations
        ]
    }


class _Answer(msgspec.Struct):
    status: int
    id: str | int | None = None
    headers: dict[str, Any] | None = None
    body: msgspec.Raw = msgspec.Raw(b"null")  # left unparsed: its reader decodes it into models


class _Envelope(msgspec.Struct):
    responses: list[msgspec.Raw]


_ENVELOPE = msgspec.json.Decoder(_Envelope)
_ANSWER = msgspec.json.Decoder(_Answer)


def read_batch(response: httpx.Response) -> tuple[dict[str, InnerResponse], int | None]:
    """The inner responses by id, each body still the bytes BC sent."""
    try:
        answers = _ENVELOPE.decode(response.content).responses
    except msgspec.ValidationError as exc:  # (a subclass of DecodeError: JSON of another shape)
        raise BCProtocolError("Business Central sent a $batch answer without 'responses'") from exc
    except msgspec.DecodeError as exc:
        raise BCProtocolError("Business Central sent a $batch answer that is not JSON") from exc
    inner: dict[str, InnerResponse] = {}
    for raw in answers:
        try:
            answer = _ANSWER.decode(raw)
        except msgspec.ValidationError as exc:
            raise BCProtocolError("Business Central sent a $batch answer that is not a response") from exc
        headers = {str(k): str(v) for k, v in (answer.headers or {}).items()}
        inner[str(answer.id)] = InnerResponse(answer.status, headers, bytes(answer.body))
    return inner, len(inner)
