"""From verified claims to an ``Identity``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from gateway.auth.errors import TokenRejected
from gateway.auth.identity import Identity, Membership
from gateway.auth.settings import ClaimNames

# Only the canonical 8-4-4-4-12 form: uuid.UUID() would also take braces, URNs and bare hex.
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def identity_from_claims(claims: Mapping[str, Any], names: ClaimNames) -> Identity:
    """The identity the (already verified) ``claims`` describe.

    Raises ``TokenRejected`` with reason ``"invalid_claims"`` when the memberships are missing or
    invalid (company not a GUID, customer number not safe) or ``sub`` is not a string.
    """
    try:
        return Identity(
            issuer=_string(claims.get("iss")),
            subject=_string(claims.get("sub")),
            memberships=_memberships(claims, names),
            roles=frozenset(_words(claims.get(names.roles))),
            scopes=frozenset(_words(claims.get(names.scopes))),
            display_name=_display_name(claims.get(names.name)),
            expires_at=_expiry(claims.get("exp")),
        )
    except ValueError as exc:
        raise TokenRejected("invalid_claims") from exc


def _memberships(claims: Mapping[str, Any], names: ClaimNames) -> tuple[Membership, ...]:
    # The list claim wins when present: it is the complete statement of what the person may see.
    if names.memberships in claims:
        entries = claims[names.memberships]
        if not isinstance(entries, list):
            raise ValueError("memberships claim must be a list")
        return tuple(_membership_entry(entry) for entry in entries)
    return (_membership(claims.get(names.company), claims.get(names.customer)),)


def _membership_entry(entry: object) -> Membership:
    if not isinstance(entry, dict):
        raise ValueError("membership entry must be an object")
    return _membership(entry.get("company"), entry.get("customer"))


def _membership(company: object, customer: object) -> Membership:
    if not isinstance(company, str) or not _GUID.fullmatch(company):
        raise ValueError("company must be a GUID")
    return Membership(company_id=uuid.UUID(company), customer_number=_string(customer))


def _words(value: object) -> list[str]:
    """A space-separated string or a list of strings, as OAuth scopes and roles come."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(word, str) for word in value):
        return [word for word in value if word]
    raise ValueError("expected a string or a list of strings")


def _display_name(value: object) -> str | None:
    # The name is only ever shown, never trusted; a provider sending junk loses the name only.
    return value if isinstance(value, str) and value.strip() else None


def _expiry(value: object) -> float | None:
    # check_time_window has already refused a missing or non-numeric ``exp``.
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value
