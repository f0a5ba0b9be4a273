"""The embedded sandbox's deterministic demo world (two CRONUS companies, 18 months of sales).

`build_store(seed, scale, today)` simulates the companies and projects them into a
`SandboxStore`; the same arguments always give the same store.
"""

from __future__ import annotations

from .build import build_store
from .demo import DemoCustomer, demo_customers

__all__ = ["DemoCustomer", "build_store", "demo_customers"]
