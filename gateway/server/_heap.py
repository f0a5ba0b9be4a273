"""The heap after start-up: what the process built to start is kept out of the collector's way."""

from __future__ import annotations

import gc

__all__ = ["freeze_start_up_objects"]


def freeze_start_up_objects() -> None:
    """Move every object alive now (modules, the schema, the app and its clients: they live as
    long as the process) out of the cyclic garbage collector's generations, after collecting what
    start-up left behind.  The collector then no longer scans them on every full collection a
    request's allocations set off: a third of the CPU of a 1,000-order answer went to that
    (``bench/reference.py``).  Python's own advice for long-running servers (``gc.freeze``)."""
    gc.collect()
    gc.freeze()
