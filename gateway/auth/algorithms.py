"""The signature algorithms the gateway accepts, and which key each one needs.

Only asymmetric algorithms are listed: with a symmetric one (``HS256``) anybody holding the
verification key could mint tokens, and a verifier that accepts it can be tricked into using a
public key as an HMAC secret.  ``none`` is, of course, absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


class KeyRequirement(NamedTuple):
    """The JWK ``kty`` (and, for elliptic curves, ``crv``) an algorithm must be verified with."""

    kty: str
    crv: str | None = None


ASYMMETRIC_ALGORITHMS: Mapping[str, KeyRequirement] = {
    "RS256": KeyRequirement("RSA"),
    "RS384": KeyRequirement("RSA"),
    "RS512": KeyRequirement("RSA"),
    "ES256": KeyRequirement("EC", "P-256"),
    "ES384": KeyRequirement("EC", "P-384"),
    "ES512": KeyRequirement("EC", "P-521"),
}


def key_fits_algorithm(key: Mapping[str, Any], algorithm: str) -> bool:
    """True when the JWK ``key`` may verify a signature made with ``algorithm``.

    The key's type and curve must be the algorithm's, a key that names its own ``alg`` must name
    this one, and a key restricted by ``use``/``key_ops`` must be allowed to verify signatures.
    """
    requirement = ASYMMETRIC_ALGORITHMS.get(algorithm)
    if requirement is None or key.get("kty") != requirement.kty:
        return False
    if requirement.crv is not None and key.get("crv") != requirement.crv:
        return False
    if "alg" in key and key["alg"] != algorithm:
        return False
    if "use" in key and key["use"] != "sig":
        return False
    key_ops = key.get("key_ops")
    return key_ops is None or (isinstance(key_ops, list) and "verify" in key_ops)
