"""Webhook settings: on in development, off in production until BC has a URL to call."""

from __future__ import annotations

import pytest

from gateway.settings import ConfigError, settings_from_environ
from tests.test_settings import ONLINE

SECRET = "x" * 32


def test_development_takes_webhooks_on_this_gateway_by_default() -> None:
    settings = settings_from_environ({"GATEWAY_PORT": "8123"})

    assert settings.webhooks.enabled
    assert settings.webhooks.notification_url == "http://127.0.0.1:8123/webhooks/bc"
    assert settings.webhooks.secret is None  # one per process
    assert settings.sandbox.notification_delay_seconds == 2.0
    assert settings.sandbox.staff_every_seconds == 0.0


def test_production_is_off_unless_bc_has_a_url_to_call() -> None:
    assert not settings_from_environ(ONLINE).webhooks.enabled
    assert not settings_from_environ(
        {**ONLINE, "GATEWAY_PUBLIC_URL": "https://portal.example"}
    ).webhooks.enabled


def test_production_with_a_webhook_url_and_a_secret() -> None:
    settings = settings_from_environ(
        {
            **ONLINE,
            "GATEWAY_WEBHOOK_URL": "https://hooks.example/webhooks/bc",
            "GATEWAY_WEBHOOK_SECRET": SECRET,
            "GATEWAY_WEBHOOK_RENEW_MARGIN_SECONDS": "7200",
        }
    )

    assert settings.webhooks.enabled
    assert settings.webhooks.notification_url == "https://hooks.example/webhooks/bc"
    assert settings.webhooks.secret == SECRET.encode()
    assert settings.webhooks.renew_margin_seconds == 7200
    assert SECRET not in repr(settings)


def test_switched_on_the_url_comes_from_the_public_url() -> None:
    settings = settings_from_environ(
        {
            **ONLINE,
            "GATEWAY_WEBHOOKS": "on",
            "GATEWAY_PUBLIC_URL": "https://portal.example/",
            "GATEWAY_WEBHOOK_SECRET": SECRET,
        }
    )

    assert settings.webhooks.notification_url == "https://portal.example/webhooks/bc"


def test_development_can_switch_them_off_and_tune_the_sandbox() -> None:
    settings = settings_from_environ(
        {
            "GATEWAY_WEBHOOKS": "off",
            "SANDBOX_NOTIFICATION_DELAY_SECONDS": "30",
            "SANDBOX_STAFF_EVERY_SECONDS": "15",
        }
    )

    assert not settings.webhooks.enabled
    assert (settings.sandbox.notification_delay_seconds, settings.sandbox.staff_every_seconds) == (30.0, 15.0)


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({**ONLINE, "GATEWAY_WEBHOOK_URL": "https://hooks.example/webhooks/bc"}, "GATEWAY_WEBHOOK_SECRET"),
        ({**ONLINE, "GATEWAY_WEBHOOKS": "on", "GATEWAY_WEBHOOK_SECRET": SECRET}, "GATEWAY_WEBHOOK_URL"),
        ({"GATEWAY_WEBHOOK_SECRET": "too short"}, "GATEWAY_WEBHOOK_SECRET"),
        ({"GATEWAY_WEBHOOK_URL": "hooks.example"}, "GATEWAY_WEBHOOK_URL"),
        ({"GATEWAY_WEBHOOKS": "maybe"}, "GATEWAY_WEBHOOKS"),
        ({"GATEWAY_WEBHOOK_RENEW_MARGIN_SECONDS": "10"}, "GATEWAY_WEBHOOK_RENEW_MARGIN_SECONDS"),
        ({"SANDBOX_NOTIFICATION_DELAY_SECONDS": "-1"}, "SANDBOX_NOTIFICATION_DELAY_SECONDS"),
        ({"SANDBOX_STAFF_EVERY_SECONDS": "often"}, "SANDBOX_STAFF_EVERY_SECONDS"),
    ],
)
def test_a_bad_webhook_setting_names_its_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ(environ)

    assert caught.value.variable == variable
