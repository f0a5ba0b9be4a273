"""One GraphQL subscription's changes: the :class:`LiveFeed` its resolver iterates.

The hub offers every change of the subscriber's company that the subscriber may hear; the feed
keeps those its field listens to, in order, at most ``queue_size`` (a client that stalls loses the
oldest, never the replica's memory) and never one that is already waiting.  Each change is handed
out with a fresh Context (:attr:`current`), which the operation then uses for the whole event.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from gateway.resolvers.context import Context
from gateway.resolvers.live import (
    TOPICS,
    DocumentPosted,
    ItemMoved,
    LiveChange,
    OrderMoved,
    QueryMoved,
    Topic,
)

C = TypeVar("C", OrderMoved, DocumentPosted, QueryMoved, ItemMoved)


class Feed:
    def __init__(
        self,
        company_id: uuid.UUID,
        customer_number: str,
        new_context: Callable[[], Context],
        *,
        queue_size: int,
    ) -> None:
        self.company_id = company_id
        self.customer_number = customer_number
        self._new_context = new_context
        self._queue_size = queue_size
        self._topic: Topic | None = None  # set when the resolver starts listening
        self._numbers: frozenset[str] = frozenset()
        self._pending: deque[LiveChange] = deque()
        self._arrived = asyncio.Event()
        self.current: Context | None = None  # the Context of the change being delivered
        self.change: LiveChange | None = None  # and the change
        self.handed_out = 0
        self.dropped = 0

    @property
    def listening(self) -> bool:
        return self._topic is not None

    def offer(self, change: LiveChange) -> None:
        """Keep ``change`` if this subscription listens to it and it is not waiting already."""
        if not self._wants(change) or change in self._pending:
            return
        self._pending.append(change)
        if len(self._pending) > self._queue_size:
            self._pending.popleft()
            self.dropped += 1
        self._arrived.set()

    def orders(self) -> AsyncIterator[tuple[OrderMoved, Context]]:
        return self._changes(Topic.ORDERS, OrderMoved)

    def documents(self) -> AsyncIterator[tuple[DocumentPosted, Context]]:
        return self._changes(Topic.DOCUMENTS, DocumentPosted)

    def queries(self) -> AsyncIterator[tuple[QueryMoved, Context]]:
        return self._changes(Topic.QUERIES, QueryMoved)

    def items(self, numbers: frozenset[str]) -> AsyncIterator[tuple[ItemMoved, Context]]:
        self._numbers = frozenset(number.casefold() for number in numbers)
        return self._changes(Topic.ITEMS, ItemMoved)

    async def _changes(self, topic: Topic, kind: type[C]) -> AsyncIterator[tuple[C, Context]]:
        self._topic = topic
        while True:
            while not self._pending:
                self._arrived.clear()
                await self._arrived.wait()
            change = self._pending.popleft()
            if isinstance(change, kind):
                self.current, self.change = self._new_context(), change
                self.handed_out += 1
                yield change, self.current

    def _wants(self, change: LiveChange) -> bool:
        if TOPICS[type(change)] is not self._topic:
            return False
        return not isinstance(change, ItemMoved) or change.number.casefold() in self._numbers
