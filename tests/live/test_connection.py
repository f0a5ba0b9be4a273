"""A WebSocket on /graphql: the handshake, connection_init and the token, pings, expiry and refresh."""

from __future__ import annotations

import pytest

from tests.live.conftest import LiveGateway, hub_of, settle
from tests.live.websocket import connect, initialised

pytestmark = pytest.mark.anyio

CUSTOMER, OTHER = "10000", "20000"
ORDERS = "subscription Moves { orderUpdated { number status } }"


async def test_a_socket_without_a_token_is_closed_forbidden(live: LiveGateway) -> None:
    async with connect(live.app) as socket:
        assert socket.accepted
        await socket.send({"type": "connection_init"})

        assert (await socket.closed())[0] == 4403


async def test_a_socket_with_a_forged_token_is_closed_forbidden(live: LiveGateway) -> None:
    token = live.token(CUSTOMER)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    async with connect(live.app) as socket:
        await socket.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {forged}"}})

        code, reason = await socket.closed()

    assert code == 4403
    assert reason.startswith("Forbidden")


async def test_the_token_may_come_in_the_payload_or_on_the_upgrade_request(live: LiveGateway) -> None:
    async with connect(live.app) as socket:
        ack = await initialised(socket, live.token(CUSTOMER))
    header = [("Authorization", f"Bearer {live.token(CUSTOMER)}")]
    async with connect(live.app, headers=header) as socket:
        await socket.send({"type": "connection_init"})
        by_header = await socket.receive()

    assert ack["type"] == by_header["type"] == "connection_ack"
    assert ack["payload"]["expiresAt"] > live.clock()


async def test_subscribing_before_the_acknowledgement_is_unauthorized(live: LiveGateway) -> None:
    async with connect(live.app) as socket:
        await socket.send({"id": "1", "type": "subscribe", "payload": {"query": ORDERS}})

        assert (await socket.closed())[0] == 4401


async def test_a_socket_that_never_initialises_is_closed_after_the_timeout(live: LiveGateway) -> None:
    async with connect(live.app) as socket:
        await live.clock.advance(9)
        assert socket.close_code is None
        await live.clock.advance(1)

        assert await socket.closed() == (4408, "Connection initialisation timeout")


async def test_a_second_connection_init_is_refused(live: LiveGateway) -> None:
    async with connect(live.app) as socket:
        await initialised(socket, live.token(CUSTOMER))
        await socket.send({"type": "connection_init", "payload": {"Authorization": "Bearer x"}})

        assert (await socket.closed())[0] == 4429


async def test_a_message_of_no_known_type_is_a_bad_request(live: LiveGateway) -> None:
    async with connect(live.app) as socket:
        await socket.send_text('{"type": "start", "id": "1"}')

        assert (await socket.closed())[0] == 4400


async def test_an_operation_id_in_use_closes_the_socket(live: LiveGateway) -> None:
    async with connect(live.app) as socket:
        await initialised(socket, live.token(CUSTOMER))
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": ORDERS}}
        await socket.send(subscribe)
        await socket.send(subscribe)

        assert await socket.closed() == (4409, "Subscriber for 1 already exists")


async def test_a_browser_from_another_origin_is_refused_at_the_handshake(live: LiveGateway) -> None:
    async with connect(live.app, headers=[("Origin", "https://evil.example")]) as socket:
        assert not socket.accepted
    async with connect(live.app, headers=[("Origin", "http://gateway.test")]) as socket:
        assert socket.accepted  # the gateway's own pages (the portal)
    async with connect(live.app, subprotocols=()) as socket:
        assert not socket.accepted


async def test_the_server_pings_and_closes_a_client_that_stopped_answering(live: LiveGateway) -> None:
    async with connect(live.app) as socket:
        await initialised(socket, live.token(CUSTOMER))
        await live.clock.advance(30)
        assert await socket.receive() == {"type": "ping"}
        await socket.send({"type": "pong"})
        await live.clock.advance(30)
        assert await socket.receive() == {"type": "ping"}
        await live.clock.advance(30)

        assert (await socket.closed())[0] == 1001


async def test_an_expired_token_closes_the_socket(live: LiveGateway) -> None:
    async with connect(live.app) as socket:
        await initialised(socket, live.token(CUSTOMER, ttl_seconds=100))
        await socket.send({"id": "1", "type": "subscribe", "payload": {"query": ORDERS}})
        await settle(lambda: hub_of(live.app).feeds == 1)
        await live.clock.advance(100 + 60 - 1)  # the token's lifetime and AUTH_LEEWAY_SECONDS
        assert socket.close_code is None
        await live.clock.advance(1)

        assert await socket.closed() == (4403, "Forbidden: the token expired")
    await settle(lambda: hub_of(live.app).feeds == 0)


async def test_a_fresh_token_sent_with_a_ping_keeps_the_socket_open(live: LiveGateway) -> None:
    async with connect(live.app) as socket:
        await initialised(socket, live.token(CUSTOMER, ttl_seconds=100))
        await live.clock.advance(90)
        minted_at = live.clock()
        fresh = live.token(CUSTOMER, ttl_seconds=300)
        await socket.send({"type": "ping", "payload": {"Authorization": f"Bearer {fresh}"}})
        pong = await socket.receive_until("pong")
        await live.clock.advance(200)

        assert socket.close_code is None
        assert pong["payload"]["expiresAt"] == minted_at + 300
        await live.clock.advance(300 + 60 - 200)
        assert (await socket.closed())[0] == 4403


async def test_a_refresh_with_another_customers_token_is_forbidden(live: LiveGateway) -> None:
    async with connect(live.app) as socket:
        await initialised(socket, live.token(CUSTOMER))
        other = live.token(OTHER)
        await socket.send({"type": "ping", "payload": {"Authorization": f"Bearer {other}"}})

        assert (await socket.closed())[0] == 4403
