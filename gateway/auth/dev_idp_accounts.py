"""Who the development identity provider can sign in as: the demo customers of the sandbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoMembership:
    """One customer account in one company, with the names the sign-in page shows."""

    company_id: uuid.UUID
    company_name: str
    customer_number: str
    customer_name: str
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A person to sign in as: one customer of one company, or a buyer for customers of several
    companies (one membership per company, the first the default)."""

    key: str
    name: str
    memberships: tuple[DemoMembership, ...]

    def __post_init__(self) -> None:
        if not self.memberships:
            raise ValueError("a demo account needs at least one membership")
