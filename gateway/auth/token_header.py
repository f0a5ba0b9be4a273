"""The checks a token must pass before any key is looked up or any signature is computed.

They are cheap and bounded, so garbage, oversized tokens, encrypted tokens (JWE) and algorithm
tricks are turned away without touching the JWKS endpoint or the crypto library.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from gateway.auth.errors import TokenRejected

# Compact JWS segments are unpadded base64url; the signature may be empty here so that an
# unsigned `alg: none` token is reported as a disallowed algorithm rather than as malformed.
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True)
class TokenHeader:
    """The two header fields that decide how a token is verified."""

    alg: str
    kid: str


def read_header(token: str, *, max_bytes: int, algorithms: Collection[str]) -> TokenHeader:
    """The header of a compact JWS ``token``, or ``TokenRejected`` saying why it is refused.

    In order: size, shape (exactly three base64url segments), a JSON-object header, an accepted
    ``alg``, no ``crit`` extensions, and a ``kid``.
    """
    _check_size(token, max_bytes)
    header = _decode_header(_segments(token)[0])
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        raise TokenRejected("disallowed_algorithm")
    if "crit" in header:
        # RFC 7515 §4.1.11: extensions marked critical must be understood; we understand none.
        raise TokenRejected("unsupported_header")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenRejected("unknown_key")
    return TokenHeader(alg=alg, kid=kid)


def _check_size(token: str, max_bytes: int) -> None:
    # len(str) never exceeds the UTF-8 length, so the cheap test comes first.
    if len(token) > max_bytes or len(token.encode("utf-8", "surrogatepass")) > max_bytes:
        raise TokenRejected("token_too_large")


def _segments(token: str) -> list[str]:
    segments = token.split(".")
    # Five segments is an encrypted token (JWE): never accepted, never decrypted.
    if len(segments) != 3 or not segments[0] or not segments[1]:
        raise TokenRejected("malformed_token")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        raise TokenRejected("malformed_token")
    return segments


def _decode_header(segment: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        header = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise TokenRejected("malformed_token") from exc
    if not isinstance(header, dict):
        raise TokenRejected("malformed_token")
    return header
