"""HTTP endpoints of the development identity provider (OpenID discovery, JWKS, token)."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.auth.errors import UnknownCustomer

if TYPE_CHECKING:
    from gateway.auth.dev_idp import DevIdentityProvider

DEFAULT_TTL_SECONDS = 8 * 3600


class _BadRequest(Exception):
    def __init__(self, error: str, description: str, status_code: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status_code = status_code


def build_dev_idp_app(provider: DevIdentityProvider) -> Starlette:
    """A Starlette app serving ``provider`` (see ``DevIdentityProvider.asgi_app``)."""

    async def discovery(request: Request) -> JSONResponse:
        base = provider.issuer.rstrip("/")
        return JSONResponse(
            {
                "issuer": provider.issuer,
                "jwks_uri": f"{base}/.well-known/jwks.json",
                "token_endpoint": f"{base}/token",
                "response_types_supported": ["token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def jwks(request: Request) -> JSONResponse:
        return JSONResponse(provider.jwks())

    async def token(request: Request) -> JSONResponse:
        try:
            customer, company = _token_request(await request.body())
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

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery, methods=["GET"]),
            Route("/.well-known/jwks.json", jwks, methods=["GET"]),
            Route("/token", token, methods=["POST"]),
        ]
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
    return JSONResponse({"error": error, "error_description": description}, status_code=status_code)
