"""``bc-gateway``: serve the gateway, run the sandbox alone, mint development tokens, export the schema.

This is the only module that reads the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from uuid import UUID

if TYPE_CHECKING:
    from gateway.edge.development import Development
    from gateway.settings import ConfigError, Settings

DEFAULT_GATEWAY_URL = "http://127.0.0.1:8000"
# Addresses that mean "every interface": a client on this machine reaches them at loopback.
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104 - mapped to loopback, not bound


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `bc-gateway token --list | head`
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bc-gateway", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="command")

    serve = commands.add_parser(
        "serve", help="run the gateway (on the embedded BC sandbox when BC is not configured)"
    )
    serve.add_argument("--host", help="address to listen on (overrides GATEWAY_HOST; default 127.0.0.1)")
    serve.add_argument("--port", help="port to listen on (overrides GATEWAY_PORT; default 8000)")
    serve.set_defaults(run=_serve)

    health = commands.add_parser(
        "healthcheck", help="exit 0 if the gateway `serve` runs with this environment answers /healthz"
    )
    health.add_argument("--ready", action="store_true", help="ask /readyz instead (ready for traffic)")
    health.set_defaults(run=_healthcheck)

    sandbox = commands.add_parser("sandbox", help="run only the Business Central sandbox on a port")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8100)
    sandbox.add_argument("--seed", type=int, default=42)
    sandbox.add_argument("--scale", type=float, default=1.0)
    sandbox.add_argument(
        "--clients",
        type=int,
        default=1,
        help="app registrations that may sign in, each with BC's limits of its own (1-20; default 1)",
    )
    sandbox.add_argument(
        "--notification-delay",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long to wait before a webhook notification (BC: 30)",
    )
    sandbox.add_argument(
        "--staff-every",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="staff act this often (0: on demand)",
    )
    sandbox.add_argument(
        "--long-histories",
        default="",
        help="customers with that many orders each, e.g. 1000,10000,50000 (SANDBOX_LONG_HISTORIES)",
    )
    sandbox.set_defaults(run=_sandbox)

    staff = commands.add_parser(
        "staff", help="act as BC's sales and warehouse staff on the sandbox: release, ship, invoice, pay …"
    )
    staff.add_argument(
        "action", choices=("release", "ship", "invoice", "pay", "stock", "answer", "reassign", "random")
    )
    staff.add_argument(
        "--company", help="company id or name (default: the one holding the named record, or any)"
    )
    staff.add_argument(
        "--order", help="release/ship/invoice/reassign: the order number (default: one that can be)"
    )
    staff.add_argument("--customer", help="reassign: the number of the order's new customer")
    staff.add_argument("--invoice", help="pay: the posted invoice number")
    staff.add_argument("--item", help="stock: the item number")
    staff.add_argument("--query", help="answer: the customer query number")
    staff.add_argument("--fraction", help="ship: the share of each line's outstanding quantity, e.g. 0.5")
    staff.add_argument("--amount", help="pay: the amount (default: what is left)")
    staff.add_argument("--quantity", help="stock: units to add (negative: to remove)")
    staff.add_argument("--message", help="answer: the reply")
    staff.add_argument("--resolve", action="store_true", help="answer: and resolve the query")
    staff.add_argument(
        "--every", type=float, metavar="SECONDS", help="repeat every SECONDS until interrupted"
    )
    staff.add_argument(
        "--url",
        help="the development gateway (default: http://GATEWAY_HOST:GATEWAY_PORT, as `serve` listens), "
        "or a sandbox run with `bc-gateway sandbox`",
    )
    staff.set_defaults(run=_staff)

    token = commands.add_parser("token", help="mint a development token for a sandbox customer")
    token.add_argument("--customer", help="the customer number, e.g. 10000")
    token.add_argument("--company", help="the company id, when the number exists in several companies")
    token.add_argument("--list", action="store_true", help="list the demo customers")
    token.add_argument(
        "--gateway",
        help="the running gateway's URL (default: http://GATEWAY_HOST:GATEWAY_PORT, as `serve` listens)",
    )
    token.set_defaults(run=_token)

    check = commands.add_parser(
        "check-identity", help="check an identity provider's configuration before going live"
    )
    check.add_argument("--issuer", required=True, help="the provider's issuer (AUTH_ISSUER)")
    check.add_argument(
        "--audience", help="the audience tokens must carry (AUTH_AUDIENCE); needed with --token"
    )
    check.add_argument("--token", help="a sample access token to validate and map ('-': read it from stdin)")
    check.set_defaults(run=_check_identity)

    manifest = commands.add_parser(
        "portal-manifest", help="write the reference portal's operations as a safelist file"
    )
    manifest.add_argument("path", nargs="?", default="portal-safelist.json", help="'-' for standard output")
    manifest.set_defaults(run=_portal_manifest)

    settings = commands.add_parser(
        "settings", help="print every configuration variable as Markdown tables (the README's)"
    )
    settings.add_argument(
        "--readme",
        metavar="PATH",
        help="rewrite the tables between the configuration markers of PATH instead",
    )
    settings.set_defaults(run=_settings)

    export = commands.add_parser("export-schema", help="write the GraphQL schema (SDL)")
    export.add_argument("path", nargs="?", default="schema.graphql")
    export.set_defaults(run=_export_schema)
    return parser


def _fail(message: str, code: int = 2) -> int:
    print(f"bc-gateway: {message}", file=sys.stderr)
    return code


def _configuration_error(error: ConfigError) -> int:
    print(error.report(), file=sys.stderr)
    return 2


def _serve(args: argparse.Namespace) -> int:
    from gateway.settings import ConfigError, settings_from_environ

    environ = dict(os.environ)
    flags = {"GATEWAY_HOST": args.host, "GATEWAY_PORT": args.port}
    environ.update({name: value for name, value in flags.items() if value is not None})
    try:
        settings = settings_from_environ(environ)
        from gateway.server import listen

        sock = listen(
            settings.host,
            settings.port,
            host_name="--host" if args.host is not None else "GATEWAY_HOST",
            port_name="--port" if args.port is not None else "GATEWAY_PORT",
        )
        _check_metrics_port(settings)
    except ConfigError as error:
        if error.variable in flags and flags[error.variable] is not None:
            error = ConfigError(f"--{error.variable.removeprefix('GATEWAY_').lower()}", error.problem)
        return _configuration_error(error)
    return _run(settings, sock)


def _check_metrics_port(settings: Settings) -> None:
    """A metrics port that cannot be listened on is a configuration line, like the main port's."""
    from gateway.server import listen

    port = settings.metrics.port
    if port is not None:
        host_name = "GATEWAY_METRICS_HOST" if settings.metrics.host else "GATEWAY_HOST"
        host = settings.metrics.host or settings.host
        listen(host, port, host_name=host_name, port_name="GATEWAY_METRICS_PORT").close()


