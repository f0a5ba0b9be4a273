"""Lists and objects of plain fields, written by compiled functions, answer byte for byte what
graphql-core's own path answers: data, key order, nulls, errors and their paths — whatever the
document does with aliases, fragments, ``@skip``/``@include``, ``__typename``, enums and custom
scalars, and wherever in a list a value is wrong."""

from __future__ import annotations

import asyncio
import enum
import json
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
import strawberry
from graphql import ExecutionResult, execute, parse
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.schema.executor import PlainFieldExecutor
from gateway.schema.plain_fields import NOT_AHEAD, NotAhead, resolved_ahead
from gateway.schema.scalars import SCALARS
from gateway.schema.types.common import uuid_id

RESOLVED: list[int] = []  # the lines whose `part` resolver was called, by sequence


@strawberry.enum
class Kind(enum.Enum):
    ITEM = "item"
    COMMENT = "comment"


@strawberry.type
class Money:
    amount: Decimal
    currency: str


@strawberry.type
class Part:
    number: str
    name: str | None
    tags: list[str]


@strawberry.interface
class Row:
    sequence: int


@strawberry.type
class Line(Row):
    id: strawberry.ID = uuid_id()
    kind: Kind
    quantity: Decimal
    shipped: date | None
    price: Money
    discount: Money | None
    _id: strawberry.Private[UUID]
    _part: strawberry.Private[Any]

    @strawberry.field(graphql_type=Part | None, metadata=resolved_ahead("part_ahead"))
    def part(self) -> Part | Awaitable[Part | None] | None:
        RESOLVED.append(self.sequence)
        ahead = self.part_ahead
        return self._load() if isinstance(ahead, NotAhead) else ahead

    @property
    def part_ahead(self) -> Part | NotAhead | None:
        return NOT_AHEAD if self._part == "load" else self._part

    async def _load(self) -> Part:
        await asyncio.sleep(0)
        return Part(number="L-1", name="loaded", tags=[])


@strawberry.type
class Order:
    number: str
    total: Money
    lines: list[Line]
    notes: list[Line | None]


@dataclass
class Odd:
    """A row holding values the schema refuses."""

    sequence: Any = 1
    _id: Any = "1"  # written as the ID scalar writes any value
    kind: Any = Kind.ITEM
    quantity: Any = Decimal(1)
    shipped: Any = None
    price: Any = None
    discount: Any = None
    part_ahead: Any = None


