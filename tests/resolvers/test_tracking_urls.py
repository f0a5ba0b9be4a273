"""PORTAL_TRACKING_URLS: per-agent tracking URL templates, and how a tracking URL is made."""

from __future__ import annotations

import uuid

import pytest

from gateway.bc import ShippingAgent
from gateway.resolvers.tracking import parse_tracking_urls, tracking_url
from gateway.settings import ConfigError, settings_from_environ

DHL_BC = ShippingAgent(
    id=uuid.uuid4(), code="DHL", name="DHL Express", internet_address="https://bc.example/dhl?awb=%1"
)


def test_templates_are_read_per_agent_code_and_urls_may_contain_commas() -> None:
    value = "dhl=https://t.example/a?x=1,2&n={tracking}, UPS=https://u.example/{tracking}"
    assert parse_tracking_urls(value) == {
        "DHL": "https://t.example/a?x=1,2&n={tracking}",
        "UPS": "https://u.example/{tracking}",
    }


@pytest.mark.parametrize(
    "value",
    ["DHL", "DHL=ftp://x/{tracking}", "DHL=https://x/track", "THIS-CODE-IS-TOO-LONG=https://x/{tracking}"],
)
def test_a_bad_template_stops_the_gateway_with_the_variables_name(value: str) -> None:
    with pytest.raises(ConfigError) as error:
        settings_from_environ({"PORTAL_TRACKING_URLS": value})
    assert error.value.variable == "PORTAL_TRACKING_URLS"


def test_settings_carry_the_templates() -> None:
    settings = settings_from_environ({"PORTAL_TRACKING_URLS": "DHL=https://t.example/{tracking}"})
    assert settings.portal.tracking_urls == {"DHL": "https://t.example/{tracking}"}
    assert settings_from_environ({}).portal.tracking_urls == {}


def test_the_gateways_template_wins_and_bcs_is_the_fallback() -> None:
    assert (
        tracking_url("DHL", "123", {"DHL": "https://g.example/{tracking}"}, DHL_BC) == "https://g.example/123"
    )
    assert tracking_url("DHL", "123", {}, DHL_BC) == "https://bc.example/dhl?awb=123"
    assert tracking_url("DHL", "123", {}, None) is None


def test_a_tracking_number_cannot_change_the_urls_shape() -> None:
    url = tracking_url("DHL", "1/2?a=b&c#d", {}, DHL_BC)
    assert url == "https://bc.example/dhl?awb=1%2F2%3Fa%3Db%26c%23d"