def _run(settings: Settings, sock: socket.socket) -> int:
    from gateway.app import Shutdown, create_app
    from gateway.server import serve
    from gateway.telemetry import configure_logging, logging_config

    configure_logging(settings.logs)
    # With JSON logs, standard output holds nothing but JSON lines: the banners go to stderr.
    out = sys.stderr if settings.logs.format == "json" else sys.stdout
    log_config = logging_config(settings.logs)
    url = _local_url(settings.host, settings.port, https=settings.serve.tls is not None)
    shutdown = Shutdown()
    if settings.bc is not None:
        app = create_app(settings, shutdown=shutdown)

        def listening() -> None:
            print(f"bc-gateway: GraphQL at {url}/graphql", file=out, flush=True)
            if settings.web_portal.enabled:
                print(f"bc-gateway: customer portal at {url}/portal/", file=out, flush=True)

        serve(
            app,
            sock,
            settings=settings.serve,
            on_listening=listening,
            on_stopping=shutdown.request,
            log_config=log_config,
        )
        return 0
    from gateway.edge.development import start_development

    print("bc-gateway: building the embedded Business Central sandbox …", file=out, flush=True)
    development = start_development(settings)
    app = create_app(settings, development=development, shutdown=shutdown)
    serve(
        app,
        sock,
        settings=settings.serve,
        on_listening=lambda: _print_development_banner(url, development, settings, out),
        on_stopping=shutdown.request,
        log_config=log_config,
    )
    return 0