def money(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


def line(sequence: int, part: Any = None, **changes: Any) -> Line:
    values: dict[str, Any] = {
        "sequence": sequence,
        "kind": Kind.ITEM if part is not None else Kind.COMMENT,
        "quantity": Decimal("2.50"),
        "shipped": date(2026, 5, 1) if sequence % 2 else None,
        "price": money("9.99"),
        "discount": money("1.00") if sequence == 2 else None,
        "_part": part,
        "_id": UUID(int=sequence),
    }
    values.update(changes)
    return Line(**values)


def order(number: str, lines: list[Any], notes: list[Any] | None = None) -> Order:
    return Order(number=number, total=money("100.00"), lines=lines, notes=notes or [None, lines[0]])


def part(number: str) -> Part:
    return Part(number=number, name=None if number.endswith("9") else f"part {number}", tags=["a", "b"])


@strawberry.type
class Query:
    @strawberry.field
    def orders(self) -> list[Order]:
        return [
            order("SO1", [line(1, part("P-1")), line(2), line(3, part("P-9"))]),
            order("SO2", [line(4, part("P-2")), line(5, "load")]),
        ]

    @strawberry.field
    def broken(self, at: str) -> list[Order]:
        """Orders with one wrong value in the middle of their lines."""
        wrong: dict[str, Any] = {
            "nullInNonNull": {"price": None},
            "scalarRefuses": {"sequence": "many"},
            "enumRefuses": {"kind": "green"},
            "notAList": {},
            "wrongType": {},
            "nullPart": {},
        }[at]
        middle: Any = line(2, part("P-2"), **wrong)
        if at == "wrongType":
            middle = Odd()
        lines: Any = [line(1, part("P-1")), middle, line(3, part("P-3"))]
        if at == "notAList":
            lines = (line for line in lines)
        if at == "nullPart":
            lines[1] = line(2, Part(number=None, name="x", tags=[]))  # type: ignore[arg-type]
        return [order("SO1", [line(1)]), order("SO2", lines), order("SO3", [line(9)])]


schema = strawberry.Schema(
    query=Query, types=[Line], config=strawberry.schema.config.StrawberryConfig(scalar_map=SCALARS)
)

RICH = """
query Rich($withParts: Boolean!, $skipTotals: Boolean!) {
  orders {
    __typename
    n: number
    total @skip(if: $skipTotals) { amount currency }
    lines {
      ...LineFields
      ... on Line { again: sequence part @include(if: $withParts) { __typename number name tags } }
      ... on Row { sequence }
    }
    notes { sequence kind discount { amount } }
  }
}
fragment LineFields on Line {
  __typename id sequence kind quantity shipped price { amount currency } discount { c: currency amount }
}
"""
VARIABLES = [
    {"withParts": True, "skipTotals": False},
    {"withParts": False, "skipTotals": True},
]
BROKEN = [
    "nullInNonNull",
    "scalarRefuses",
    "enumRefuses",
    "notAList",
    "wrongType",
    "nullPart",
]


async def run(
    query: str, variables: dict[str, Any] | None, executor: type[StrawberryGraphQLCoreExecutionContext]
) -> ExecutionResult:
    result = execute(schema._schema, parse(query), variable_values=variables, executor_class=executor)
    return await result if asyncio.iscoroutine(result) else result  # type: ignore[return-value]


def answer(result: ExecutionResult) -> str:
    """The answer as a client reads it: JSON, keys in order."""
    return json.dumps(result.formatted)


async def both(query: str, variables: dict[str, Any] | None = None) -> tuple[str, str]:
    compiled = await run(query, variables, PlainFieldExecutor)
    graphql_cores = await run(query, variables, StrawberryGraphQLCoreExecutionContext)
    return answer(compiled), answer(graphql_cores)


@pytest.mark.anyio
@pytest.mark.parametrize("variables", VARIABLES)
async def test_a_rich_document_is_answered_as_graphql_core_answers_it(variables: dict[str, Any]) -> None:
    compiled, graphql_cores = await both(RICH, variables)

    assert compiled == graphql_cores
    assert '"errors"' not in compiled


@pytest.mark.anyio
@pytest.mark.parametrize("at", BROKEN)
async def test_a_wrong_value_in_the_middle_of_a_list_is_reported_as_graphql_core_reports_it(at: str) -> None:
    query = f"""{{ broken(at: "{at}") {{ number lines {{
        id sequence kind quantity price {{ amount }} part {{ number name }} }} }} }}"""

    compiled, graphql_cores = await both(query)

    assert compiled == graphql_cores
    assert '"errors"' in compiled


@pytest.mark.anyio
async def test_an_item_that_came_with_its_line_is_read_without_its_resolver() -> None:
    RESOLVED.clear()
    query = "{ orders { lines { sequence part { number } } } }"

    result = await run(query, None, PlainFieldExecutor)

    assert result.errors is None
    parts = [line["part"] for order in result.data["orders"] for line in order["lines"]]  # type: ignore[index]
    assert parts == [{"number": "P-1"}, None, {"number": "P-9"}, {"number": "P-2"}, {"number": "L-1"}]
    assert RESOLVED == [5]  # only the line whose part was not at hand


@pytest.mark.anyio
async def test_one_parsed_document_run_again_with_other_variables_answers_for_those_variables() -> None:
    # The gateway parses a document once and executes the same nodes for every request that
    # sends it: what a selection compiles to for one request's variables must not answer another's.
    document = parse(RICH)
    for variables in [*VARIABLES, *VARIABLES]:
        result = execute(
            schema._schema, document, variable_values=variables, executor_class=PlainFieldExecutor
        )
        compiled = answer(await result if asyncio.iscoroutine(result) else result)  # type: ignore[arg-type]

        assert compiled == (await both(RICH, variables))[1]


@pytest.mark.anyio
async def test_one_parsed_document_without_variables_answers_the_same_each_time() -> None:
    document = parse("{ orders { n: number lines { sequence part { number } } } }")
    answers = []
    for _ in range(3):
        result = execute(schema._schema, document, executor_class=PlainFieldExecutor)
        answers.append(answer(await result if asyncio.iscoroutine(result) else result))  # type: ignore[arg-type]

    assert answers[0] == answers[1] == answers[2]
    assert answers[0] == (await both("{ orders { n: number lines { sequence part { number } } } }"))[1]
