"""Types shared by every part of the schema: money, addresses, Relay connections."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Generic, TypeVar

import strawberry

from gateway.resolvers.pagination import Page
from gateway.schema.plain_fields import resolved_ahead

N = TypeVar("N")

# What a root list and a lookup by number answer when they cannot answer (docs/errors.md).
LIST_FAILURES = (
    "  Null, with the error's code (BC_UNAVAILABLE, BC_THROTTLED, BC_TIMEOUT …), when Business "
    "Central cannot answer: the other fields of the operation still do.  A malformed `after`, "
    "filter or argument is BAD_USER_INPUT."
)
LOOKUP_FAILURES = (
    "  Null when there is none.  BAD_USER_INPUT for text that cannot be a number (empty, too "
    "long, or holding one of * ? | & < > = @ ( ) ' or .., which Business Central reads as filter "
    "operators)."
)


@strawberry.type(description="An amount of money in a currency (ISO code as Business Central holds it).")
class Money:
    amount: Decimal
    currency_code: str

    @classmethod
    def of(cls, amount: Decimal | None, currency_code: str | None) -> Money:
        """BC leaves a decimal out or null only where it is zero; a blank currency is unknown."""
        return cls(amount=amount if amount is not None else Decimal(0), currency_code=currency_code or "")


@strawberry.type
class Address:
    name: str | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type(description="A page of results; pass `pageInfo.endCursor` as `after` for the next one.")
class Connection(Generic[N]):
    edges: list[Edge[N]]
    nodes: list[N]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[N]) -> Connection[N]:
        return cls(
            edges=[
                Edge(cursor=cursor, node=node) for cursor, node in zip(page.cursors, page.items, strict=True)
            ],
            nodes=list(page.items),
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
        )


def uuid_id(description: str | None = None) -> Any:
    """The ``id`` field of a type whose objects hold their BC id as ``_id`` (a UUID): written only
    where a query selects it — a page of 1,000 orders holds 10,000 lines and as many items, and
    writing a UUID is a microsecond.  Read without its resolver (the ``ID`` scalar writes a UUID
    as ``str(uuid)``, which is what the resolver answers)."""
    return strawberry.field(resolver=_id_of, description=description, metadata=resolved_ahead("_id"))


def _id_of(root: Any) -> strawberry.ID:
    return strawberry.ID(str(root._id))


def text(value: str | None) -> str | None:
    """BC sends '' for a blank text field; clients get null."""
    return value or None


def quantity(value: Decimal | None) -> Decimal:
    """BC leaves a decimal out or null only where it is zero."""
    return value if value is not None else Decimal(0)
