"""Write results survive the shared key store: encoded to bytes and read back equal, exactly.

A replay must answer what the write answered — the same amounts to the last digit, the same
dates and time offsets — on any replica, for 24 hours.  What does not fit is refused loudly.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from gateway.bc import (
    CustomerQuery,
    InvoiceLineType,
    Item,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)
from gateway.resolvers.writes.codec import WRITE_RESULTS, CodecError
from gateway.resolvers.writes.results import LineProblem, LineProblemCode, OrderPlaced, QueryWritten

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def _order() -> SalesOrder:
    """A real tenant's order (captured), with a documented line that carries its item."""
    row = _load(FIXTURES / "captured" / "salesOrders.json")["value"][0]
    line = _load(FIXTURES / "samples" / "salesOrderLine_get_response.json")
    line["item"] = _load(FIXTURES / "samples" / "item_get_response.json")
    comment = {**line, "id": "2e8cb9c0-44e3-ea11-bb43-000d3a2feca1", "lineType": "Comment", "item": None}
    return SalesOrder.from_row({**row, "salesOrderLines": [line, comment]})


def _placed() -> OrderPlaced:
    problem = LineProblem(20000, "1900-S", LineProblemCode.ITEM_BLOCKED, "Blocked — zablokowany", index=1)
    return OrderPlaced(_order(), skipped_lines=(problem,), found_existing=True)


def _query() -> QueryWritten:
    return QueryWritten(
        CustomerQuery.from_row(
            {
                "id": "5b0f5c9c-44e3-ea11-bb43-000d3a2feca1",
                "number": "Q-0001",
                "customerNumber": "10000",
                "category": "Statement_x0020_Dispute",
                "subject": "Zażółć gęślą jaźń",
                "status": "Something newer",  # a status this version does not know: UNKNOWN
                "relatedDocumentType": "Sales_x0020_Invoice",
                "relatedDocumentNumber": "103001",
                "createdDateTime": "2026-06-15T09:30:01.123456+02:00",
                "lastModifiedDateTime": None,
                "customerQueryMessages": [
                    {
                        "id": "6b0f5c9c-44e3-ea11-bb43-000d3a2feca1",
                        "queryId": None,
                        "sequence": 1,
                        "authorType": "Customer",
                        "authorName": "",
                        "body": "Line one\nline two \u2603",
                        "createdDateTime": "2026-06-15T07:30:01Z",
                    }
                ],
            }
        )
    )


@pytest.mark.parametrize(
    "result", [_placed(), _query(), "6b0f5c9c-44e3-ea11-bb43-000d3a2feca1"], ids=["order", "query", "id"]
)
def test_a_result_reads_back_equal(result: Any) -> None:
    assert WRITE_RESULTS.decode(WRITE_RESULTS.encode(result)) == result


def test_amounts_keep_their_exact_digits_and_dates_their_offsets() -> None:
    order = msgspec.structs.replace(
        _order(),
        total_amount_including_tax=Decimal("1234.50"),
        discount_amount=Decimal("-0.00001"),
    )
    back = WRITE_RESULTS.decode(WRITE_RESULTS.encode(OrderPlaced(order)))
    assert isinstance(back, OrderPlaced)
    assert str(back.order.total_amount_including_tax) == "1234.50"
    assert str(back.order.discount_amount) == "-0.00001"
    stamp, stamp_back = order.last_modified_date_time, back.order.last_modified_date_time
    assert stamp is not None
    assert stamp_back is not None
    assert (stamp_back, stamp_back.utcoffset()) == (stamp, stamp.utcoffset())
    assert back.order.order_date == order.order_date
    assert back.order.status is order.status is SalesOrderStatus.DRAFT
    assert back.order.lines is not None
    assert back.order.lines[1].line_type is InvoiceLineType.COMMENT
    assert isinstance(back.order.lines[0].item, Item)


def test_an_unknown_enum_value_reads_back_as_unknown() -> None:
    back = WRITE_RESULTS.decode(WRITE_RESULTS.encode(_query()))
    assert isinstance(back, QueryWritten)
    assert back.query.status.name == "UNKNOWN"


def test_a_value_of_the_wrong_type_is_refused_when_it_is_stored() -> None:
    order = msgspec.structs.replace(_order(), total_tax_amount=1.5)  # type: ignore[arg-type]
    with pytest.raises(CodecError, match="Decimal"):
        WRITE_RESULTS.encode(OrderPlaced(order))
    with pytest.raises(CodecError, match="cannot store"):
        WRITE_RESULTS.encode(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        lambda doc: doc.update(kind="invoice"),
        lambda doc: doc["value"]["order"].pop("number"),
        lambda doc: doc["value"]["order"].update(extra=1),
        lambda doc: doc["value"]["order"].update(discount_amount="1,5"),
        lambda doc: doc["value"]["order"]["lines"][0].update(sequence=True),
        lambda doc: doc["value"].update(found_existing="yes"),
    ],
    ids=["unknown kind", "missing field", "extra field", "bad decimal", "bool for int", "text for bool"],
)
def test_a_stored_record_that_does_not_fit_is_refused(change: Any) -> None:
    document = json.loads(WRITE_RESULTS.encode(_placed()))
    change(document)
    with pytest.raises(CodecError):
        WRITE_RESULTS.decode(json.dumps(document).encode())


def test_the_lines_and_their_types_are_what_the_order_declares() -> None:
    order = _order()
    assert order.lines is not None
    assert all(isinstance(line, SalesOrderLine) for line in order.lines)
