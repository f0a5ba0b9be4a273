"""The BC client declares what it needs of the shared store; both stores satisfy it, per mypy.

``gateway/bc`` imports nothing else of ``gateway``, so nothing at runtime ties ``SharedLimits`` to
``gateway.store``: mypy --strict checks the assignments below, and a store that lacked a part the
limiter uses would fail it.
"""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]

ASSIGNMENTS = """
from __future__ import annotations

from gateway.bc import SharedLimits
from gateway.store import MemoryStore, RedisStore, Store


def shared(memory: MemoryStore, redis: RedisStore, store: Store) -> list[SharedLimits]:
    return [memory, redis, store]
"""

WITHOUT_WINDOWS = """
from __future__ import annotations

from gateway.bc import SharedLimits
from gateway.store import MemoryStore


class NoWindows:
    def __init__(self) -> None:
        store = MemoryStore()
        self.slots, self.channels, self.replicated = store.slots, store.channels, True


shared: SharedLimits = NoWindows()
"""


def _mypy(source: str, directory: Path) -> tuple[str, int]:
    path = directory / "check_shared_limits.py"
    path.write_text(source, encoding="utf-8")
    out, err, status = api.run(["--strict", "--config-file", str(ROOT / "pyproject.toml"), str(path)])
    return out + err, status


def test_memory_and_redis_stores_satisfy_the_bc_clients_protocol(tmp_path: Path) -> None:
    report, status = _mypy(ASSIGNMENTS, tmp_path)
    assert status == 0, report


def test_a_store_without_windows_does_not(tmp_path: Path) -> None:
    report, status = _mypy(WITHOUT_WINDOWS, tmp_path)
    assert status == 1
    assert "windows" in report.split("note:", 1)[1]
