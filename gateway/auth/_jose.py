"""The only module that touches python-jose, and the only one that touches ``cryptography``.

Swapping the JOSE library means rewriting this file alone: nothing else in the gateway sees a
jose key, option name or exception.  Every failure leaves here as a ``TokenRejected``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt
from jose.exceptions import JOSEError, JWSError, JWTClaimsError, JWTError

from gateway.auth.errors import TokenRejected

_DECODE_OPTIONS: dict[str, bool] = {
    "verify_signature": True,
    # Time is judged by `time_window.check_time_window` on the validator's clock alone: jose
    # would read the wall clock itself, and two clocks can disagree (tests move one of them).
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_iss": True,
    "verify_aud": True,
    "verify_sub": True,
    # jose skips `aud` when it is absent unless it is required.  `exp` is required by policy, but
    # jose's `require_exp` would switch its own wall-clock check back on: check_time_window
    # refuses a token without `exp`.
    "require_aud": True,
    "require_iss": True,
    "require_sub": True,
}


def verify(
    token: str,
    key: Mapping[str, Any],
    *,
    algorithm: str,
    issuer: str,
    audience: str,
    leeway_seconds: int,
) -> dict[str, Any]:
    """The claims of ``token`` once its signature (by ``key``, with ``algorithm`` only), ``iss``,
    ``aud`` and ``sub`` are verified; the caller checks ``exp`` (required), ``nbf`` and ``iat``.
    """
    options: dict[str, Any] = {**_DECODE_OPTIONS, "leeway": leeway_seconds}
    try:
        claims = jwt.decode(
            token, dict(key), algorithms=[algorithm], issuer=issuer, audience=audience, options=options
        )
    except JWTClaimsError as exc:
        raise TokenRejected(_claims_reason(str(exc))) from exc
    except JWTError as exc:
        raise TokenRejected(_jwt_error_reason(exc)) from exc
    except JOSEError as exc:
        raise TokenRejected("bad_signature") from exc
    except (TypeError, ValueError) as exc:
        # jose calls int() on claim values of any JSON type (e.g. "exp": [1]) after the
        # signature has been verified; a trusted issuer sent claims we cannot read.
        raise TokenRejected("invalid_claims") from exc
    return dict(claims)


def _claims_reason(message: str) -> str:
    # jose 3.5 raises one JWTClaimsError class for every registered-claim failure; its messages
    # are the only thing that tells them apart.  tests/auth pin each mapping.
    lowered = message.lower()
    if "invalid audience" in lowered:
        return "wrong_audience"
    if "invalid issuer" in lowered:
        return "wrong_issuer"
    return "invalid_claims"


def _jwt_error_reason(exc: JWTError) -> str:
    # jose wraps every signature-layer failure (JWSError) in a JWTError; other JWTErrors are
    # about claims, e.g. a required claim that is missing.
    if exc.args and isinstance(exc.args[0], JWSError):
        return "bad_signature"
    return "invalid_claims"


def sign(claims: Mapping[str, Any], private_key_pem: bytes, *, algorithm: str, kid: str) -> str:
    """A compact JWS of ``claims`` signed with the PEM private key, its header naming ``kid``."""
    token: str = jwt.encode(dict(claims), private_key_pem, algorithm=algorithm, headers={"kid": kid})
    return token


def public_jwk(private_key_pem: bytes, *, algorithm: str) -> dict[str, str]:
    """The public half of a PEM private key as a JWK (``kty``, ``alg`` and the key parameters)."""
    public: dict[str, str] = jwk.construct(private_key_pem, algorithm).public_key().to_dict()
    return dict(public)


def generate_rsa_private_key_pem(bits: int = 2048) -> bytes:
    """A new RSA private key (public exponent 65537) as unencrypted PKCS#8 PEM."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def check_rsa_private_key_pem(private_key_pem: bytes) -> None:
    """``ValueError`` unless ``private_key_pem`` is an unencrypted PEM RSA private key."""
    try:
        key = serialization.load_pem_private_key(private_key_pem, password=None)
    except (TypeError, ValueError) as exc:
        raise ValueError("not an unencrypted PEM private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
