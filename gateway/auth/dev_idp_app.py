"""HTTP endpoints of the development identity provider.

OpenID discovery, the JWKS, ``/authorize`` (the sign-in page and the code it redirects with),
``/token`` (``authorization_code`` and ``refresh_token`` grants as form posts; any other body
is read as the JSON ``{"customer", "company"}`` of the development shortcut ``bc-gateway token``
uses), ``/revoke``
(RFC 7009).  Browser apps on a registered redirect origin may call discovery, the JWKS, the
token and revocation endpoints cross-origin, as they may a production provider's.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from gateway.auth.dev_idp_login import LOGIN_CSS, error_page, login_page
from gateway.auth.dev_idp_oauth import (
    SUPPORTED_SCOPES,
    AuthorizationRequest,
    Grant,
    OAuthError,
    RedirectableError,
)
from gateway.auth.errors import UnknownCustomer

if TYPE_CHECKING:
    from gateway.auth.dev_idp import DevIdentityProvider

DEFAULT_TTL_SECONDS = 8 * 3600  # the development shortcut's tokens, for pasting into GraphiQL
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_PAGE_CSP = (
    "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self' {}"
)


class _BadRequest(Exception):
    def __init__(self, error: str, description: str, status_code: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status_code = status_code


def build_dev_idp_app(provider: DevIdentityProvider) -> Starlette:
    """A Starlette app serving ``provider`` (see ``DevIdentityProvider.asgi_app``)."""
    oauth = provider.oauth
    base = provider.issuer.rstrip("/")

    def cross_origin(request: Request, response: Response) -> Response:
        origin = request.headers.get("origin")
        if origin is not None and origin in oauth.redirect_origins():
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response

    async def discovery(request: Request) -> Response:
        document = {
            "issuer": provider.issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "revocation_endpoint": f"{base}/revoke",
            "jwks_uri": f"{base}/.well-known/jwks.json",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": list(SUPPORTED_SCOPES),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "authorization_response_iss_parameter_supported": True,
        }
        return cross_origin(request, JSONResponse(document))

    async def jwks(request: Request) -> Response:
        return cross_origin(request, JSONResponse(provider.jwks()))

    async def stylesheet(request: Request) -> Response:
        return Response(LOGIN_CSS, media_type="text/css", headers={"Cache-Control": "no-cache"})

    async def authorize(request: Request) -> Response:
        params: dict[str, str]
        if request.method == "POST":
            body = await request.body()
        else:
            body = request.url.query.encode("latin-1")
        try:
            params = _parameters(body)
            authorization = oauth.authorization_request(params)
        except RedirectableError as error:
            return _redirect(
                error.request, {"error": error.error, "error_description": error.description}, base
            )
        except OAuthError as error:
            return _page(error_page(error.description), status=400, redirect_uri=None)
        if request.method == "GET":
            return _page(
                login_page(authorization, provider.accounts.values()), 200, authorization.redirect_uri
            )
        if params.get("cancel"):
            return _redirect(
                authorization, {"error": "access_denied", "error_description": "Sign-in cancelled."}, base
            )
        account = provider.accounts.get(params.get("account", ""))
        if account is None:
            return _page(
                login_page(authorization, provider.accounts.values()), 400, authorization.redirect_uri
            )
        return _redirect(authorization, {"code": oauth.issue_code(authorization, account.key)}, base)

    async def token(request: Request) -> Response:
        # OAuth token requests are form posts (RFC 6749 §4.1.3); anything else is the shortcut.
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return _development_token(provider, await request.body())
        try:
            form = _parameters(await request.body())
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                grant = oauth.redeem_code(form)
            elif grant_type == "refresh_token":
                grant = oauth.refresh(form)
            else:
                raise OAuthError(
                    "unsupported_grant_type", "grant_type must be authorization_code or refresh_token."
                )
            answer = _token_answer(provider, grant)
        except OAuthError as error:
            return cross_origin(request, _error(error.status, error.error, error.description))
        return cross_origin(request, JSONResponse(answer, headers=_NO_STORE))

    async def revoke(request: Request) -> Response:
        try:
            token_value = _parameters(await request.body()).get("token")
        except OAuthError as error:
            return cross_origin(request, _error(error.status, error.error, error.description))
        if token_value:
            oauth.revoke(token_value)
        return cross_origin(request, Response(status_code=200, headers=_NO_STORE))

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery, methods=["GET"]),
            Route("/.well-known/jwks.json", jwks, methods=["GET"]),
            Route("/login.css", stylesheet, methods=["GET"]),
            Route("/authorize", authorize, methods=["GET", "POST"]),
            Route("/token", token, methods=["POST"]),
            Route("/revoke", revoke, methods=["POST"]),
        ]
    )


def _parameters(encoded: bytes) -> dict[str, str]:
    """``application/x-www-form-urlencoded`` parameters; each may appear once (RFC 6749 §3.1)."""
    try:
        pairs = parse_qsl(
            encoded.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=50
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise OAuthError("invalid_request", "The parameters are not valid form encoding.") from exc
    parameters = dict(pairs)
    if len(parameters) != len(pairs):
        raise OAuthError("invalid_request", "A parameter appears more than once.")
    return parameters


def _token_answer(provider: DevIdentityProvider, grant: Grant) -> dict[str, Any]:
    account = provider.accounts.get(grant.account_key)
    if account is None:  # the demo data changed since the sign-in
        raise OAuthError("invalid_grant", "The signed-in account no longer exists.")
    answer: dict[str, Any] = {
        "access_token": provider.mint_for_account(account, grant.scope),
        "token_type": "Bearer",
        "expires_in": provider.access_ttl_seconds,
        "scope": " ".join(grant.scope),
    }
    if grant.refresh_token is not None:
        answer["refresh_token"] = grant.refresh_token
    if "openid" in grant.scope:
        answer["id_token"] = provider.id_token(account, client_id=grant.client_id, nonce=grant.nonce)
    return answer


def _redirect(request: AuthorizationRequest, params: dict[str, str], issuer_base: str) -> Response:
    answer = dict(params)
    if request.state is not None:
        answer["state"] = request.state
    answer["iss"] = issuer_base  # RFC 9207: the client can tell which provider answered
    return RedirectResponse(f"{request.redirect_uri}?{urlencode(answer)}", status_code=303, headers=_NO_STORE)


def _page(html: str, status: int, redirect_uri: str | None) -> Response:
    # The sign-in form redirects to the client after posting, which form-action governs too.
    target = redirect_uri.split("?", 1)[0] if redirect_uri else ""
    headers = {**_NO_STORE, "Content-Security-Policy": _PAGE_CSP.format(target).strip()}
    return HTMLResponse(html, status_code=status, headers=headers)


def _development_token(provider: DevIdentityProvider, body: bytes) -> Response:
    try:
        customer, company = _token_request(body)
        company = _company_for(provider, customer, company)
        access_token = provider.mint(company, customer, ttl_seconds=DEFAULT_TTL_SECONDS)
    except _BadRequest as exc:
        return _error(exc.status_code, exc.error, exc.description)
    except UnknownCustomer:
        return _error(404, "unknown_customer", "No such customer.")
    except ValueError:
        return _error(400, "invalid_request", "customer is not a valid customer number.")
    return JSONResponse(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": DEFAULT_TTL_SECONDS}
    )


def _token_request(body: bytes) -> tuple[str, uuid.UUID | None]:
    try:
        payload: Any = json.loads(body)
    except ValueError as exc:
        raise _BadRequest("invalid_request", "The body must be a JSON object.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("customer"), str):
        raise _BadRequest("invalid_request", 'The body must be {"customer": "<number>"}.')
    company = payload.get("company")
    if company is None:
        return payload["customer"], None
    try:
        return payload["customer"], uuid.UUID(str(company))
    except ValueError as exc:
        raise _BadRequest("invalid_request", "company must be a GUID.") from exc


def _company_for(provider: DevIdentityProvider, customer: str, company: uuid.UUID | None) -> uuid.UUID:
    companies = provider.companies_of(customer)
    if company is not None:
        if companies is not None and company not in companies:
            raise UnknownCustomer("unknown_customer")
        return company
    if companies is None or len(companies) > 1:
        raise _BadRequest(
            "company_required", "company is required: the customer number alone does not name one company."
        )
    if not companies:
        raise UnknownCustomer("unknown_customer")
    return companies[0]


def _error(status_code: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status_code, headers=_NO_STORE
    )
