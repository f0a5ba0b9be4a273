"""What a write returns: the created document, or a typed error with per-line problems."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from gateway.bc import CustomerQuery, SalesOrder


class WriteErrorCode(Enum):
    IDEMPOTENCY_KEY_REQUIRED = "IDEMPOTENCY_KEY_REQUIRED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IN_PROGRESS = "IN_PROGRESS"
    NOT_FOUND = "NOT_FOUND"
    CUSTOMER_BLOCKED = "CUSTOMER_BLOCKED"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    BC_REJECTED = "BC_REJECTED"
    DISABLED = "DISABLED"
    FORBIDDEN = "FORBIDDEN"
    BC_UNAVAILABLE = "BC_UNAVAILABLE"
    # The shared key store (Redis) cannot be reached: nothing is written rather than risk a duplicate.
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"


class LineProblemCode(Enum):
    ITEM_NOT_FOUND = "ITEM_NOT_FOUND"
    ITEM_BLOCKED = "ITEM_BLOCKED"
    NOT_AN_ITEM = "NOT_AN_ITEM"
    QUANTITY_NOT_POSITIVE = "QUANTITY_NOT_POSITIVE"
    QUANTITY_TOO_LARGE = "QUANTITY_TOO_LARGE"
    LINE_NOT_FOUND = "LINE_NOT_FOUND"
    DUPLICATE_LINE = "DUPLICATE_LINE"


@dataclass(frozen=True)
class LineProblem:
    """One line that cannot be ordered (or was left out of a reorder), and why."""

    sequence: int | None  # the line of the original document (reorder)
    item_number: str | None
    code: LineProblemCode
    message: str
    index: int | None = None  # the line's place in the input: a cart's `lines`, a reorder's `changes`


@dataclass(frozen=True)
class WriteError:
    code: WriteErrorCode
    message: str
    line_problems: tuple[LineProblem, ...] = ()
    # BC's correlation id of a refused or failed request, for support; nothing else of BC's.
    correlation_id: str | None = None


@dataclass(frozen=True)
class OrderPlaced:
    """The order as BC created it (numbers, prices, totals all BC's), and the original lines a
    reorder left out, each with its reason."""

    order: SalesOrder
    skipped_lines: tuple[LineProblem, ...] = ()
    # True when the order already existed in BC (found by its reference), for the audit record.
    found_existing: bool = False


@dataclass(frozen=True)
class QueryWritten:
    """A customer query as the portal API holds it after the write, with its messages."""

    query: CustomerQuery


OrderOutcome = OrderPlaced | WriteError
QueryOutcome = QueryWritten | WriteError
