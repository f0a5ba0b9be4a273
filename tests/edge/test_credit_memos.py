"""Credit memos: posted only, newest first, with lines."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.sandbox.store import SandboxStore
from tests.edge.portal_support import customer_with, money, posted_credit_memos
from tests.helpers import data_of, rows

pytestmark = pytest.mark.anyio

CREDIT_MEMOS = """
{ creditMemos(first: 100) { nodes { number postingDate status invoiceNumber totalIncludingTax { amount }
    lines { sequence number quantity amountExcludingTax { amount } } } } }
"""


async def test_credit_memos_are_the_posted_ones_newest_first_with_lines(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any, bc_log: Any
) -> None:
    company, customer = customer_with(shared_store, lambda c, n: len(posted_credit_memos(shared_store, c, n)))
    want = posted_credit_memos(shared_store, company, customer)
    await client.get("/healthz")
    bc_log.clear()

    data = await data_of(client, CREDIT_MEMOS, token=token_for(customer, company))

    nodes = data["creditMemos"]["nodes"]
    assert [n["number"] for n in nodes] == [m["number"] for m in want]
    lines = rows(shared_store, company, "salesCreditMemoLines")
    for node, memo in zip(nodes, want, strict=True):
        assert node["status"] == memo["status"].upper()
        assert money(node["totalIncludingTax"]["amount"]) == memo["totalAmountIncludingTax"]
        mine = sorted((li for li in lines if li["documentId"] == memo["id"]), key=lambda li: li["sequence"])
        assert [li["sequence"] for li in node["lines"]] == [li["sequence"] for li in mine]
    assert [e.entity_set for e in bc_log.entries] == ["salesCreditMemos"]
    assert f"customerNumber eq '{customer}'" in (bc_log.entries[0].filter or "")


async def test_a_draft_credit_memo_is_never_shown(
    client: httpx.AsyncClient, shared_store: SandboxStore, token_for: Any
) -> None:
    drafts = [
        (company["id"], m)
        for company in shared_store.companies
        for m in rows(shared_store, company["id"], "salesCreditMemos")
        if m["status"] == "Draft"
    ]
    if not drafts:
        pytest.skip("the demo world has no draft credit memo at this scale")
    company, draft = drafts[0]
    token = token_for(draft["customerNumber"], company)
    data = await data_of(
        client,
        "query($n: String!) { creditMemo(number: $n) { number } }",
        {"n": draft["number"]},
        token=token,
    )
    listed = await data_of(client, CREDIT_MEMOS, token=token)
    assert data["creditMemo"] is None
    assert draft["number"] not in {n["number"] for n in listed["creditMemos"]["nodes"]}
