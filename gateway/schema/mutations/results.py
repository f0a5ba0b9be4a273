"""What mutations return: the written document or a ``WriteError`` with a code and line problems."""

from __future__ import annotations

import strawberry

from gateway.resolvers.writes import results
from gateway.schema.types.documents import SalesOrder

WriteErrorCode = strawberry.enum(
    results.WriteErrorCode, description="Why a write did not happen (or is not confirmed yet)."
)
LineProblemCode = strawberry.enum(results.LineProblemCode, description="Why a line cannot be ordered.")


@strawberry.type(
    description="A line that cannot be ordered, or that a reorder left out, and why.  Every problem "
    "of every line is reported at once, in input order; a line with two problems appears twice."
)
class LineProblem:
    index: int | None = strawberry.field(
        description="The line's position in the input, from 0: in `placeOrder`'s `lines`, or in "
        "`reorder`'s `changes`.  Null for a line of the original document a reorder left out."
    )
    sequence: int | None = strawberry.field(description="The line of the original document, for a reorder.")
    item_number: str | None
    code: results.LineProblemCode
    message: str

    @classmethod
    def of(cls, problem: results.LineProblem) -> LineProblem:
        return cls(
            index=problem.index,
            sequence=problem.sequence,
            item_number=problem.item_number,
            code=problem.code,
            message=problem.message,
        )


@strawberry.type(
    description="An expected failure of a write.  Nothing was written, unless `code` is "
    "BC_UNAVAILABLE: then retry with the same idempotency key, which never writes twice."
)
class WriteError:
    code: results.WriteErrorCode
    message: str
    line_problems: list[LineProblem]
    correlation_id: str | None = strawberry.field(description="Business Central's id for support, if any.")

    @classmethod
    def of(cls, error: results.WriteError) -> WriteError:
        return cls(
            code=error.code,
            message=error.message,
            line_problems=[LineProblem.of(p) for p in error.line_problems],
            correlation_id=error.correlation_id,
        )


@strawberry.type(description="The order as Business Central created it: its number, prices and totals.")
class PlacedOrder:
    order: SalesOrder
    skipped_lines: list[LineProblem] = strawberry.field(
        description="Lines of the original document a reorder left out (comments, G/L accounts, "
        "blocked or deleted items), each with its reason."
    )

    @classmethod
    def of(cls, placed: results.OrderPlaced) -> PlacedOrder:
        return cls(
            order=SalesOrder.from_bc(placed.order),
            skipped_lines=[LineProblem.of(p) for p in placed.skipped_lines],
        )
