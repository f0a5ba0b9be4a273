"""Who is calling: the identity built from a verified token, and the customers it may act for."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from gateway.auth.errors import AccessDenied
from gateway.customer_number import is_customer_number


@dataclass(frozen=True, slots=True)
class Membership:
    """One BC customer account the caller may act for: a customer number in one company.

    Construction fails with ``ValueError`` for a nil or non-UUID company id or a customer number
    that is not safe to put in an OData filter (see ``gateway.customer_number``).
    """

    company_id: uuid.UUID
    customer_number: str

    def __post_init__(self) -> None:
        if not isinstance(self.company_id, uuid.UUID) or self.company_id.int == 0:
            # BC writes the all-zero GUID for "blank"; it never identifies a company.
            raise ValueError("company_id must be a non-nil UUID")
        if not is_customer_number(self.customer_number):
            raise ValueError("customer_number is not a valid BC customer number")


@dataclass(frozen=True, slots=True)
class Identity:
    """A caller authenticated by a verified token.

    ``memberships`` is non-empty and names each company at most once; the first membership is the
    default.  The customer a request may see always comes from here, never from the request.
    """

    issuer: str
    subject: str
    memberships: tuple[Membership, ...]
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    display_name: str | None = None
    # The token's ``exp`` (seconds since the epoch): a long-lived connection (a GraphQL
    # subscription) ends when it passes, unless the client proves itself again.  Not part of
    # who the caller is: two tokens of one caller are one identity.
    expires_at: float | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.issuer or not self.subject:
            raise ValueError("issuer and subject must be non-empty")
        if not self.memberships:
            raise ValueError("an identity needs at least one membership")
        companies = [membership.company_id for membership in self.memberships]
        if len(set(companies)) != len(companies):
            # Two customers in one company would make membership_for() ambiguous.
            raise ValueError("an identity may hold one membership per company")

    @property
    def key(self) -> str:
        """A stable string naming this caller: its issuer plus its subject, never a display name.

        The two parts are JSON-encoded together so that no issuer/subject pair can collide with
        another one (plain concatenation would make ``("ab", "c")`` equal ``("a", "bc")``).
        """
        return json.dumps([self.issuer, self.subject], separators=(",", ":"))

    def membership_for(self, company_id: uuid.UUID | None) -> Membership:
        """The membership for ``company_id``, or the default (first) one when it is ``None``.

        Raises ``AccessDenied`` (reason ``"not_a_member"``) for a company the caller does not
        belong to.
        """
        if company_id is None:
            return self.memberships[0]
        for membership in self.memberships:
            if membership.company_id == company_id:
                return membership
        raise AccessDenied("not_a_member")
