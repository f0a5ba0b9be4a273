"""One HTTP exchange with BC, read whole: httpx's request and response, without its client layer.

``httpx.AsyncClient.request`` spends more on each request than the gateway's transport does
(``bench/http_post.py``): merging its defaults into a new request, its cookie jar, the auth,
redirect and event-hook loops.  Of those the BC client needs only a few, and this does them
itself: the client's default headers (``Accept-Encoding`` among them, so BC may compress),
its cookies (the jar is read only once it holds one, and written only when BC sets one), each
request's timeouts, and the principal's ``httpx.Auth`` flow, whose token requests go through the
same transport (without a principal, credentials in BC's URL sign in with HTTP basic auth, as
httpx would).  Redirects are never followed (one could carry the bearer token elsewhere: a 3xx
is BC's answer, and an error).  With no transport of our own (a proxy named in the environment,
``default_transport``), httpx's client sends the request: its mounts honour the proxy.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

__all__ = ["Exchange"]


class Exchange:
    """Sends a request on ``transport`` (``None``: httpx's, with the environment's proxies) and
    returns its response with the body read."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None, headers: Mapping[str, str]) -> None:
        self._client = httpx.AsyncClient(transport=transport, follow_redirects=False, headers=headers)
        self._transport = transport
        self._headers = self._client.headers  # ours and httpx's defaults, merged once

    async def aclose(self) -> None:
        await self._client.aclose()  # and with it the transport

    async def send(
        self,
        method: str,
        url: str | httpx.URL,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        content: bytes | None,
        timeout_seconds: float,
        auth: httpx.Auth | None,
    ) -> httpx.Response:
        merged = self._headers.copy()
        merged.update(headers)
        cookies = self._client.cookies
        request = httpx.Request(
            method,
            url,
            params=params,
            headers=merged,
            content=content,
            cookies=cookies if cookies.jar else None,
            extensions={"timeout": httpx.Timeout(timeout_seconds).as_dict()},
        )
        if self._transport is None:
            return await self._client.send(request, auth=auth)
        if auth is None and request.url.userinfo:  # as httpx: credentials in the URL sign in
            auth = httpx.BasicAuth(request.url.username, request.url.password)
        if auth is None:
            return await self._read(request)
        return await self._signed(request, auth)

    async def _signed(self, request: httpx.Request, auth: httpx.Auth) -> httpx.Response:
        """``request`` through ``auth``'s flow, which may send requests of its own first (a token)
        and send it again (after a 401): the flow's last response is the answer."""
        flow = auth.async_auth_flow(request)
        try:
            request = await flow.__anext__()
            while True:
                response = await self._read(request)
                try:
                    request = await flow.asend(response)
                except StopAsyncIteration:
                    return response
        finally:
            await flow.aclose()

    async def _read(self, request: httpx.Request) -> httpx.Response:
        assert self._transport is not None  # noqa: S101 - only called with a transport of ours
        response = await self._transport.handle_async_request(request)
        response.request = request
        try:
            await response.aread()  # to the end: only then may its connection carry another request
        finally:
            await response.aclose()
        if "set-cookie" in response.headers:
            self._client.cookies.extract_cookies(response)
        return response
