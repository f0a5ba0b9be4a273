"""``bc-gateway``: serve the gateway, run the sandbox alone, mint development tokens, export the schema.

This is the only module that reads the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from gateway.sandbox.world import DemoCustomer

DEFAULT_GATEWAY_URL = "http://127.0.0.1:8000"


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
    serve.set_defaults(run=_serve)

    sandbox = commands.add_parser("sandbox", help="run only the Business Central sandbox on a port")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8100)
    sandbox.add_argument("--seed", type=int, default=42)
    sandbox.add_argument("--scale", type=float, default=1.0)
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
    sandbox.set_defaults(run=_sandbox)

    staff = commands.add_parser(
        "staff", help="act as BC's sales and warehouse staff on the sandbox: release, ship, invoice, pay …"
    )
    staff.add_argument("action", choices=("release", "ship", "invoice", "pay", "stock", "answer", "random"))
    staff.add_argument(
        "--company", help="company id or name (default: the one holding the named record, or any)"
    )
    staff.add_argument("--order", help="release/ship/invoice: the order number (default: one that can be)")
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
        default=DEFAULT_GATEWAY_URL,
        help="the development gateway, or a sandbox (bc-gateway sandbox)",
    )
    staff.set_defaults(run=_staff)

    token = commands.add_parser("token", help="mint a development token for a sandbox customer")
    token.add_argument("--customer", help="the customer number, e.g. 10000")
    token.add_argument("--company", help="the company id, when the number exists in several companies")
    token.add_argument("--list", action="store_true", help="list the demo customers")
    token.add_argument("--gateway", default=DEFAULT_GATEWAY_URL, help="the running gateway's URL")
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

    export = commands.add_parser("export-schema", help="write the GraphQL schema (SDL)")
    export.add_argument("path", nargs="?", default="schema.graphql")
    export.set_defaults(run=_export_schema)
    return parser


def _fail(message: str, code: int = 2) -> int:
    print(f"bc-gateway: {message}", file=sys.stderr)
    return code


def _serve(args: argparse.Namespace) -> int:
    from gateway.settings import ConfigError, settings_from_environ

    try:
        settings = settings_from_environ(os.environ)
    except ConfigError as error:
        return _fail(f"configuration error: {error}")

    import uvicorn

    from gateway.app import create_app
    from gateway.edge.development import demo_customer, mint_for, start_development

    if settings.bc is not None:
        app = create_app(settings)
        origin = f"http://{settings.host}:{settings.port}"
        print(f"bc-gateway: GraphQL at {origin}/graphql", flush=True)
        if settings.web_portal.enabled:
            print(f"bc-gateway: customer portal at {origin}/portal/", flush=True)
    else:
        print("bc-gateway: building the embedded Business Central sandbox …", flush=True)
        development = start_development(settings)
        app = create_app(settings, development=development)
        customer = demo_customer(development)
        _print_development_banner(settings.host, settings.port, customer, mint_for(development, customer))
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    return 0


def _print_development_banner(host: str, port: int, customer: DemoCustomer, token: str) -> None:
    url = f"http://{host}:{port}"
    print(
        f"""
bc-gateway is running on the embedded Business Central sandbox.

  Customer portal:  {url}/portal/   (sign in as any demo customer)
  GraphiQL:         {url}/graphql

  Demo customer {customer.customer_number} — {customer.customer_name}
  ({customer.company_name}).  Paste this into GraphiQL's "Headers" tab:

  {json.dumps({"Authorization": f"Bearer {token}"})}

  A token for another demo customer:  bc-gateway token --customer <number>
  The demo customers:                 bc-gateway token --list
  Make orders move (BC's staff):      bc-gateway staff ship   (release, invoice, pay, stock, answer)
""",
        flush=True,
    )


def _sandbox(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.sandbox.app import create_sandbox_app
    from gateway.sandbox.config import SandboxConfig
    from gateway.sandbox.webhooks.config import WebhookConfig

    config = SandboxConfig(
        seed=args.seed,
        scale=args.scale,
        webhooks=WebhookConfig(delay_seconds=args.notification_delay),
        staff_every_seconds=args.staff_every,
    )
    app = create_sandbox_app(config)
    origin = f"http://{args.host}:{args.port}"
    print(
        f"""
Business Central sandbox at {origin}
  BC_BASE_URL     {origin}/v2.0/{config.tenant}/{config.environment}
  BC_TOKEN_URL    {origin}/{config.tenant}/oauth2/v2.0/token
  BC_CLIENT_ID    {config.client_id}
  BC_CLIENT_SECRET {config.client_secret}

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

    names = ("company", "order", "invoice", "item", "query", "fraction", "amount", "quantity", "message")
    options: dict[str, object] = {name: getattr(args, name) for name in names if getattr(args, name)}
    if args.resolve:
        options["resolve"] = True
    url = f"{args.url.rstrip('/')}/_sandbox/staff/{args.action}"
    while True:
        try:
            response = httpx.post(url, json=options, timeout=30.0)
        except httpx.HTTPError:
            return _fail(f"nothing answers at {args.url}; start it with `bc-gateway serve` (or `sandbox`)", 1)
        if response.status_code == 404 and not response.content.strip():
            return _fail(
                f"{args.url} has no staff simulator (only the development gateway and the sandbox)", 1
            )
        if response.status_code != 200:
            message = response.json().get("error", response.text) if response.content else response.text
            if args.every is None:
                return _fail(f"staff could not {args.action}: {message}", 1)
            print(f"bc-gateway: nothing done: {message}", flush=True)
        else:
            print(response.json()["summary"], flush=True)
        if args.every is None:
            return 0
        time.sleep(args.every)


def _token(args: argparse.Namespace) -> int:
    if any(os.environ.get(name) for name in ("BC_TENANT_ID", "BC_BASE_URL", "AUTH_ISSUER")):
        return _fail(
            "the development identity provider is only used with the embedded sandbox; "
            "with BC or AUTH_* configured, tokens come from your identity provider"
        )
    import httpx

    base = args.gateway.rstrip("/")
    try:
        with httpx.Client(timeout=10.0) as http:
            if args.list:
                response = http.get(f"{base}/dev-idp/customers")
            else:
                if not args.customer:
                    return _fail("--customer is required (or --list)")
                body: dict[str, str] = {"customer": args.customer}
                if args.company:
                    body["company"] = str(UUID(args.company))
                response = http.post(f"{base}/dev-idp/token", json=body)
    except httpx.HTTPError:
        return _fail(f"no gateway answers at {base}; start it with `bc-gateway serve`", 1)
    except ValueError:
        return _fail("--company must be a company id (GUID)")
    if response.status_code == 404 and "/dev-idp/" in str(response.url) and not response.content.strip():
        return _fail(f"the gateway at {base} does not run the development identity provider", 1)
    if response.status_code == 400 and "company_required" in response.text:
        return _fail(f"customer {args.customer} is in several companies: add --company <id> (see --list)", 1)
    if response.status_code != 200:
        return _fail(f"the development identity provider refused: {response.text.strip()}", 1)
    if args.list:
        for entry in response.json():
            blocked = "  (blocked)" if entry["blocked"] else ""
            name, company = entry["name"], entry["company"]
            print(f"{entry['customer']:<10} {name:<42} {company}  {entry['companyName']}{blocked}")
        return 0
    print(json.dumps({"Authorization": f"Bearer {response.json()['access_token']}"}))
    return 0


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


def _export_schema(args: argparse.Namespace) -> int:
    from gateway.schema import schema

    Path(args.path).write_text(schema.as_str() + "\n", encoding="utf-8")
    print(f"bc-gateway: wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
