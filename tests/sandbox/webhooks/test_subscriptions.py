"""BC's webhook subscription API as the sandbox emulates it: handshake, renew, expiry, delete, limit."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from starlette.applications import Starlette

from gateway.sandbox.app import sandbox_of
from tests.sandbox.webhooks.conftest import HOOK, SUBSCRIPTIONS, company_id, subscribe
from tests.sandbox.webhooks.support import START, FakeClock, Subscriber

pytestmark = pytest.mark.anyio

PORTAL_SUBSCRIPTIONS = "/v2.0/sandbox/production/api/bcgateway/portal/v1.0/subscriptions"


def assert_bc_error(response: httpx.Response, status: int, code: str, text: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert text in error["message"]
    assert "CorrelationId" in error["message"]


async def test_create_validates_the_notification_url_then_answers_the_subscription(
    bc: httpx.AsyncClient, subscriber: Subscriber
) -> None:
    response = await subscribe(bc)

    assert response.status_code == 201, response.text
    created = response.json()
    assert len(subscriber.handshakes) == 1
    assert created["notificationUrl"] == HOOK
    assert created["clientState"] == "s3cret"
    assert len(created["subscriptionId"]) == 32
    expected_expiry = START + dt.timedelta(days=3)
    assert created["expirationDateTime"] == expected_expiry.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert response.headers["ETag"] == created["@odata.etag"]
    listed = (await bc.get(SUBSCRIPTIONS)).json()["value"]
    assert [s["subscriptionId"] for s in listed] == [created["subscriptionId"]]


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("wrong", "did not return the validationToken"),
        ("500", "answered 500 instead of 200"),
    ],
)
async def test_a_failed_handshake_refuses_the_subscription(
    bc: httpx.AsyncClient, subscriber: Subscriber, answer: str, problem: str
) -> None:
    subscriber.handshake_answer = answer

    response = await subscribe(bc)

    assert_bc_error(response, 400, "BadRequest", problem)
    assert (await bc.get(SUBSCRIPTIONS)).json()["value"] == []


async def test_a_handshake_not_answered_in_time_refuses_the_subscription(
    bc: httpx.AsyncClient, app: Starlette
) -> None:
    def too_slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    sandbox_of(app).webhooks.deliver_through(httpx.MockTransport(too_slow))

    response = await subscribe(bc)

    assert_bc_error(response, 400, "BadRequest", "did not answer within 10 seconds")
    assert (await bc.get(SUBSCRIPTIONS)).json()["value"] == []


async def test_the_environment_holds_at_most_its_limit_of_subscriptions(bc: httpx.AsyncClient) -> None:
    for entity_set in ("customers", "items", "salesOrders"):
        assert (await subscribe(bc, entity_set)).status_code == 201

    response = await subscribe(bc, "salesInvoices")

    assert_bc_error(response, 400, "Application_DialogException", "maximum number of subscriptions (3)")
    assert len((await bc.get(SUBSCRIPTIONS)).json()["value"]) == 3


async def test_renewing_needs_if_match_and_a_new_handshake(
    bc: httpx.AsyncClient, subscriber: Subscriber, clock: FakeClock
) -> None:
    created = (await subscribe(bc)).json()
    url = f"{SUBSCRIPTIONS}('{created['subscriptionId']}')"
    clock.advance(24 * 3600)

    missing = await bc.patch(url, json={})
    stale = await bc.patch(url, json={}, headers={"If-Match": 'W/"JzIwOzEyMzQ1OzAwOyc="'})
    renewed = await bc.patch(url, json={}, headers={"If-Match": created["@odata.etag"]})

    assert_bc_error(missing, 400, "BadRequest_InvalidToken", "concurrency token")
    assert_bc_error(stale, 409, "Request_EntityChanged", "Another user has already changed the record.")
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["expirationDateTime"] == (clock.now + dt.timedelta(days=3)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert renewed.json()["@odata.etag"] != created["@odata.etag"]
    assert len(subscriber.handshakes) == 2  # create, renew


async def test_a_renewal_whose_handshake_fails_keeps_the_old_expiry(
    bc: httpx.AsyncClient, subscriber: Subscriber
) -> None:
    created = (await subscribe(bc)).json()
    subscriber.handshake_answer = "wrong"
    url = f"{SUBSCRIPTIONS}('{created['subscriptionId']}')"

    response = await bc.patch(url, json={}, headers={"If-Match": "*"})

    assert_bc_error(response, 400, "BadRequest", "validationToken")
    assert (await bc.get(url)).json()["expirationDateTime"] == created["expirationDateTime"]


async def test_a_subscription_not_renewed_expires_after_three_days(
    bc: httpx.AsyncClient, clock: FakeClock
) -> None:
    created = (await subscribe(bc)).json()
    url = f"{SUBSCRIPTIONS}('{created['subscriptionId']}')"
    clock.advance(3 * 24 * 3600 - 1)
    assert (await bc.get(url)).status_code == 200

    clock.advance(1)

    assert (await bc.get(SUBSCRIPTIONS)).json()["value"] == []
    gone = await bc.patch(url, json={}, headers={"If-Match": "*"})
    assert_bc_error(gone, 404, "Internal_RecordNotFound", "'subscriptions' record does not exist")


async def test_delete_needs_if_match_and_removes_the_subscription(bc: httpx.AsyncClient) -> None:
    created = (await subscribe(bc)).json()
    url = f"{SUBSCRIPTIONS}('{created['subscriptionId']}')"

    assert (await bc.delete(url)).status_code == 400
    assert (await bc.delete(url, headers={"If-Match": created["@odata.etag"]})).status_code == 204

    assert (await bc.get(SUBSCRIPTIONS)).json()["value"] == []
    assert (await bc.delete(url, headers={"If-Match": "*"})).status_code == 404


@pytest.mark.parametrize(
    ("resource", "status", "code"),
    [
        ("/api/v2.0/companies({company})/salesOrderLines", 400, "BadRequest"),
        ("/api/v2.0/companies({company})/nonsense", 400, "BadRequest"),
        (
            "/api/v2.0/companies(99999999-9999-9999-9999-999999999999)/customers",
            404,
            "Internal_CompanyNotFound",
        ),
        ("/api/bcgateway/portal/v1.0/companies({company})/customerQueries", 400, "BadRequest"),
        ("customers", 400, "BadRequest"),
    ],
)
async def test_only_a_webhook_enabled_set_of_a_company_on_this_route_can_be_subscribed(
    bc: httpx.AsyncClient, subscriber: Subscriber, resource: str, status: int, code: str
) -> None:
    company = await company_id(bc)
    body = {"notificationUrl": HOOK, "resource": resource.format(company=company)}

    response = await bc.post(SUBSCRIPTIONS, json=body)

    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert subscriber.handshakes == []


async def test_a_custom_api_subscribes_on_its_own_route(bc: httpx.AsyncClient) -> None:
    company = await company_id(bc)
    body = {
        "notificationUrl": HOOK,
        "resource": f"/api/bcgateway/portal/v1.0/companies({company})/customerQueries",
    }

    response = await bc.post(PORTAL_SUBSCRIPTIONS, json=body)

    assert response.status_code == 201, response.text
    assert len((await bc.get(PORTAL_SUBSCRIPTIONS)).json()["value"]) == 1
    assert (await bc.get(SUBSCRIPTIONS)).json()["value"] == []


async def test_required_fields_and_the_client_state_length_are_checked(bc: httpx.AsyncClient) -> None:
    company = await company_id(bc)
    resource = f"/api/v2.0/companies({company})/customers"

    no_url = await bc.post(SUBSCRIPTIONS, json={"resource": resource})
    too_long = await bc.post(
        SUBSCRIPTIONS, json={"notificationUrl": HOOK, "resource": resource, "clientState": "x" * 2049}
    )
    unknown = await bc.post(
        SUBSCRIPTIONS, json={"notificationUrl": HOOK, "resource": resource, "colour": "red"}
    )

    assert_bc_error(no_url, 400, "BadRequest_RequiredParamNotProvided", "notificationUrl")
    assert_bc_error(too_long, 400, "Application_StringExceededLength", "2049")
    assert_bc_error(unknown, 400, "BadRequest", "'colour' does not exist")
