"""The staff simulator: what sales and warehouse staff do in Business Central, on demand or on a
clock — release, ship (partially), invoice, post a payment, change stock, answer a customer query.

Each action changes the sandbox's tables the way BC's posting routines do (posted documents,
order quantities, the customer ledger and balances, stock), atomically (one undo journal), and
tells the webhooks, so a subscriber hears about it like it would from BC.  docs/sandbox.md,
"Staff simulator".
"""

from __future__ import annotations

from .actions import ACTIONS, Outcome, run_action
from .desk import StaffError

__all__ = ["ACTIONS", "Outcome", "StaffError", "run_action"]