def _local_url(host: str, port: int, *, https: bool = False) -> str:
    """Where a client on this machine reaches a server listening on ``host``:``port``."""
    host = _WILDCARDS.get(host, host)
    scheme = "https" if https else "http"
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def _print_development_banner(url: str, development: Development, settings: Settings, out: TextIO) -> None:
    from gateway.edge.development import demo_customer, mint_for

    customer = demo_customer(development)
    token = mint_for(development, customer)
    gateway = "" if url == DEFAULT_GATEWAY_URL else f" --gateway {url}"
    staff = "" if url == DEFAULT_GATEWAY_URL else f" --url {url}"
    portal = (
        f"  Customer portal:  {url}/portal/   (sign in as any demo customer)\n"
        if settings.web_portal.enabled is not False
        else ""
    )
    graphiql = "GraphiQL:       " if settings.graphiql else "GraphQL:        "
    off = "" if settings.graphiql else " (GraphiQL is off)"
    where = f"{graphiql}  {url}/graphql{off}"
    print(
        f"""
bc-gateway is running on the embedded Business Central sandbox.

{portal}  {where}

  Demo customer {customer.customer_number} — {customer.customer_name}
  ({customer.company_name}).  Paste this into GraphiQL's "Headers" tab:

  {json.dumps({"Authorization": f"Bearer {token}"})}

  This header again:                  bc-gateway token --customer {customer.customer_number}{gateway}
  A token for another demo customer:  bc-gateway token --customer <number>{gateway}
  The demo customers:                 bc-gateway token --list{gateway}
  Make orders move (BC's staff):      bc-gateway staff ship{staff}   (or release, invoice, pay …)
""",
        file=out,
        flush=True,
    )


