"""The heap after start-up: what the process built to start is kept out of the collector's way,
and what a request builds is not scanned over and over while it is being built."""

from __future__ import annotations

import gc
from typing import Final

__all__ = ["freeze_start_up_objects"]

# Python's default (700 allocations between collections of the youngest generation) was set for
# small heaps.  An answer of 1,000 orders × 10 lines allocates some 250,000 objects that all live
# until it is sent, and at 700 the collector scanned them again and again — in the middle
# generation, and about once per answer in a full collection — which took 70–120 ms of a
# ~300 ms answer (``bench/reference.py``, measured with ``gc.callbacks``); at 10,000, 15–45 ms.
# Cyclic garbage waits at most 10,000 allocations longer for its collection.
YOUNGEST_GENERATION_THRESHOLD: Final = 10_000


def freeze_start_up_objects() -> None:
    """Move every object alive now (modules, the schema, the app and its clients: they live as
    long as the process) out of the cyclic garbage collector's generations, after collecting what
    start-up left behind.  The collector then no longer scans them on every full collection a
    request's allocations set off: a third of the CPU of a 1,000-order answer went to that
    (``bench/reference.py``).  Python's own advice for long-running servers (``gc.freeze``).
    And collect the youngest generation every :data:`YOUNGEST_GENERATION_THRESHOLD`
    allocations rather than every 700."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_GENERATION_THRESHOLD, middle, oldest)
