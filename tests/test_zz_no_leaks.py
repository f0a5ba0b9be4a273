"""Collected last: nothing the whole run logged or answered holds a bearer token, the BC client
secret or a BC URL (tests/leak_watch.py records every log record and gateway response)."""

from __future__ import annotations

import pytest

from tests.leak_watch import WATCH


def test_no_log_line_or_response_body_of_the_run_holds_a_secret_or_a_bc_url() -> None:
    if not WATCH.bodies:
        pytest.skip("no end-to-end test ran in this session")
    assert WATCH.findings() == []
