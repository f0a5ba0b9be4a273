"""How fresh an answer is: kept BC answers for queries, BC itself for mutations.

A response that used answers kept from earlier reads carries ``extensions.oldestDataAgeSeconds``:
how long ago BC gave the oldest of them (``docs/caching.md``).  Without it, everything in the
response was read from BC for this operation.  A mutation reads nothing kept: what it decides
(does this order exist, which prices, may this customer reply) is decided on what BC holds now.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

__all__ = ["AnswerFreshness"]


class AnswerFreshness(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        session = _session(self.execution_context.context)
        if session is not None and _is_mutation(self.execution_context):
            session.read_fresh()
        yield

    def get_results(self) -> dict[str, Any]:
        session = _session(self.execution_context.context)
        age = session.oldest_kept_answer_age if session is not None else None
        if age is None:
            return {}
        return {"oldestDataAgeSeconds": round(age, 1)}


def _session(context: Any) -> Any:
    # Only a gateway operation has a BC session (the schema is also run without one in tests).
    session = getattr(context, "bc", None)
    return session if hasattr(session, "read_fresh") else None


def _is_mutation(execution_context: Any) -> bool:
    try:
        return str(execution_context.operation_type.value) == "mutation"
    except Exception:  # noqa: BLE001 - an unparsable document has no type; it does not execute either
        return False
