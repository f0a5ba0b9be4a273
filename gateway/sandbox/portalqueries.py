"""The portal extension's customer queries (docs/bc-extension.md): POST a query with its first
messages inline, POST a reply to ``customerQueryMessages``."""

from __future__ import annotations

from typing import Any

from gateway.sandbox.numbers import next_number
from gateway.sandbox.rules import Rules, WriteContext
from gateway.sandbox.salesorders import ZERO_GUID, dialog, find
from gateway.sandbox.store import STANDARD_ROUTE, Row


class CustomerQueryRules(Rules):
    def on_insert(self, ctx: WriteContext, row: Row, given: dict[str, Any], parent: Row | None) -> None:
        number = given.get("customerNumber", "")
        if not number:
            raise dialog('A "customerNumber" must be provided.')
        if find(ctx.table("customers", STANDARD_ROUTE), "number", number) is None:
            raise dialog(f"The Customer does not exist. Identification fields and values: No.='{number}'")
        row.update(
            {
                "number": next_number(
                    ctx.store, ctx.journal, ctx.company_id, ctx.route, "customerQueries", "CQ-00001"
                ),
                "status": "Open",
                "createdDateTime": ctx.now,
                "lastModifiedDateTime": ctx.now,
            }
        )


class CustomerQueryMessageRules(Rules):
    def on_insert(self, ctx: WriteContext, row: Row, given: dict[str, Any], parent: Row | None) -> None:
        query = parent or _query_of(ctx, row)
        if not str(row.get("body", "")).strip():
            raise dialog('A "body" must be provided.')
        siblings = [m for m in ctx.table("customerQueryMessages") if m.get("queryId") == query["id"]]
        row.update(
            {
                "queryId": query["id"],
                "sequence": max((int(m.get("sequence", 0)) for m in siblings), default=0) + 1,
                "authorType": given.get("authorType", "Customer"),
                "createdDateTime": ctx.now,
            }
        )

    def after_insert(self, ctx: WriteContext, row: Row) -> None:
        query = find(ctx.table("customerQueries"), "id", row["queryId"])
        if query is not None:  # the query's time is its newest message's
            ctx.journal.update(query, {"lastModifiedDateTime": row["createdDateTime"]})


def _query_of(ctx: WriteContext, row: Row) -> Row:
    query_id = row.get("queryId", ZERO_GUID)
    query = find(ctx.table("customerQueries"), "id", query_id) if query_id != ZERO_GUID else None
    if query is None:
        raise dialog('The "queryId" does not match to a Customer Query.')
    return query
