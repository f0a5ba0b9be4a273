"""Signing keys and hand-built tokens for the auth tests.

Tokens are assembled here with ``cryptography`` and ``hmac`` directly, not with python-jose, so
the tests are an independent check of the library the gateway uses (and survive swapping it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ISSUER = "https://idp.test/"
AUDIENCE = "api://bc-gateway"
JWKS_URL = "https://idp.test/.well-known/jwks.json"
COMPANY = "5d115c9c-44e3-ea11-bb43-000d3a2feca1"
OTHER_COMPANY = "7a2e1f3b-0c4d-4e5f-8a9b-1c2d3e4f5a6b"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64(value: int, length: int | None = None) -> str:
    size = length or (value.bit_length() + 7) // 8
    return b64url(value.to_bytes(size, "big"))


@dataclass(frozen=True)
class SigningKey:
    """A private key with the public JWK a JWKS endpoint would publish for it."""

    kid: str
    alg: str
    sign: Callable[[bytes], bytes]
    public_jwk: dict[str, str]
    public_pem: bytes


def rsa_key(kid: str = "rsa-1") -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    jwk = {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": _int_b64(numbers.n)}
    jwk["e"] = _int_b64(numbers.e)
    return SigningKey(
        kid=kid,
        alg="RS256",
        sign=lambda data: private.sign(data, padding.PKCS1v15(), hashes.SHA256()),
        public_jwk=jwk,
        public_pem=_public_pem(private.public_key()),
    )


def ec_key(kid: str = "ec-1") -> SigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.public_key().public_numbers()

    def sign(data: bytes) -> bytes:
        r, s = decode_dss_signature(private.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    jwk = {"kty": "EC", "kid": kid, "crv": "P-256", "use": "sig"}
    jwk |= {"x": _int_b64(numbers.x, 32), "y": _int_b64(numbers.y, 32)}
    return SigningKey(
        kid=kid, alg="ES256", sign=sign, public_jwk=jwk, public_pem=_public_pem(private.public_key())
    )


def _public_pem(public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def jwks(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [key.public_jwk for key in keys]}


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid claims for one customer of one company, now; ``None`` values remove a claim."""
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-42",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "bc_company": COMPANY,
        "bc_customer": "10000",
        "roles": ["buyer"],
        "scp": "orders:read orders:write",
        "name": "Ann Example",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def encode(header: dict[str, Any], payload: dict[str, Any], sign: Callable[[bytes], bytes] | None) -> str:
    """A compact JWS with exactly this header; ``sign=None`` leaves the signature empty."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    signature = sign(signing_input.encode("ascii")) if sign else b""
    return f"{signing_input}.{b64url(signature)}"


def token(key: SigningKey, payload: dict[str, Any] | None = None, **header: Any) -> str:
    """A token signed by ``key``; ``header`` entries override or add header fields."""
    fields = {"alg": key.alg, "typ": "JWT", "kid": key.kid, **header}
    return encode(fields, claims() if payload is None else payload, key.sign)


def hmac_token(secret: bytes, kid: str, payload: dict[str, Any] | None = None) -> str:
    """An HS256 token whose HMAC secret is ``secret`` (the key-confusion attack uses a public key)."""
    return encode(
        {"alg": "HS256", "typ": "JWT", "kid": kid},
        claims() if payload is None else payload,
        lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
    )


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
