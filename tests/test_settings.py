"""Configuration: every variable checked, every problem one clear line naming the variable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gateway.settings import ConfigError, settings_from_environ

ONLINE = {
    "BC_TENANT_ID": "3f1e0c5e-1111-2222-3333-444455556666",
    "BC_ENVIRONMENT": "production",
    "BC_CLIENT_ID": "client",
    "BC_CLIENT_SECRET": "s3cret",
    "AUTH_ISSUER": "https://login.example.com/",
    "AUTH_AUDIENCE": "portal",
    "AUTH_JWKS_URL": "https://login.example.com/keys",
    "GATEWAY_DOCUMENT_KEY": "a-document-key-of-at-least-32-characters",
}


def test_no_configuration_means_development_on_the_sandbox() -> None:
    settings = settings_from_environ({})
    assert settings.mode == "development"
    assert settings.bc is None


def test_online_configuration_builds_the_tenant_url_and_entra_token_url() -> None:
    settings = settings_from_environ(ONLINE)
    assert settings.mode == "production"
    assert settings.bc is not None
    assert settings.bc.environment_url.endswith(f"/v2.0/{ONLINE['BC_TENANT_ID']}/production")
    assert settings.bc.credentials is not None
    assert settings.bc.credentials.token_url == (
        f"https://login.microsoftonline.com/{ONLINE['BC_TENANT_ID']}/oauth2/v2.0/token"
    )


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({k: v for k, v in ONLINE.items() if k != "BC_CLIENT_SECRET"}, "BC_CLIENT_SECRET"),
        ({k: v for k, v in ONLINE.items() if not k.startswith("AUTH_")}, "AUTH_ISSUER"),
        ({**ONLINE, "AUTH_JWKS_URL": "keys.json"}, "AUTH_JWKS_URL"),
        ({**ONLINE, "BC_ENVIRONMENT": "prod/../x"}, "BC_ENVIRONMENT"),
        ({"GATEWAY_PORT": "eighty"}, "GATEWAY_PORT"),
        ({"GATEWAY_PORT": "70000"}, "GATEWAY_PORT"),
        ({"BC_BASE_URL": "https://bc.example.com:7048/bc"}, "BC_CLIENT_ID"),
        ({"BC_COMPANY_ID": "cronus"}, "BC_COMPANY_ID"),
        ({"SANDBOX_SCALE": "-1"}, "SANDBOX_SCALE"),
    ],
)
def test_a_bad_setting_names_its_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ(environ)
    assert caught.value.variable == variable
    assert str(caught.value).startswith(variable)


def test_serve_with_bad_configuration_prints_one_line_and_exits_non_zero() -> None:
    env = {"PATH": "/usr/bin:/bin", "BC_TENANT_ID": "contoso.onmicrosoft.com"}
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "BC_ENVIRONMENT is required" in lines[0]
    assert "Traceback" not in result.stderr


def test_the_secret_never_shows_in_settings_repr() -> None:
    assert "s3cret" not in repr(settings_from_environ(ONLINE))


def test_write_controls_have_safe_defaults() -> None:
    writes = settings_from_environ({}).writes
    assert writes.disabled_mutations == frozenset()
    assert writes.order_scope == "orders:write"
    assert writes.max_order_lines == 100
    assert writes.max_line_quantity == 10000


def test_write_controls_are_read_from_the_environment() -> None:
    writes = settings_from_environ(
        {
            "PORTAL_DISABLED_MUTATIONS": "reorder, submitQuery",
            "PORTAL_ORDER_SCOPE": "shop.buy",
            "PORTAL_MAX_ORDER_LINES": "20",
            "PORTAL_MAX_LINE_QUANTITY": "500",
            "PORTAL_QUERY_MAX_SUBJECT": "80",
            "PORTAL_QUERY_MAX_MESSAGE": "2000",
        }
    ).writes
    assert writes.disabled_mutations == frozenset({"reorder", "submitQuery"})
    assert writes.order_scope == "shop.buy"
    assert (writes.max_order_lines, writes.max_line_quantity) == (20, 500)
    assert (writes.query_max_subject, writes.query_max_message) == (80, 2000)


def test_an_empty_order_scope_switches_the_scope_check_off() -> None:
    assert settings_from_environ({"PORTAL_ORDER_SCOPE": ""}).writes.order_scope is None


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"PORTAL_DISABLED_MUTATIONS": "placeOrder,deleteEverything"}, "PORTAL_DISABLED_MUTATIONS"),
        ({"PORTAL_MAX_ORDER_LINES": "0"}, "PORTAL_MAX_ORDER_LINES"),
        ({"PORTAL_MAX_LINE_QUANTITY": "lots"}, "PORTAL_MAX_LINE_QUANTITY"),
        ({"PORTAL_QUERY_MAX_SUBJECT": "101"}, "PORTAL_QUERY_MAX_SUBJECT"),
        ({"PORTAL_ORDER_SCOPE": "two words"}, "PORTAL_ORDER_SCOPE"),
    ],
)
def test_a_bad_write_control_names_its_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ(environ)
    assert caught.value.variable == variable


def test_bc_resilience_defaults_follow_bcs_limits() -> None:
    resilience = settings_from_environ({}).bc_resilience
    assert (resilience.max_concurrency, resilience.queue_limit) == (5, 500)
    assert resilience.batch is True


def test_bc_resilience_variables_are_read() -> None:
    resilience = settings_from_environ(
        {
            "BC_MAX_CONCURRENCY": "3",
            "BC_QUEUE_LIMIT": "10",
            "BC_RETRY_MAX_ATTEMPTS": "2",
            "BC_RETRY_AFTER_CAP_SECONDS": "7.5",
            "BC_OPERATION_DEADLINE_SECONDS": "12",
            "BC_BREAKER_FAILURES": "4",
            "BC_BREAKER_RESET_SECONDS": "20",
            "BC_BATCH": "off",
            "BC_CAPABILITY_REFRESH_SECONDS": "600",
        }
    ).bc_resilience
    assert resilience.max_concurrency == 3
    assert resilience.queue_limit == 10
    assert resilience.retry_max_attempts == 2
    assert resilience.retry_after_cap_seconds == 7.5
    assert resilience.operation_deadline_seconds == 12.0
    assert resilience.breaker_failures == 4
    assert resilience.breaker_reset_seconds == 20.0
    assert resilience.batch is False
    assert resilience.capability_refresh_seconds == 600.0


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BC_MAX_CONCURRENCY", "0"),
        ("BC_QUEUE_LIMIT", "-1"),
        ("BC_RETRY_MAX_ATTEMPTS", "many"),
        ("BC_OPERATION_DEADLINE_SECONDS", "0"),
        ("BC_BREAKER_FAILURES", "0"),
        ("BC_BATCH", "maybe"),
        ("BC_CAPABILITY_REFRESH_SECONDS", "1"),
    ],
)
def test_a_bad_bc_resilience_setting_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ({variable: value})
    assert caught.value.variable == variable


LOOPBACK_SANDBOX = {
    "BC_BASE_URL": "http://127.0.0.1:8100/v2.0/sandbox/production",
    "BC_TOKEN_URL": "http://127.0.0.1:8100/sandbox/oauth2/v2.0/token",
    "BC_CLIENT_ID": "client",
    "BC_CLIENT_SECRET": "s3cret",
    "AUTH_ISSUER": "https://login.example.com/",
    "AUTH_AUDIENCE": "portal",
    "AUTH_JWKS_URL": "https://login.example.com/keys",
    "GATEWAY_DOCUMENT_KEY": "a-document-key-of-at-least-32-characters",
}


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "localhost", "[::1]"])
def test_a_token_endpoint_on_this_machine_may_use_plain_http(host: str) -> None:
    """`bc-gateway sandbox` prints http URLs: production mode against it on loopback works."""
    token_url = f"http://{host}:8100/sandbox/oauth2/v2.0/token"
    settings = settings_from_environ({**LOOPBACK_SANDBOX, "BC_TOKEN_URL": token_url})
    assert settings.bc is not None
    assert settings.bc.credentials is not None
    assert settings.bc.credentials.token_url == token_url


@pytest.mark.parametrize(
    "token_url",
    [
        "http://login.example.com/t/oauth2/v2.0/token",
        "http://10.0.0.5/token",
        "http://127.0.0.1.example.com/t",
    ],
)
def test_a_token_endpoint_elsewhere_must_use_https(token_url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ({**LOOPBACK_SANDBOX, "BC_TOKEN_URL": token_url})
    assert caught.value.variable == "BC_TOKEN_URL"
    assert "https" in str(caught.value)


@pytest.mark.parametrize("host", ["not a host", "exa_mple..com", "-bad.example.com", "1.2.3.4.5/8", "[::1"])
def test_a_listen_address_that_is_no_host_name_or_ip_names_gateway_host(host: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ({"GATEWAY_HOST": host})
    assert caught.value.variable == "GATEWAY_HOST"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "::1", "localhost", "gateway-1.internal"])  # noqa: S104
def test_a_listen_address_may_be_any_ip_or_host_name(host: str) -> None:
    assert settings_from_environ({"GATEWAY_HOST": host}).host == host


@pytest.mark.parametrize(("environ", "shown"), [({}, True), ({**ONLINE}, False)])
def test_graphiql_is_on_in_development_and_off_in_production_by_default(
    environ: dict[str, str], shown: bool
) -> None:
    assert settings_from_environ(environ).graphiql is shown


@pytest.mark.parametrize(("value", "shown"), [("on", True), ("off", False)])
def test_graphiql_can_be_switched_either_way(value: str, shown: bool) -> None:
    assert settings_from_environ({**ONLINE, "GATEWAY_GRAPHIQL": value}).graphiql is shown
    assert settings_from_environ({"GATEWAY_GRAPHIQL": value}).graphiql is shown


def test_a_production_configuration_without_a_document_key_names_it_in_one_line() -> None:
    """A random key per process would make a download link signed by one replica fail on the
    others; development mode keeps one of its own."""
    with pytest.raises(ConfigError) as caught:
        settings_from_environ({k: v for k, v in ONLINE.items() if k != "GATEWAY_DOCUMENT_KEY"})
    assert caught.value.variable == "GATEWAY_DOCUMENT_KEY"
    assert "required with a real Business Central" in str(caught.value)
    assert settings_from_environ({}).document_key is None


@pytest.mark.parametrize("environ", [ONLINE, LOOPBACK_SANDBOX], ids=["online", "on premises"])
def test_several_app_registrations_are_comma_lists_of_ids_and_secrets_in_one_order(
    environ: dict[str, str],
) -> None:
    settings = settings_from_environ(
        {**environ, "BC_CLIENT_ID": "first, second,third", "BC_CLIENT_SECRET": "s1,s2 , s3"}
    )
    assert settings.bc is not None
    principals = settings.bc.principals
    assert [(p.client_id, p.client_secret) for p in principals] == [
        ("first", "s1"),
        ("second", "s2"),
        ("third", "s3"),
    ]
    assert len({p.token_url for p in principals}) == 1


@pytest.mark.parametrize(
    ("ids", "secrets", "variable", "problem"),
    [
        (
            "a,b",
            "only-one-secret",
            "BC_CLIENT_SECRET",
            "as many secrets as BC_CLIENT_ID lists client ids (2)",
        ),
        ("a,b,a", "x,y,z", "BC_CLIENT_ID", "names one client id twice"),
        ("a,,b", "x,y,z", "BC_CLIENT_ID", "has an empty entry"),
        ("a,b", "hidden-one,", "BC_CLIENT_SECRET", "has an empty entry"),
    ],
)
def test_mismatched_app_registrations_are_refused_without_showing_a_secret(
    ids: str, secrets: str, variable: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ({**ONLINE, "BC_CLIENT_ID": ids, "BC_CLIENT_SECRET": secrets})
    assert caught.value.variable == variable
    assert problem in str(caught.value)
    assert "hidden" not in str(caught.value)
    assert "only-one" not in str(caught.value)
