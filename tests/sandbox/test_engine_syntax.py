"""The two small languages the engine reads itself: AL filter values and $expand's nesting."""

from __future__ import annotations

import pytest

from gateway.sandbox.errors import SandboxError
from gateway.sandbox.odata.alfilter import al_match
from gateway.sandbox.odata.options import OrderKey, parse_expand


@pytest.mark.parametrize(
    ("value", "expression", "matches"),
    [
        ("Association", "Ass*", True),
        ("Ass", "Ass*", True),
        ("association", "Ass*", False),
        ("association", "@Ass*", True),
        ("A1", "A?", True),
        ("A12", "A?", False),
        ("20000", "10000|20000", True),
        ("30000", "10000..20000", False),
        ("15000", "10000..20000", True),
        ("15000", "..20000", True),
        ("15000", "16000..", False),
        ("SO/1001", "SO/1001", True),
        ("x", "<>x", False),
        ("b", ">a", True),
        ("O'Brien & Sons", "O'Brien & Sons", False),
        ("a.b", "a.b", True),
        ("axb", "a.b", False),
    ],
)
def test_al_filter_values(value: str, expression: str, matches: bool) -> None:
    assert al_match(value, expression) is matches


def test_expand_items_with_nested_options() -> None:
    [lines, customer] = parse_expand(
        "salesOrderLines($select=a,b;$filter=description eq 'x;y(z),w';$orderby=sequence desc,a;$top=2;"
        "$skip=1;$expand=item($select=number)),customer"
    )
    assert lines.navigation == "salesOrderLines"
    assert lines.options.select == ("a", "b")
    assert lines.options.filter == "description eq 'x;y(z),w'"
    assert lines.options.orderby == (OrderKey("sequence", descending=True), OrderKey("a"))
    assert (lines.options.top, lines.options.skip) == (2, 1)
    [item] = lines.options.expand
    assert (item.navigation, item.options.select) == ("item", ("number",))
    assert customer.navigation == "customer"
    assert customer.options.select is None


@pytest.mark.parametrize(
    "text", ["lines(", "lines($select=a", "lines(select=a)", "bad name", "lines($top=x)"]
)
def test_malformed_expand_is_refused(text: str) -> None:
    with pytest.raises(SandboxError) as raised:
        parse_expand(text)
    assert raised.value.status == 400
