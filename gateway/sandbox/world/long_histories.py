"""Customers with long order histories, for measuring what a page of history costs.

Off by default (the demo world stays small and fast to build): ``build_store(long_histories=(1000,
10000, 50000))`` adds, to the first company, one customer per number, each with that many orders
of its own in the last 12 months, walked through the same stages, postings, invoices and
payments as every other order (``LONG-1000``, ``LONG-10000``, ``LONG-50000``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from .basics import new_guid
from .model import Customer

__all__ = ["long_history_customers", "long_history_number"]


def long_history_number(orders: int) -> str:
    return f"LONG-{orders}"


def long_history_customers(
    rng: random.Random, template: Customer, counts: Sequence[int]
) -> tuple[tuple[Customer, int], ...]:
    """One customer per count, shaped like ``template`` (a regular, unblocked customer) and paying
    promptly, with a credit limit large enough for its volume."""
    return tuple(
        (
            replace(
                template,
                id=new_guid(rng),
                number=long_history_number(count),
                name=f"Long History {count:,} Ltd",
                currency=None,
                credit_limit=Decimal(1_000_000),
                blocked="_x0020_",
                payer="prompt",
            ),
            count,
        )
        for count in counts
    )
