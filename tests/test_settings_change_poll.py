"""The change poller's settings: on by default (it runs only while webhooks are off), every 5 s."""

from __future__ import annotations

import pytest

from gateway.settings import ConfigError, settings_from_environ
from tests.test_settings import ONLINE


def test_production_without_webhooks_polls_bcs_changes_every_five_seconds() -> None:
    settings = settings_from_environ(ONLINE)

    assert not settings.webhooks.enabled
    assert settings.change_poll.enabled
    assert settings.change_poll.every_seconds == 5.0


def test_polling_can_be_switched_off_and_its_interval_chosen() -> None:
    assert not settings_from_environ({**ONLINE, "GATEWAY_CHANGE_POLL": "off"}).change_poll.enabled
    settings = settings_from_environ({**ONLINE, "GATEWAY_CHANGE_POLL_SECONDS": "30"})
    assert settings.change_poll.every_seconds == 30.0
    assert settings.change_poll.lease_seconds == 90.0  # outlasts three intervals


@pytest.mark.parametrize("value", ["0", "0.5", "3601", "often"])
def test_an_interval_out_of_bounds_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="GATEWAY_CHANGE_POLL_SECONDS"):
        settings_from_environ({**ONLINE, "GATEWAY_CHANGE_POLL_SECONDS": value})
