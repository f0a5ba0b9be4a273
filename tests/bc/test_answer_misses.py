"""Each answer read from BC says why it was not served kept, and the generations a change
replaced are logged with the change (gateway/bc/_answer_misses.py: what ``bench/portal_mix.py
--explain`` attributes BC's requests to)."""

from __future__ import annotations

import logging

import pytest

from gateway.bc import DataKind
from gateway.bc._answer_misses import Miss
from gateway.bc._answer_policy import Stale
from gateway.bc._answers import generation_key
from gateway.store import MemoryStore
from tests.bc.test_answers import COMPANY, Reads, WallClock, cache, invoices_key

pytestmark = pytest.mark.anyio


async def test_a_read_from_bc_says_why_it_was_not_served_kept(caplog: pytest.LogCaptureFixture) -> None:
    clock, reads = WallClock(), Reads()
    answers = cache(MemoryStore(), clock, invoices_ttl=15.0)
    key = invoices_key()

    with caplog.at_level(logging.DEBUG, logger="gateway.bc.answers.misses"):
        first = await answers.read(key, reads)
        kept = await answers.read(key, reads)
        clock.now += 15.0
        expired = await answers.read(key, reads)
        await answers.invalidate(COMPANY, "10000", [(DataKind.INVOICES, False)])
        changed = await answers.read(key, reads)

    assert first.missed == Miss("absent", key.digest)
    assert kept.missed is None
    assert expired.missed == Miss("expired", key.digest)
    assert changed.missed == Miss(
        "changed", key.digest, (generation_key(COMPANY, "10000", DataKind.INVOICES),)
    )


async def test_with_the_misses_logger_off_no_reason_is_worked_out() -> None:
    clock, reads = WallClock(), Reads()
    answers = cache(MemoryStore(), clock, invoices_ttl=15.0)

    first = await answers.read(invoices_key(), reads)

    assert not first.kept
    assert first.missed is None


async def test_the_generations_a_change_replaces_are_logged_with_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    answers = cache(MemoryStore(), WallClock())

    with caplog.at_level(logging.DEBUG, logger="gateway.bc.answers.misses"):
        await answers.forget(COMPANY, "10000", [Stale(DataKind.INVOICES)], why="bc salesInvoices")

    (record,) = [r for r in caplog.records if r.getMessage() == "answers_forgotten"]
    forgotten = record.__dict__["answers_forgotten"]
    assert forgotten["why"] == "bc salesInvoices"
    assert generation_key(COMPANY, "10000", DataKind.INVOICES) in forgotten["names"]
