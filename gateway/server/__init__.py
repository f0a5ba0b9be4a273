"""Serving the gateway for ``bc-gateway serve``: bind first, then say so; stop readiness first.

The listening socket is bound before anything else happens, so a bad address or a port in use is
one configuration line (naming the variable, or the ``--host``/``--port`` flag that overrode it)
and exit code 2, not a banner followed by uvicorn's ``[Errno …]`` (``_listen.py``).  The banner
is printed only once uvicorn has started the app (its lifespan) and accepts connections on that
socket.  With ``GATEWAY_TLS_CERT_FILE``/``GATEWAY_TLS_KEY_FILE`` the socket speaks TLS 1.2 or later.

On SIGTERM (or Ctrl+C) readiness turns false first: ``/readyz`` answers 503 while requests are
still accepted for ``GATEWAY_SHUTDOWN_DRAIN_SECONDS``, so load balancers stop sending new ones;
then the listener closes and the requests in flight have ``GATEWAY_SHUTDOWN_GRACE_SECONDS`` to
finish before they are cut off and the process exits (``_serve.py``).

uvicorn's own proxy-header handling is off: ``X-Forwarded-*`` are believed only from
``GATEWAY_TRUSTED_PROXIES``, by the edge (``edge/hygiene.py``) — uvicorn's default believes
127.0.0.1, which would let anything on the machine claim any client address or HTTPS.
"""

from __future__ import annotations

from ._heap import freeze_start_up_objects
from ._listen import listen
from ._serve import serve

__all__ = ["freeze_start_up_objects", "listen", "serve"]
