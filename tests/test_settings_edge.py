"""The HTTP edge's settings: every variable parsed, checked, documented."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from gateway.settings import KNOWN_VARIABLES, ConfigError, settings_from_environ

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_keep_batching_off_and_apq_on() -> None:
    edge = settings_from_environ({}).edge
    assert edge.batch_limit == 0
    assert edge.persisted_queries == "apq"
    assert edge.cors_origins == ()
    assert edge.trusted_proxies == ()


def test_every_edge_variable_is_read(tmp_path: Path) -> None:
    safelist = tmp_path / "operations.json"
    safelist.write_text('["{ me { number } }"]')
    edge = settings_from_environ(
        {
            "GATEWAY_MAX_DEPTH": "8",
            "GATEWAY_MAX_ALIASES": "5",
            "GATEWAY_MAX_ROOT_FIELDS": "4",
            "GATEWAY_MAX_TOKENS": "900",
            "GATEWAY_MAX_QUERY_LENGTH": "5000",
            "GATEWAY_MAX_DIRECTIVES": "3",
            "GATEWAY_COST_BUDGET": "700",
            "GATEWAY_COST_LIST_SIZE": "7",
            "GATEWAY_BATCH_LIMIT": "4",
            "GATEWAY_RATE_LIMIT_PER_MINUTE": "600",
            "GATEWAY_RATE_LIMIT_BURST": "200",
            "GATEWAY_IP_RATE_LIMIT_PER_MINUTE": "30",
            "GATEWAY_IP_RATE_LIMIT_BURST": "10",
            "GATEWAY_PERSISTED_QUERIES": "safelist",
            "GATEWAY_SAFELIST_FILE": str(safelist),
            "GATEWAY_MAX_BODY_BYTES": "20000",
            "GATEWAY_CORS_ORIGINS": "https://portal.example.com, https://m.example.com",
            "GATEWAY_TRUSTED_PROXIES": "10.0.0.0/8,192.0.2.1",
            "GATEWAY_PUBLIC_URL": "https://api.example.com",
            "GATEWAY_GET_MAX_AGE_SECONDS": "30",
        }
    ).edge
    limits = edge.limits
    assert (limits.max_depth, limits.max_aliases, limits.max_root_fields) == (8, 5, 4)
    assert (limits.max_tokens, limits.max_length, limits.max_directives) == (900, 5000, 3)
    assert (limits.cost_budget, limits.default_list_size) == (700, 7)
    assert edge.batch_limit == 4
    assert (edge.rate_limit.per_minute, edge.rate_limit.burst) == (600, 200)
    assert (edge.ip_rate_limit.per_minute, edge.ip_rate_limit.burst) == (30, 10)
    assert edge.persisted_queries == "safelist"
    assert edge.safelist_file == safelist
    assert edge.max_body_bytes == 20000
    assert edge.cors_origins == ("https://portal.example.com", "https://m.example.com")
    assert edge.trusted_proxies == ("10.0.0.0/8", "192.0.2.1")
    assert edge.public_url == "https://api.example.com"
    assert edge.get_max_age_seconds == 30


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"GATEWAY_MAX_DEPTH": "0"}, "GATEWAY_MAX_DEPTH"),
        ({"GATEWAY_COST_BUDGET": "lots"}, "GATEWAY_COST_BUDGET"),
        ({"GATEWAY_PERSISTED_QUERIES": "maybe"}, "GATEWAY_PERSISTED_QUERIES"),
        ({"GATEWAY_PERSISTED_QUERIES": "safelist"}, "GATEWAY_SAFELIST_FILE"),
        ({"GATEWAY_SAFELIST_FILE": "/nonexistent/operations.json"}, "GATEWAY_SAFELIST_FILE"),
        ({"GATEWAY_TRUSTED_PROXIES": "proxy.internal"}, "GATEWAY_TRUSTED_PROXIES"),
        ({"GATEWAY_PUBLIC_URL": "api.example.com"}, "GATEWAY_PUBLIC_URL"),
        ({"GATEWAY_BATCH_LIMIT": "1000"}, "GATEWAY_BATCH_LIMIT"),
    ],
)
def test_a_bad_edge_setting_names_its_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_environ(environ)
    assert caught.value.variable == variable


def test_every_known_variable_is_in_the_readme_configuration_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in KNOWN_VARIABLES if f"`{name}`" not in readme]
    assert missing == []


def test_a_graphql_codegen_persisted_documents_file_is_a_safelist(tmp_path: Path) -> None:
    document = "query Me { me { number } }"
    listed = tmp_path / "persisted-documents.json"
    listed.write_text(json.dumps({f"sha256:{hashlib.sha256(document.encode()).hexdigest()}": document}))
    edge = settings_from_environ(
        {"GATEWAY_PERSISTED_QUERIES": "safelist", "GATEWAY_SAFELIST_FILE": str(listed)}
    ).edge
    assert edge.safelist_file == listed


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param('{"sha256:00": "{ me { number } }"}', id="hash-does-not-match"),
        pytest.param('{"md5:abc": "{ me { number } }"}', id="unknown-algorithm"),
        pytest.param("[1, 2]", id="not-documents"),
    ],
)
def test_a_safelist_file_that_cannot_be_used_names_its_variable(tmp_path: Path, content: str) -> None:
    listed = tmp_path / "operations.json"
    listed.write_text(content)
    with pytest.raises(ConfigError) as caught:
        settings_from_environ({"GATEWAY_PERSISTED_QUERIES": "safelist", "GATEWAY_SAFELIST_FILE": str(listed)})
    assert caught.value.variable == "GATEWAY_SAFELIST_FILE"
    assert "\n" not in str(caught.value)
