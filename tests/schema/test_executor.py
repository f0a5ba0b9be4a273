"""The plain-field executor answers exactly what Strawberry's executor answers — data, errors,
error paths, nulls propagated to the nearest nullable parent — while reading plain fields without
a resolver call each."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import strawberry
from graphql import ExecutionResult, execute, parse
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.schema.executor import PlainFieldExecutor
from gateway.schema.scalars import SCALARS


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Price:
    amount: Decimal
    currency: str


@strawberry.interface
class Thing:
    name: str


@strawberry.type
class Part(Thing):
    quantity: Decimal
    colour: Colour
    tags: list[str]
    price: Price
    discount: Price | None
    note: str | None
    required: str  # sometimes None, against the schema: an error, propagated like graphql-core's

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    async def later(self) -> int:
        await asyncio.sleep(0)
        return len(self.name)


@dataclass
class Broken:
    """A row whose values the schema refuses."""

    name: str = "broken"
    quantity: Any = "many"
    colour: Any = "green"
    tags: Any = ("a", None)
    price: Any = None
    discount: Any = None
    note: Any = None
    required: Any = None


def part(name: str, *, required: str | None = "yes", discount: Price | None = None) -> Part:
    return Part(
        name=name,
        quantity=Decimal("2.50"),
        colour=Colour.BLUE,
        tags=["x", "y"],
        price=Price(amount=Decimal("9.99"), currency="EUR"),
        discount=discount,
        note=None,
        required=required,  # type: ignore[arg-type]
    )


@strawberry.type
class Query:
    @strawberry.field
    def parts(self) -> list[Part]:
        return [part("a", discount=Price(amount=Decimal(1), currency="EUR")), part("b")]

    @strawberry.field
    def half_broken(self) -> list[Part | None]:
        return [part("ok"), part("missing", required=None)]

    @strawberry.field
    def broken(self) -> Part | None:
        return Broken()  # type: ignore[return-value]

    @strawberry.field
    def things(self) -> list[Thing]:
        return [part("interface")]


schema = strawberry.Schema(
    query=Query, types=[Part], config=strawberry.schema.config.StrawberryConfig(scalar_map=SCALARS)
)

QUERIES = [
    "{ parts { name quantity colour tags price { amount currency } discount { amount } note shout later } }",
    "{ halfBroken { name required price { amount } } }",
    "{ broken { name } }",
    "{ broken { quantity } }",
    "{ broken { colour } }",
    "{ broken { tags } }",
    "{ broken { price { amount } } }",
    "{ things { name ... on Part { quantity price { currency } } } }",
    "{ a: parts { n: name } b: parts { price { c: currency } } }",
]


async def run(query: str, executor: type[StrawberryGraphQLCoreExecutionContext]) -> ExecutionResult:
    result = execute(schema._schema, parse(query), executor_class=executor)
    return await result if asyncio.iscoroutine(result) else result  # type: ignore[return-value]


@pytest.mark.anyio
@pytest.mark.parametrize("query", QUERIES)
async def test_the_answer_is_strawberrys_to_the_last_error(query: str) -> None:
    plain = await run(query, PlainFieldExecutor)
    strawberrys = await run(query, StrawberryGraphQLCoreExecutionContext)

    assert plain.data == strawberrys.data
    assert [e.formatted for e in plain.errors or ()] == [e.formatted for e in strawberrys.errors or ()]


@pytest.mark.anyio
async def test_plain_fields_are_read_without_a_resolver_call(monkeypatch: pytest.MonkeyPatch) -> None:
    infos: list[str] = []
    build = StrawberryGraphQLCoreExecutionContext.build_resolve_info

    def counted(self: Any, field: Any, nodes: Any, parent: Any, path: Any) -> Any:
        infos.append(f"{parent.name}.{nodes[0].name.value}")
        return build(self, field, nodes, parent, path)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "build_resolve_info", counted)
    query = "{ parts { name quantity colour tags price { amount currency } shout } }"

    result = await run(query, PlainFieldExecutor)
    plain = list(infos)
    infos.clear()
    await run(query, StrawberryGraphQLCoreExecutionContext)

    assert result.errors is None
    # Only the fields with resolvers: the root list and each part's `shout`.
    assert plain == ["Query.parts", "Part.shout", "Part.shout"]
    assert len(infos) == 1 + 2 * 8  # every field of both parts, `price`'s two included
