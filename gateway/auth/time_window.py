"""The token's validity window, checked against the gateway's own clock.

python-jose could check ``exp``/``nbf`` too, but against the wall clock it reads itself; it is told
not to, so every time decision the gateway makes is on the one clock the validator was given (and
tests can move time deterministically, in either direction).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from gateway.auth.errors import TokenRejected


def check_time_window(claims: Mapping[str, Any], *, now: float, leeway_seconds: float) -> None:
    """Raise ``TokenRejected`` unless ``exp`` (required) is not past and ``nbf``/``iat`` are not
    in the future, each allowing ``leeway_seconds`` of clock skew.
    """
    expires_at = _numeric_date(claims, "exp")
    if expires_at is None:
        raise TokenRejected("invalid_claims")
    if now - leeway_seconds > expires_at:
        raise TokenRejected("expired")
    for name in ("nbf", "iat"):
        moment = _numeric_date(claims, name)
        if moment is not None and moment > now + leeway_seconds:
            raise TokenRejected("not_yet_valid")


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    # bool is an int in Python, and numeric strings are what jose would quietly accept.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TokenRejected("invalid_claims")
    return float(value)
