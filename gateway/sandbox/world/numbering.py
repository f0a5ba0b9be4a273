"""Number series: BC hands out document numbers in the order documents are created."""

from __future__ import annotations

from collections import Counter
from datetime import date

from .reference import CompanySpec, SeriesFormat


class Numbering:
    """The next number of each series of one company (per year for series that restart yearly)."""

    def __init__(self, spec: CompanySpec) -> None:
        self._formats: dict[str, SeriesFormat] = {
            "orders": spec.orders,
            "shipments": spec.shipments,
            "invoices": spec.invoices,
            "credit_memos": spec.credit_memos,
            "draft_invoices": spec.draft_invoices,
            "draft_credit_memos": spec.draft_credit_memos,
            "payments": spec.payments,
        }
        self._used: Counter[tuple[str, int]] = Counter()

    def next(self, series: str, on: date) -> str:
        fmt = self._formats[series]
        key = (series, on.year if fmt.per_year else 0)
        number = fmt.format(self._used[key], on.year)
        self._used[key] += 1
        return number

    def last(self, series: str, on: date) -> str | None:
        """The number ``next`` handed out last in ``on``'s period, None if none yet."""
        fmt = self._formats[series]
        used = self._used[(series, on.year if fmt.per_year else 0)]
        return fmt.format(used - 1, on.year) if used else None
