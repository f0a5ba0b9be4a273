"""Keeping URLs out of the logs.

httpx logs every request it sends at INFO, with the full URL: for BC that is the tenant, the
environment and a ``$filter`` holding a customer number.  The BC client writes its own audit
record for each call (``gateway.audit.bc``: who, which entity set, outcome — no host, no query),
so httpx's record adds nothing but the leak; it is kept to warnings and above.
"""

from __future__ import annotations

import logging

HTTP_CLIENT_LOGGERS = ("httpx", "httpcore")


def keep_request_urls_out_of_logs() -> None:
    for name in HTTP_CLIENT_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.WARNING:
            logger.setLevel(logging.WARNING)
