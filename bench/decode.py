"""Decoding BC's JSON into models: one realistic page, several decoders, printed as a table.

The page is what the gateway asks BC for "1,000 orders with their lines and each line's item":
``salesOrders`` with ``$expand=salesOrderLines($expand=item($expand=itemCategory,unitOfMeasure))``,
exactly as the gateway's query shapes select it.  It is read from the embedded sandbox (real
rows of its demo world, through its HTTP API) and repeated until it holds 1,000 orders of 10
lines each; every decoder gets the same bytes and must give the same orders.

Decoders compared (CPU time per page, best of ``--repeats``; memory the models hold):

- the gateway's: ``msgspec`` ``Struct`` models (``gateway/bc/_entity.py``), one typed
  ``Decoder`` per model, BC's blanks turned into ``None`` by a function compiled per model;
- ``orjson`` + slotted frozen dataclasses with the same fields (read from the gateway's
  declarations), each field converted by a function chosen by its type;
- the bare parsers (``json``, ``msgspec`` into dicts), as floors.

Before the models were declared once (commit "bench: decode.py measures…"), the gateway used
stdlib ``json`` (``parse_float=Decimal``) and a hand-written ``from_json`` per model: 731 ms
for this page, against 137 ms for a first msgspec prototype (README, Benchmarks).

Run: .venv/bin/python bench/decode.py [--orders 1000] [--lines 10] [--repeats 5]
(``orjson`` is not a dependency of the gateway: ``pip install orjson`` to include it.)
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import sys
import time
import tracemalloc
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.bc import Entity, Field, NonEmpty, SalesOrder
from gateway.bc._entity import PageReader
from gateway.loaders.documents import ORDERS
from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.config import SandboxConfig
from gateway.sandbox.transport import sandbox_transport

SANDBOX = "http://sandbox.bench"
API = f"{SANDBOX}/v2.0/sandbox/production/api/v2.0"


async def sandbox_page(scale: float) -> dict[str, Any]:
    """One customer's orders with lines and items, as the sandbox answers the gateway's query."""
    config = SandboxConfig(scale=scale)
    app = create_sandbox_app(config)
    async with httpx.AsyncClient(transport=sandbox_transport(app), base_url=SANDBOX) as http:
        token = await http.post(
            f"/{config.tenant}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": config.client_id,
                "client_secret": config.client_secret,
                "scope": "https://api.businesscentral.dynamics.com/.default",
            },
        )
        http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        company = (await http.get(f"{API}/companies")).json()["value"][0]["id"]
        customers = (await http.get(f"{API}/companies({company})/customers")).json()["value"]
        best: dict[str, Any] = {"value": []}
        for customer in customers[:8]:
            query = ORDERS.query(filter=Field("customerNumber").eq(customer["number"]), with_items=True)
            response = await http.get(f"{API}/companies({company})/salesOrders", params=query.params())
            response.raise_for_status()
            page = response.json(parse_float=Decimal)
            if len(page["value"]) > len(best["value"]):
                best = page
        return best


def tile(page: dict[str, Any], orders: int, lines: int) -> bytes:
    """``orders`` orders of ``lines`` lines each, cycling the sandbox's orders and lines."""
    source_orders = [row for row in page["value"] if row.get("salesOrderLines")]
    source_lines = [line for row in source_orders for line in row["salesOrderLines"]]
    if not source_orders or not any(line.get("item") for line in source_lines):
        raise SystemExit("the sandbox gave no orders with item lines: try a larger --scale")
    out = []
    for index in range(orders):
        order = dict(source_orders[index % len(source_orders)])
        order["number"] = f"B{index:06d}"
        order["salesOrderLines"] = [
            {**source_lines[(index * lines + n) % len(source_lines)], "sequence": (n + 1) * 10000}
            for n in range(lines)
        ]
        out.append(order)
    # msgspec writes Decimal as a JSON number with its exact digits, as BC does.
    return msgspec.json.Encoder(decimal_format="number").encode({**page, "value": out})


# --- the gateway: msgspec Structs, one typed Decoder per model ----------------------------------


def gateway_decoder() -> Callable[[bytes], list[Any]]:
    read = PageReader(SalesOrder)
    return lambda content: read(content)[0]


# --- the alternative: orjson + slotted dataclasses, fields taken from the same declarations ------


def model_fields(model: type[Entity]) -> list[tuple[str, str, Any]]:
    """Each field's attribute, BC name and type, as the gateway declares them."""
    return [(item.name, item.encode_name, item.type) for item in msgspec.structs.fields(model)]


def optional(hint: Any) -> tuple[Any, bool]:
    """``(T, True)`` for ``T | None`` (``Annotated`` unwrapped), ``(T, False)`` otherwise."""
    if typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    if isinstance(hint, types.UnionType):
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return args[0], True
    return hint, False


def nested_model(hint: Any) -> tuple[type[Entity], bool] | None:
    """The model of a navigation property, and whether it is a collection."""
    inner, _ = optional(hint)
    if isinstance(inner, type) and issubclass(inner, Entity):
        return inner, False
    if typing.get_origin(inner) is tuple:
        return typing.get_args(inner)[0], True
    return None


