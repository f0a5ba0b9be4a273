"""BC error responses map, through one table, to the BCError subclass with code/status/correlation id.

Errors BC may recover from are retried; the client's clock is a fake, so no test here waits.
"""

from __future__ import annotations

import pytest
import respx

from gateway.bc import (
    BCAuthenticationFailed,
    BCClient,
    BCError,
    BCNotFound,
    BCProtocolError,
    BCRequestRejected,
    BCThrottled,
    BCTimeout,
    BCUnavailable,
    CustomerScope,
    Query,
)
from tests.bc.conftest import COMPANY_PATH
from tests.bc.fakes import FakeTime

ITEMS_PATH = f"{COMPANY_PATH}/items"


def bc_error(code: str, message: str) -> dict[str, object]:
    return {"error": {"code": code, "message": message}}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, BCRequestRejected),
        (401, BCAuthenticationFailed),
        (403, BCAuthenticationFailed),
        (404, BCNotFound),
        (405, BCRequestRejected),
        (408, BCTimeout),
        (409, BCRequestRejected),
        (412, BCRequestRejected),
        (413, BCRequestRejected),
        (415, BCRequestRejected),
        (422, BCRequestRejected),
        (429, BCThrottled),
        (500, BCUnavailable),
        (502, BCUnavailable),
        (503, BCUnavailable),
        (504, BCUnavailable),
        (302, BCProtocolError),
    ],
)
async def test_status_maps_to_error_class(
    status: int, expected: type[BCError], client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    body = bc_error("BadRequest_NotFound", "Bad Request - Error in query syntax.  CorrelationId:  abc-123.")
    router.get(ITEMS_PATH).respond(status, json=body)
    with pytest.raises(BCError) as caught:
        await client.session(scope).fetch(Query("items"))
    assert type(caught.value) is expected
    assert caught.value.status == status
    assert caught.value.code == "BadRequest_NotFound"
    assert caught.value.correlation_id == "abc-123"


@pytest.mark.anyio
async def test_rejection_carries_bc_code_and_message_without_the_correlation_suffix(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    message = (
        "'Invalid Type' is not an option. The existing options are: Inventory,Service  CorrelationId:  x."
    )
    router.get(ITEMS_PATH).respond(400, json=bc_error("Unknown", message))
    with pytest.raises(BCRequestRejected) as caught:
        await client.session(scope).fetch(Query("items"))
    assert caught.value.code == "Unknown"
    assert (
        caught.value.message == "'Invalid Type' is not an option. The existing options are: Inventory,Service"
    )
    assert caught.value.correlation_id == "x"


@pytest.mark.anyio
async def test_correlation_id_comes_from_headers_when_the_body_has_none(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(ITEMS_PATH).respond(503, text="Service Unavailable", headers={"request-id": "req-9"})
    with pytest.raises(BCUnavailable) as caught:
        await client.session(scope).fetch(Query("items"))
    assert caught.value.correlation_id == "req-9"
    assert caught.value.code == "unavailable"


@pytest.mark.anyio
async def test_throttling_carries_retry_after(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope, fake_time: FakeTime
) -> None:
    router.get(ITEMS_PATH).respond(
        429, headers={"Retry-After": "12"}, json=bc_error("Throttled", "Slow down")
    )
    with pytest.raises(BCThrottled) as caught:
        await client.session(scope).fetch(Query("items"))
    assert caught.value.retry_after == 12.0
    # BC's Retry-After is waited out before each retry, on the client's (fake) clock, until a
    # third wait would pass the operation's 30 s deadline.
    assert fake_time.sleeps == [12.0, 12.0]


@pytest.mark.anyio
async def test_error_text_names_no_url(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(ITEMS_PATH).respond(404)
    with pytest.raises(BCNotFound) as caught:
        await client.session(scope).fetch(Query("items"))
    assert "bc.test" not in str(caught.value)
    assert "companies" not in str(caught.value)
    assert str(caught.value) == "Business Central answered HTTP 404 (code=not_found, status=404)"


@pytest.mark.anyio
async def test_redirect_is_not_followed(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(ITEMS_PATH).respond(302, headers={"Location": "https://elsewhere.test/steal"})
    elsewhere = router.get("https://elsewhere.test/steal").respond(200, json={"value": []})
    with pytest.raises(BCProtocolError):
        await client.session(scope).fetch(Query("items"))
    assert not elsewhere.called


@pytest.mark.anyio
async def test_unsafe_error_code_is_not_carried(
    client: BCClient, router: respx.MockRouter, scope: CustomerScope
) -> None:
    router.get(ITEMS_PATH).respond(400, json=bc_error("<script>", "nope"))
    with pytest.raises(BCRequestRejected) as caught:
        await client.session(scope).fetch(Query("items"))
    assert caught.value.code == "request_rejected"


def test_every_public_exception_is_a_bc_error() -> None:
    import gateway.bc as bc

    exceptions = [
        obj
        for obj in (getattr(bc, name) for name in bc.__all__)
        if isinstance(obj, type) and issubclass(obj, Exception)
    ]
    # CapabilityUnavailable, BCQueueFull, BCCircuitOpen, UnsafeFilterText and NotKept joined the tree.
    assert len(exceptions) == 17
    assert all(issubclass(cls, BCError) for cls in exceptions)
