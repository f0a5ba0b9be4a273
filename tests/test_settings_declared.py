"""Each setting is declared once: the README's tables come from the declarations, every variable
set is checked, and a secret never shows in an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main
from gateway.settings import (
    KNOWN_VARIABLES,
    VARIABLES,
    ConfigError,
    settings_from_environ,
    with_configuration,
)
from gateway.settings._declare import Environment, Section, integer
from gateway.settings._readme import BEGIN, END
from tests.test_settings import ONLINE

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_the_readme_configuration_tables_are_the_ones_the_declarations_generate() -> None:
    """Run `bc-gateway settings --readme README.md` after changing a declaration."""
    readme = README.read_text(encoding="utf-8")
    assert with_configuration(readme) == readme


def test_every_variable_is_declared_once() -> None:
    assert len(set(KNOWN_VARIABLES)) == len(KNOWN_VARIABLES)
    assert all(variable.help and variable.kind.accepted for variable in VARIABLES)


def test_the_settings_command_prints_every_variable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings"]) == 0
    printed = capsys.readouterr().out
    assert [name for name in KNOWN_VARIABLES if f"| `{name}` |" not in printed] == []


def test_the_settings_command_rewrites_only_the_text_between_the_markers(tmp_path: Path) -> None:
    readme = README.read_text(encoding="utf-8")
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    stale = tmp_path / "README.md"
    stale.write_text(readme[:start] + "| stale | table |\n\n" + readme[end:], encoding="utf-8")
    assert main(["settings", "--readme", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == readme


def test_a_readme_without_the_markers_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "README.md"
    other.write_text("# a readme\n", encoding="utf-8")
    assert main(["settings", "--readme", str(other)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert other.read_text(encoding="utf-8") == "# a readme\n"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BC_PAGE_SIZE", "lots"),  # read only with a real BC
        ("AUTH_LEEWAY_SECONDS", "-5"),  # read only with an identity provider
        ("BC_TOKEN_URL", "login.example.com/token"),  # read only with BC_BASE_URL
    ],
)
def test_a_bad_variable_stops_the_gateway_even_where_this_configuration_does_not_use_it(
    variable: str, value: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ({variable: value})
    assert caught.value.variable == variable


@pytest.mark.parametrize("variable", ["BC_TENANT_ID", "BC_ENVIRONMENT"])
def test_a_tenant_or_environment_bc_would_refuse_is_one_line_naming_it(variable: str) -> None:
    """They become path segments of BC's URL, which must start with a letter or digit."""
    with pytest.raises(ConfigError) as caught:
        settings_from_environ({**ONLINE, variable: "-production"})
    assert caught.value.variable == variable


def test_a_secret_value_is_never_repeated_in_its_error() -> None:
    section = Section("test")
    pin = section.add("TEST_PIN", integer(1000, 9999), 1234, "a secret number", secret=True)
    with pytest.raises(ConfigError) as caught:
        Environment({"TEST_PIN": "hunter2"}).get(pin)
    assert str(caught.value) == "TEST_PIN must be a whole number, got (hidden)"


def test_a_short_document_key_is_refused_without_repeating_it() -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ({"GATEWAY_DOCUMENT_KEY": "too-short-a-secret"})
    assert caught.value.variable == "GATEWAY_DOCUMENT_KEY"
    assert "too-short" not in str(caught.value)


@pytest.mark.parametrize(("value", "enabled"), [("on", True), ("yes", True), ("off", False), ("0", False)])
def test_the_portal_switch_reads_like_every_other_switch(value: str, enabled: bool) -> None:
    assert settings_from_environ({"GATEWAY_PORTAL": value}).web_portal.enabled is enabled


def test_the_portal_is_on_in_development_and_off_in_production_by_default() -> None:
    assert settings_from_environ({}).web_portal.enabled is True
    assert settings_from_environ(ONLINE).web_portal.enabled is False
