"""A fake clock for the sandbox and a webhook subscriber that records what BC sends it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

START = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)


@dataclass
class FakeClock:
    """The sandbox's wall clock, moved by the test."""

    now: dt.datetime = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@dataclass
class Subscriber:
    """A notification URL: echoes validation tokens (or misbehaves on demand), records bodies."""

    handshakes: list[str] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    handshake_answer: str = "echo"  # "echo", "wrong", "500", "slow"
    notification_status: int = 202

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hook", self._endpoint, methods=["GET", "POST"])])

    async def _endpoint(self, request: Request) -> Response:
        token = request.query_params.get("validationToken")
        if token is not None:
            self.handshakes.append(token)
            if self.handshake_answer == "wrong":
                return PlainTextResponse("not-the-token")
            if self.handshake_answer == "500":
                return PlainTextResponse("down", status_code=500)
            if self.handshake_answer == "slow":
                await anyio.sleep(5)
            return PlainTextResponse(token)
        self.notifications.append(json.loads(await request.body()))
        return Response(status_code=self.notification_status)

    @property
    def entries(self) -> list[dict[str, Any]]:
        return [entry for body in self.notifications for entry in body["value"]]
