"""The ``graphql-transport-ws`` protocol (graphql-ws's PROTOCOL.md): its messages and close codes.

Every message is a JSON object with a ``type``; a message of an unknown type or shape closes the
socket with ``4400``.  What each close code means here is in docs/subscriptions.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

SUBPROTOCOL = "graphql-transport-ws"
MAX_ID_LENGTH = 128


class Close(IntEnum):
    """Close codes: the protocol's own (44xx), and RFC 6455's where the protocol has none."""

    NORMAL = 1000
    GOING_AWAY = 1001  # the client stopped answering pings
    TOO_BIG = 1009
    TRY_AGAIN_LATER = 1013  # the identity provider's keys could not be read
    BAD_REQUEST = 4400
    UNAUTHORIZED = 4401  # subscribe before connection_ack
    FORBIDDEN = 4403  # no valid token at connection_init, or the token expired unrefreshed
    INIT_TIMEOUT = 4408
    SUBSCRIBER_EXISTS = 4409
    TOO_MANY = 4429  # a second connection_init, or more connections than the customer may hold


class ProtocolViolation(Exception):
    """The message breaks the protocol: the socket is closed with ``code`` and ``str()``."""

    def __init__(self, reason: str, code: Close = Close.BAD_REQUEST) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class ConnectionInit:
    payload: dict[str, Any]


@dataclass(frozen=True)
class Ping:
    payload: dict[str, Any]


@dataclass(frozen=True)
class Pong:
    pass


@dataclass(frozen=True)
class Subscribe:
    id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Complete:
    id: str


Message = ConnectionInit | Ping | Pong | Subscribe | Complete


def read_message(text: str) -> Message:
    """The client message ``text`` holds, or :class:`ProtocolViolation`."""
    try:
        message = json.loads(text)
    except ValueError:
        raise ProtocolViolation("A message must be JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolViolation("A message is an object with a type")
    kind = message["type"]
    if kind == "connection_init":
        return ConnectionInit(_payload(message))
    if kind == "ping":
        return Ping(_payload(message))
    if kind == "pong":
        return Pong()
    if kind == "subscribe":
        payload = _payload(message)
        if not payload:
            raise ProtocolViolation("A subscribe message needs a payload")
        return Subscribe(_id(message), payload)
    if kind == "complete":
        return Complete(_id(message))
    raise ProtocolViolation(f"Unknown message type {kind[:40]!r}")


def _payload(message: dict[str, Any]) -> dict[str, Any]:
    payload = message.get("payload")
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise ProtocolViolation("A payload must be an object")
    return payload


def _id(message: dict[str, Any]) -> str:
    identifier = message.get("id")
    if not isinstance(identifier, str) or not 1 <= len(identifier) <= MAX_ID_LENGTH:
        raise ProtocolViolation(f"An operation id is a string of 1 to {MAX_ID_LENGTH} characters")
    return identifier


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))
