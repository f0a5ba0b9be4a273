"""Identity and Membership: who is calling, and which customers it may act for."""

from __future__ import annotations

import uuid

import pytest

from gateway.auth import AccessDenied, Identity, Membership

CRONUS = uuid.UUID("5d115c9c-44e3-ea11-bb43-000d3a2feca1")
FABRIKAM = uuid.UUID("7a2e1f3b-0c4d-4e5f-8a9b-1c2d3e4f5a6b")


def identity(*memberships: Membership, issuer: str = "https://idp.test/", subject: str = "u1") -> Identity:
    return Identity(issuer=issuer, subject=subject, memberships=memberships or (Membership(CRONUS, "10000"),))


def test_membership_for_none_is_the_first_membership() -> None:
    caller = identity(Membership(FABRIKAM, "20000"), Membership(CRONUS, "10000"))

    assert caller.membership_for(None) == Membership(FABRIKAM, "20000")


def test_membership_for_a_member_company_is_that_membership() -> None:
    caller = identity(Membership(FABRIKAM, "20000"), Membership(CRONUS, "10000"))

    assert caller.membership_for(CRONUS).customer_number == "10000"


def test_membership_for_a_foreign_company_is_denied() -> None:
    with pytest.raises(AccessDenied) as caught:
        identity().membership_for(FABRIKAM)

    assert caught.value.reason == "not_a_member"
    assert caught.value.status_code == 403


def test_identity_key_is_issuer_plus_subject_not_display_name() -> None:
    ann = Identity("https://idp.test/", "u1", (Membership(CRONUS, "10000"),), display_name="Ann")
    renamed = Identity("https://idp.test/", "u1", (Membership(CRONUS, "10000"),), display_name="Anna")
    namesake = Identity("https://idp.test/", "u2", (Membership(CRONUS, "10000"),), display_name="Ann")

    assert ann.key == renamed.key
    assert ann.key != namesake.key


def test_identity_keys_of_different_issuers_never_collide() -> None:
    assert identity(issuer="https://a/", subject="bc").key != identity(issuer="https://a/b", subject="c").key
    assert (
        identity(issuer="https://one/", subject="u1").key != identity(issuer="https://two/", subject="u1").key
    )


def test_identity_needs_a_membership() -> None:
    with pytest.raises(ValueError, match="membership"):
        Identity("https://idp.test/", "u1", ())


def test_identity_holds_one_membership_per_company() -> None:
    with pytest.raises(ValueError, match="per company"):
        identity(Membership(CRONUS, "10000"), Membership(CRONUS, "20000"))


@pytest.mark.parametrize("subject", ["", None])
def test_identity_needs_a_subject(subject: str) -> None:
    with pytest.raises(ValueError, match="subject"):
        Identity("https://idp.test/", subject, (Membership(CRONUS, "10000"),))


def test_membership_refuses_the_blank_guid() -> None:
    with pytest.raises(ValueError, match="company_id"):
        Membership(uuid.UUID(int=0), "10000")


def test_membership_refuses_a_company_id_that_is_not_a_uuid() -> None:
    with pytest.raises(ValueError, match="company_id"):
        Membership(str(CRONUS), "10000")  # type: ignore[arg-type]


def test_identity_is_immutable() -> None:
    caller = identity()

    with pytest.raises(AttributeError):
        caller.subject = "someone-else"  # type: ignore[misc]
