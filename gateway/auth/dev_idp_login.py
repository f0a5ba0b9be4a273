"""The development identity provider's pages: choose a demo customer to sign in as, or an error.

Plain server-rendered HTML with one stylesheet (``LOGIN_CSS``) and no script, so the pages work
under a strict Content-Security-Policy.  Every value from the request is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from itertools import groupby

from gateway.auth.dev_idp_accounts import DemoAccount
from gateway.auth.dev_idp_oauth import AuthorizationRequest

# The page's own address relative to the provider's mount point, where the sign-in form posts.
STYLESHEET = "login.css"

LOGIN_CSS = """
:root { color-scheme: light; --ink: #14213d; --muted: #5c6475; --line: #dfe3eb; --brand: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #f4f6fa; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
header { display: flex; align-items: center; gap: .75rem; margin-bottom: 1rem; }
.badge { font-size: .75rem; font-weight: 600; text-transform: uppercase; letter-spacing: .05em;
  background: #fff4d6; color: #7a5200; border-radius: 999px; padding: .15rem .6rem; }
h1 { font-size: 1.4rem; margin: 0; }
h2 { font-size: 1rem; margin: 1.5rem 0 .5rem; color: var(--muted); }
p { color: var(--muted); margin: .25rem 0 1rem; }
ul { list-style: none; margin: 0; padding: 0; background: #fff; border: 1px solid var(--line);
  border-radius: .75rem; overflow: hidden; }
li + li { border-top: 1px solid var(--line); }
button.account { display: flex; width: 100%; justify-content: space-between; gap: 1rem; align-items: center;
  padding: .8rem 1rem; border: 0; background: none; font: inherit; color: inherit; text-align: left;
  cursor: pointer; }
button.account:hover, button.account:focus-visible { background: #eef4fc; outline: none; }
button.account:focus-visible { box-shadow: inset 0 0 0 3px var(--brand); }
.who { display: flex; flex-direction: column; }
.who small, .number { color: var(--muted); font-size: .85rem; }
.blocked { color: #a4262c; font-size: .8rem; font-weight: 600; }
.cancel { margin-top: 1.5rem; background: none; border: 1px solid var(--line); border-radius: .5rem;
  padding: .5rem 1rem; font: inherit; cursor: pointer; }
.cancel:focus-visible { outline: 3px solid var(--brand); }
.error { background: #fff; border: 1px solid #f1c1c4; border-radius: .75rem; padding: 1rem; }
"""


def login_page(request: AuthorizationRequest, accounts: Iterable[DemoAccount]) -> str:
    """The sign-in page: one button per demo account, grouped by company."""
    accounts = list(accounts)
    single = [account for account in accounts if len(account.memberships) == 1]
    several = [account for account in accounts if len(account.memberships) > 1]
    sections = [
        _section(company, list(members))
        for company, members in groupby(single, key=lambda account: account.memberships[0].company_name)
    ]
    if several:
        sections.append(_section("Buying for several companies", several))
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(value)}">'
        for name, value in _request_fields(request)
    )
    body = f"""
<header><h1>Sign in</h1><span class="badge">Development</span></header>
<p>The gateway's development identity provider signs you in as a demo customer of the embedded
Business Central sandbox.  In production your customers sign in with your own identity provider.</p>
<p>Signing in to <strong>{escape(request.client_id)}</strong>.</p>
<form method="post" action="authorize">{hidden}
{"".join(sections)}
<button class="cancel" type="submit" name="cancel" value="1">Cancel</button>
</form>"""
    return _page("Sign in — development identity provider", body)


def error_page(description: str) -> str:
    body = f"""
<header><h1>Sign-in failed</h1><span class="badge">Development</span></header>
<div class="error" role="alert"><p>{escape(description)}</p>
<p>The application that sent you here is not registered for this address.</p></div>"""
    return _page("Sign-in failed — development identity provider", body)


def _section(title: str, accounts: Sequence[DemoAccount]) -> str:
    items = "".join(f"<li>{_account_button(account)}</li>" for account in accounts)
    return f"<h2>{escape(title)}</h2><ul>{items}</ul>"


def _account_button(account: DemoAccount) -> str:
    member = account.memberships[0]
    if len(account.memberships) == 1:
        detail = f"Customer {escape(member.customer_number)}"
    else:
        detail = " · ".join(
            f"{escape(m.customer_name)} ({escape(m.company_name)})" for m in account.memberships
        )
    blocked = '<span class="blocked">blocked</span>' if any(m.blocked for m in account.memberships) else ""
    return (
        f'<button class="account" type="submit" name="account" value="{escape(account.key)}" '
        f'aria-label="Sign in as {escape(account.name)}">'
        f'<span class="who"><span>{escape(account.name)}</span><small>{detail}</small></span>'
        f"{blocked}</button>"
    )


def _request_fields(request: AuthorizationRequest) -> list[tuple[str, str]]:
    fields = [
        ("response_type", "code"),
        ("client_id", request.client_id),
        ("redirect_uri", request.redirect_uri),
        ("scope", " ".join(request.scope)),
        ("code_challenge", request.code_challenge),
        ("code_challenge_method", "S256"),
    ]
    if request.state is not None:
        fields.append(("state", request.state))
    if request.nonce is not None:
        fields.append(("nonce", request.nonce))
    return fields


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><link rel="stylesheet" href="{STYLESHEET}"></head>
<body><main>{body}</main></body></html>"""