def empty_is_none(hint: Any) -> bool:
    return hint == NonEmpty


def _guid(value: Any) -> UUID | None:
    guid = UUID(value) if value is not None else None
    return None if guid is None or guid.int == 0 else guid


def _date(value: Any) -> date | None:
    day = date.fromisoformat(value) if value is not None else None
    return None if day is None or day == date.min else day


def _datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.year == 1:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _decimal(value: Any) -> Decimal:
    # orjson reads JSON numbers as floats: repr gives their shortest decimal, exact to ~15 digits.
    return Decimal(0) if value is None else Decimal(repr(value) if type(value) is float else value)


def converter(hint: Any, made: dict[type, Any]) -> Callable[[Any], Any]:
    nested = nested_model(hint)
    if nested is not None:
        build = dataclass_of(nested[0], made)
        if nested[1]:
            return lambda rows: None if rows is None else tuple(build(row) for row in rows)
        return lambda row: None if row is None else build(row)
    base, _ = optional(hint)
    if empty_is_none(hint):
        return lambda value: value or None
    simple: dict[Any, Callable[[Any], Any]] = {
        UUID: _guid,
        date: _date,
        datetime: _datetime,
        Decimal: _decimal,
        bool: bool,
        int: int,
        str: lambda value: value,
    }
    if base in simple:
        return simple[base]
    if isinstance(base, type) and issubclass(base, Enum):
        return lambda value: base("" if value is None else value)
    raise TypeError(f"no converter for {hint}")


def dataclass_of(model: type[Entity], made: dict[type, Any]) -> Callable[[dict[str, Any]], Any]:
    if model in made:
        return made[model]  # type: ignore[no-any-return]
    fields = model_fields(model)
    cls = dataclasses.make_dataclass(model.__name__, [name for name, _, _ in fields], frozen=True, slots=True)
    steps = [(key, converter(hint, made)) for _, key, hint in fields]

    def build(row: dict[str, Any]) -> Any:
        return cls(*[convert(row.get(key)) for key, convert in steps])

    made[model] = build
    return build


def orjson_decoder() -> Callable[[bytes], list[Any]] | None:
    try:
        import orjson  # optional: not a dependency of the gateway
    except ImportError:
        return None
    build = dataclass_of(SalesOrder, {})
    return lambda content: [build(row) for row in orjson.loads(content)["value"]]


# --- measuring --------------------------------------------------------------------------------


def cpu_seconds(decode: Callable[[bytes], Any], content: bytes, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        result = decode(content)
        best = min(best, time.process_time() - started)
        del result
    return best


def held_bytes(decode: Callable[[bytes], Any], content: bytes) -> int:
    gc.collect()
    tracemalloc.start()
    result = decode(content)
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return held


def same_orders(expected: list[Any], got: list[Any]) -> bool:
    """Every decoder must read the page the same way (blanks, enums, decimals, dates)."""

    def view(order: Any) -> tuple[Any, ...]:
        lines = tuple(
            (
                line.id,
                line.line_type,
                line.quantity,
                line.amount_including_tax,
                line.shipment_date,
                line.item.number if line.item else None,
                line.item.unit_price if line.item else None,
            )
            for line in order.lines
        )
        return (
            order.id,
            order.number,
            order.status,
            order.order_date,
            order.requested_delivery_date,
            order.total_amount_including_tax,
            order.last_modified_date_time,
            lines,
        )

    return [view(o) for o in expected] == [view(o) for o in got]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scale", type=float, default=0.2, help="size of the sandbox's demo world")
    args = parser.parse_args()
    content = tile(asyncio.run(sandbox_page(args.scale)), args.orders, args.lines)
    rows = args.orders * (1 + 2 * args.lines)  # each order, its lines and their items
    expected = gateway_decoder()(content)
    candidates: list[tuple[str, Callable[[bytes], Any] | None, bool]] = [
        ("gateway: msgspec Structs", gateway_decoder(), True),
        ("orjson + slotted dataclasses", orjson_decoder(), True),
        ("floor: json.loads into dicts", lambda c: json.loads(c, parse_float=Decimal), False),
        ("floor: msgspec into dicts", msgspec.json.decode, False),
    ]
    print(f"\none page: {args.orders:,} orders x {args.lines} lines with items, {len(content) / 1e6:.1f} MB")
    print(f"{'decoder':<34} {'CPU ms':>8} {'µs/row':>7} {'held MB':>8} {'B/row':>6}  same models")
    for name, decode, models in candidates:
        if decode is None:
            print(f"{name:<34} {'(not installed: pip install orjson)':>44}")
            continue
        seconds = cpu_seconds(decode, content, args.repeats)
        held = held_bytes(decode, content)
        same = ("yes" if same_orders(expected, decode(content)) else "NO") if models else "-"
        print(
            f"{name:<34} {seconds * 1000:>8.0f} {seconds * 1e6 / rows:>7.2f} {held / 1e6:>8.1f} "
            f"{held / rows:>6.0f}  {same}"
        )
    print(f"(a row: an order, a line or a line's item with its category and unit; {rows:,} per page)")


if __name__ == "__main__":
    main()
