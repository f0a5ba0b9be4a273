"""The one definition of a Business Central customer number, for tokens and for BC requests alike.

A customer number comes from a token (``gateway.auth``) and ends up inside the ``$filter`` that
scopes every BC request for customer-owned data (``gateway.bc``).  Both apply this rule, so a
token the gateway accepts can always be scoped, and a token it cannot scope is refused (401) as
it arrives.  BC's ``Code[20]`` upper-cases what is typed into it; the pattern is stricter still:
upper-case ASCII letters and digits, then also ``- _ . /``, 1–20 characters, no ``..``, no
space.  That leaves out every AL filter character (``* ? | & < > = @ ( ) '``, REFERENCE §14) and
every quote, so a number can never change the meaning of a filter even if a layer forgot to
escape it.

This module sits at the top of the package and imports nothing: ``gateway.auth`` and
``gateway.bc`` may import nothing else of ``gateway`` and neither may import the other, so the
rule both share is a leaf they both may reach (docs/architecture.md).
"""

from __future__ import annotations

import re

MAX_LENGTH = 20

_PATTERN = re.compile(r"[A-Z0-9](?:[A-Z0-9_/-]|\.(?!\.)){0,19}")


def is_customer_number(value: object) -> bool:
    """True when ``value`` is a string that is a BC customer number the gateway can scope by."""
    return isinstance(value, str) and _PATTERN.fullmatch(value) is not None
