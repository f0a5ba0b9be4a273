"""What a Business Central customer number may look like.

Customer numbers come from tokens and end up inside OData ``$filter`` literals sent to BC, so they
are held to a pattern far stricter than BC's own ``Code[20]``: ASCII letters, digits and
``- _ . /`` and inner spaces, 1–20 characters, no ``..``.  That leaves out every AL filter
character (``* ? | & < > = @ ( ) '``) and every quote, so a number can never change the meaning
of a filter even if some layer forgot to escape it.
"""

from __future__ import annotations

import re

MAX_CUSTOMER_NUMBER_LENGTH = 20

_PATTERN = re.compile(r"[A-Za-z0-9_./-](?:[A-Za-z0-9_./ -]{0,18}[A-Za-z0-9_./-])?")


def is_valid_customer_number(value: object) -> bool:
    """True when ``value`` is a string that is safe to use as a BC customer number."""
    return isinstance(value, str) and _PATTERN.fullmatch(value) is not None and ".." not in value