def _healthcheck(args: argparse.Namespace) -> int:
    """For a container's HEALTHCHECK: the gateway on this machine, where this environment makes
    ``serve`` listen (over https when it terminates TLS), answers 200."""
    import httpx

    from gateway.settings import ConfigError, settings_from_environ

    try:
        settings = settings_from_environ(os.environ)
    except ConfigError as error:
        return _configuration_error(error)
    url = _local_url(settings.host, settings.port, https=settings.serve.tls is not None)
    probe = f"{url}/readyz" if args.ready else f"{url}/healthz"
    try:
        # Our own server on this machine: its certificate names the public host, not this address.
        answer = httpx.get(probe, timeout=5.0, verify=False)  # noqa: S501
    except httpx.HTTPError as error:
        return _fail(f"{probe}: {type(error).__name__}", 1)
    if answer.status_code != 200:
        return _fail(f"{probe}: {answer.status_code}", 1)
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.sandbox.app import create_sandbox_app
    from gateway.sandbox.config import SandboxConfig
    from gateway.sandbox.webhooks.config import WebhookConfig

    parts = [part.strip() for part in args.long_histories.split(",") if part.strip()]
    if not all(part.isdigit() and 1 <= int(part) <= 100_000 for part in parts):
        return _fail("--long-histories must be a comma list of order counts (1-100,000), e.g. 1000,10000")
    try:
        config = SandboxConfig(
            seed=args.seed,
            scale=args.scale,
            clients=args.clients,
            webhooks=WebhookConfig(delay_seconds=args.notification_delay),
            staff_every_seconds=args.staff_every,
            long_histories=tuple(map(int, parts)),
        )
    except ValueError as error:
        return _fail(f"--clients: {error}")
    app = create_sandbox_app(config)
    origin = f"http://{args.host}:{args.port}"
    client_ids = ",".join(client_id for client_id, _ in config.credentials)
    secrets = ",".join(secret for _, secret in config.credentials)
    print(
        f"""
Business Central sandbox at {origin}
  BC_BASE_URL     {origin}/v2.0/{config.tenant}/{config.environment}
  BC_TOKEN_URL    {origin}/{config.tenant}/oauth2/v2.0/token
  BC_CLIENT_ID    {client_ids}
  BC_CLIENT_SECRET {secrets}

  Webhook notifications go out {config.webhooks.delay_seconds:g} s after a change.
  Staff:          bc-gateway staff ship --url {origin}   (release, invoice, pay, stock, answer …)
""",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def _staff(args: argparse.Namespace) -> int:
    import time

    import httpx

    names = (
        "company",
        "order",
        "customer",
        "invoice",
        "item",
        "query",
        "fraction",
        "amount",
        "quantity",
        "message",
    )
    options: dict[str, object] = {name: getattr(args, name) for name in names if getattr(args, name)}
    if args.resolve:
        options["resolve"] = True
    base = args.url.rstrip("/") if args.url else _gateway_from_environ()
    if base is None:
        return 2
    url = f"{base}/_sandbox/staff/{args.action}"
    while True:
        try:
            response = httpx.post(url, json=options, timeout=30.0)
        except httpx.HTTPError:
            return _fail(f"nothing answers at {base}; start it with `bc-gateway serve` (or `sandbox`)", 1)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            return _fail(f"{base} has no staff simulator (only the development gateway and the sandbox)", 1)
        if response.status_code != 200:
            message = answer.get("error", response.text)
            if args.every is None:
                return _fail(f"staff could not {args.action}: {message}", 1)
            print(f"bc-gateway: nothing done: {message}", flush=True)
        else:
            print(answer["summary"], flush=True)
        if args.every is None:
            return 0
        time.sleep(args.every)


def _token(args: argparse.Namespace) -> int:
    if any(os.environ.get(name) for name in ("BC_TENANT_ID", "BC_BASE_URL", "AUTH_ISSUER")):
        return _fail(
            "the development identity provider is only used with the embedded sandbox; "
            "with BC or AUTH_* configured, tokens come from your identity provider"
        )
    if not args.list and not args.customer:
        return _fail("--customer is required (or --list)")
    base = args.gateway.rstrip("/") if args.gateway else _gateway_from_environ()
    if base is None:
        return 2
    import httpx

    try:
        with httpx.Client(timeout=10.0) as http:
            listing = http.get(f"{base}/dev-idp/customers")
            if listing.status_code == 404:
                return _fail(f"the gateway at {base} does not run the development identity provider", 1)
            listing.raise_for_status()
            customers: list[dict[str, Any]] = listing.json()
            if args.list:
                _print_customers(customers)
                return 0
            company = _company_for(args.customer, args.company, customers)
            response = http.post(
                f"{base}/dev-idp/token", json={"customer": args.customer, "company": company}
            )
    except httpx.HTTPError:
        return _fail(f"no gateway answers at {base}; start it with `bc-gateway serve`", 1)
    except _Refused as refused:
        return _fail(str(refused), refused.code)
    if response.status_code == 404:
        return _fail(f"customer {args.customer} is not a demo customer of company {company}; see --list", 1)
    if response.status_code != 200:
        return _fail(f"the development identity provider refused: {response.text.strip()}", 1)
    print(json.dumps({"Authorization": f"Bearer {response.json()['access_token']}"}))
    return 0


class _Refused(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _gateway_from_environ() -> str | None:
    """The URL ``bc-gateway serve`` listens on with this environment (GATEWAY_HOST, GATEWAY_PORT)."""
    from gateway.settings import ConfigError, listen_address_from_environ

    try:
        host, port = listen_address_from_environ(os.environ)
    except ConfigError as error:
        _configuration_error(error)
        return None
    return _local_url(host, port)


def _company_for(customer: str, company: str | None, customers: list[dict[str, Any]]) -> str:
    """The company to sign ``customer`` in to: ``--company``, else the first (not blocked) company
    the demo customer number exists in — the one the serve banner names."""
    if company is not None:
        try:
            return str(UUID(company))
        except ValueError:
            raise _Refused("--company must be a company id (GUID)", 2) from None
    entries = [entry for entry in customers if entry["customer"] == customer]
    if not entries:
        raise _Refused(
            f"{customer} is not a demo customer of this gateway; `bc-gateway token --list` shows them"
        )
    chosen = next((entry for entry in entries if not entry["blocked"]), entries[0])
    others = [entry for entry in entries if entry is not chosen]
    if others:
        print(
            f"bc-gateway: customer {customer} of {chosen['companyName']}; it is also in "
            + ", ".join(f"{entry['companyName']} (--company {entry['company']})" for entry in others),
            file=sys.stderr,
        )
    return str(chosen["company"])


def _print_customers(customers: list[dict[str, Any]]) -> None:
    for entry in customers:
        blocked = "  (blocked)" if entry["blocked"] else ""
        name, company = entry["name"], entry["company"]
        print(f"{entry['customer']:<10} {name:<42} {company}  {entry['companyName']}{blocked}")


def _check_identity(args: argparse.Namespace) -> int:
    import asyncio

    import httpx

    from gateway.auth.provider_check import check_provider
    from gateway.settings import claim_names_from_environ

    # "-" keeps the token out of the shell's history.
    token = sys.stdin.read().strip() if args.token in ("-",) else args.token
    try:
        claims = claim_names_from_environ(os.environ)
    except ValueError as error:
        return _fail(f"configuration error: {error}")

    async def run() -> int:
        async with httpx.AsyncClient(timeout=15.0, follow_redirects=True) as http:
            report = await check_provider(
                args.issuer, http, audience=args.audience, token=token, claims=claims
            )
        for finding in report.findings:
            mark = "ok  " if finding.ok else ("warn" if finding.warning else "FAIL")
            print(
                f"[{mark}] {finding.what}"
                + (f"\n       {finding.detail}" if finding.detail and not finding.ok else "")
            )
            if finding.ok and finding.detail:
                print(f"       {finding.detail}")
        if report.passed:
            print(f"\nbc-gateway: ready.  AUTH_ISSUER={args.issuer}  AUTH_JWKS_URL={report.jwks_uri}")
            if args.audience:
                print(f"            AUTH_AUDIENCE={args.audience}")
            return 0
        print("\nbc-gateway: not ready: fix the FAIL lines above (docs/identity.md)")
        return 1

    return asyncio.run(run())


def _portal_manifest(args: argparse.Namespace) -> int:
    from gateway.portal.operations import collect_operations, manifest, operations_source

    content = json.dumps(manifest(collect_operations(operations_source())), indent=2) + "\n"
    if args.path == "-":
        sys.stdout.write(content)
        return 0
    Path(args.path).write_text(content, encoding="utf-8")
    print(f"bc-gateway: wrote {args.path}: the portal's operations, for GATEWAY_SAFELIST_FILE")
    return 0


def _settings(args: argparse.Namespace) -> int:
    from gateway.settings import configuration_markdown, with_configuration

    if args.readme is None:
        sys.stdout.write(configuration_markdown())
        return 0
    path = Path(args.readme)
    try:
        path.write_text(with_configuration(path.read_text(encoding="utf-8")), encoding="utf-8")
    except (OSError, ValueError) as error:
        return _fail(f"cannot update {path}: {error}")
    print(f"bc-gateway: wrote the configuration tables into {path}")
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from gateway.schema import schema

    Path(args.path).write_text(schema.as_str() + "\n", encoding="utf-8")
    print(f"bc-gateway: wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
