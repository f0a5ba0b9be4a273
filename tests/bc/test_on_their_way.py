"""A $batch waits for the reads ahead on their way to it, and never longer than its patience."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from gateway.bc._coalesce import Coalescer
from gateway.bc._on_their_way import PATIENCE_SECONDS, OnTheirWay

pytestmark = pytest.mark.anyio


def _batches() -> tuple[list[list[str]], OnTheirWay, Coalescer[str]]:
    """The batches sent, the reads ahead on their way, and a coalescer that waits for them."""
    sent: list[list[str]] = []
    way = OnTheirWay()

    async def run(reads: Sequence[str]) -> list[list[str]]:
        sent.append(list(reads))
        return [[read] for read in reads]

    return sent, way, Coalescer(run, ready=way.ready)


async def test_a_read_waits_for_a_read_ahead_on_its_way_and_goes_with_it() -> None:
    sent, way, coalescer = _batches()
    arrive = way.set_out()
    needed = asyncio.ensure_future(coalescer.submit("read-back"))
    for _ in range(20):
        await asyncio.sleep(0)
    assert sent == []  # held: the read ahead is still asking the answer cache

    arrive()
    ahead = await coalescer.submit("first page")

    assert await needed == ["read-back"]
    assert ahead == ["first page"]
    assert sent == [["read-back", "first page"]]


async def test_a_read_ahead_that_never_arrives_holds_the_batch_no_longer_than_its_patience() -> None:
    sent, way, coalescer = _batches()
    way.set_out()

    rows = await asyncio.wait_for(coalescer.submit("read-back"), timeout=PATIENCE_SECONDS * 20)

    assert rows == ["read-back"]
    assert sent == [["read-back"]]


async def test_nothing_on_its_way_holds_nothing() -> None:
    sent, way, coalescer = _batches()
    arrive = way.set_out()
    arrive()
    arrive()  # arriving twice counts once

    assert await coalescer.submit("read") == ["read"]
    assert sent == [["read"]]
