"""Running one subscription: graphql-core's subscribe algorithm, each event with its own Context.

The subscription field's resolver is the source stream (it iterates the :class:`Feed`); each value
it yields is executed against the operation's selection set — graphql-core's
``ExecuteSubscriptionEvent`` — with the Context the feed handed out with that change, so every
event reads BC through a fresh session and fresh loaders.  Errors are translated as for queries
(``gateway.schema.errors.translate``).  An error before the first change (a bad argument) is the
protocol's ``error`` message and ends the operation; an error while reading one change (BC did
not answer) is a ``next`` with ``errors``, and the subscription goes on.  A change whose result
is what this subscription last sent for it is not sent again (one shipment notifies the order and
the shipment: the customer hears of it once).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import AsyncIterable, Awaitable, Callable
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    Executor,
    GraphQLError,
    GraphQLSchema,
    create_source_event_stream,
    execute_subscription_event,
    located_error,
)
from graphql.pyutils import AwaitableOrValue

from gateway.edge.live.feed import Feed
from gateway.resolvers.context import Context
from gateway.resolvers.live import LiveChange
from gateway.schema.errors import translate

Send = Callable[[dict[str, Any]], Awaitable[None]]
_REMEMBERED = 256  # results remembered per subscription, to send a repeated one once


class LiveOperation:
    def __init__(
        self,
        operation_id: str,
        schema: GraphQLSchema,
        document: DocumentNode,
        *,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Context,
        feed: Feed,
        send: Send,
        hide_suggestions: bool,
    ) -> None:
        self.id = operation_id
        self._schema = schema
        self._document = document
        self._variables = variables
        self._operation_name = operation_name
        self._context = context
        self.feed = self._feed = feed
        self._send = send
        self._hide_suggestions = hide_suggestions
        self._sent: OrderedDict[LiveChange, str] = OrderedDict()

    async def run(self) -> None:
        """Until the client completes it (the task is cancelled) or it fails to start."""
        executor = Executor.build(
            self._schema,
            self._document,
            None,
            self._context,
            self._variables,
            self._operation_name,
            hide_suggestions=self._hide_suggestions,
        )
        if isinstance(executor, list):
            await self._error(executor)
            return
        while True:
            source = await _settled(create_source_event_stream(executor))
            if isinstance(source, ExecutionResult):
                await self._error(source.errors or [])
                return
            handed_out = self._feed.handed_out
            try:
                await self._events(executor, source)
            except Exception as failure:  # noqa: BLE001 - the resolver's failure is the client's answer
                error = located_error(failure, None, [_field(executor)])
                if self._feed.handed_out == handed_out:  # failed before any change: it cannot start
                    await self._error([error])
                    return
                payload = {"data": None, "errors": [translate(error).formatted]}
                await self._send({"id": self.id, "type": "next", "payload": payload})
                continue  # the source starts again on the same feed: no change waiting is lost
            await self._send({"id": self.id, "type": "complete"})
            return

    async def _events(self, executor: Executor[Any], source: AsyncIterable[Any]) -> None:
        async for payload in source:
            event = executor.build_per_event_executor(payload)
            event.context_value = self._feed.current
            result = await _settled(execute_subscription_event(event))
            payload_json = _payload(result)
            if self._repeated(payload_json):
                continue
            await self._send({"id": self.id, "type": "next", "payload": payload_json})

    def _repeated(self, payload: dict[str, Any]) -> bool:
        change = self._feed.change
        if change is None:
            return False
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
        repeated = self._sent.get(change) == digest
        self._sent[change] = digest
        self._sent.move_to_end(change)
        while len(self._sent) > _REMEMBERED:
            self._sent.popitem(last=False)
        return repeated

    async def _error(self, errors: list[GraphQLError]) -> None:
        formatted = [translate(error).formatted for error in errors]
        await self._send({"id": self.id, "type": "error", "payload": formatted})


def _payload(result: ExecutionResult) -> dict[str, Any]:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [translate(error).formatted for error in result.errors]
    return payload


def _field(executor: Executor[Any]) -> str:
    """The response key of the subscription's field (validation allows exactly one)."""
    first = executor.operation.selection_set.selections[0]
    key = getattr(first, "alias", None) or getattr(first, "name", None)
    return str(key.value) if key is not None else "subscription"


async def _settled(value: AwaitableOrValue[Any]) -> Any:
    return await value if isawaitable(value) else value
