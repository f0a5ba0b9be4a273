"""Operation limits are measured on the document, over the real schema, before anything runs."""

from __future__ import annotations

import pytest
from graphql import parse

from gateway.edge.limits import OperationLimits, OperationRejected, OperationReport, check_operation
from gateway.schema import schema

LIMITS = OperationLimits()


def measure(document: str, variables: dict[str, object] | None = None, **limits: int) -> OperationReport:
    return check_operation(
        parse(document),
        schema._schema,
        OperationLimits(**limits) if limits else LIMITS,
        operation_name=None,
        variables=variables,
    )


def rejected_limit(document: str, variables: dict[str, object] | None = None, **limits: int) -> str | None:
    with pytest.raises(OperationRejected) as caught:
        measure(document, variables, **limits)
    return caught.value.limit


def test_a_connection_multiplies_what_is_below_its_nodes_by_first() -> None:
    small = measure("{ orders(first: 2) { nodes { number lines { item { number } } } } }")
    large = measure("{ orders(first: 10) { nodes { number lines { item { number } } } } }")
    # orders 1 + first nodes + first × (20 lines (the default list size) + 20 items)
    assert small.cost == 1 + 2 + 2 * (20 + 20)
    assert large.cost - 1 == 5 * (small.cost - 1)


def test_first_from_a_variable_and_the_default_page_size_count() -> None:
    by_variable = measure("query($n: Int) { orders(first: $n) { nodes { number } } }", {"n": 7})
    by_default = measure("{ orders { nodes { number } } }")
    assert by_variable.cost == 1 + 7 * 1
    assert by_default.cost == 1 + LIMITS.default_page_size * 1


def test_a_variable_default_value_is_used_when_the_variable_is_absent() -> None:
    report = measure("query($n: Int = 3) { invoices(first: $n) { nodes { number } } }")
    assert report.cost == 1 + 3


def test_first_above_the_maximum_page_size_is_refused_on_every_connection() -> None:
    for field in ("orders", "invoices", "shipments", "items"):
        assert rejected_limit(f"{{ {field}(first: 101) {{ nodes {{ number }} }} }}") == "pageSize"


def test_a_repeated_fragment_counts_every_time_it_is_spread() -> None:
    once = measure("{ ...F } fragment F on Query { a: me { number } }")
    twice = measure("{ ...F ...F } fragment F on Query { a: me { number } }")
    assert (once.aliases, once.root_fields) == (1, 1)
    assert (twice.aliases, twice.root_fields) == (2, 2)


def test_a_fragment_bomb_is_measured_without_expanding_it_and_refused() -> None:
    levels = 30  # 2**30 expansions: a checker that expanded them would never return
    fragments = " ".join(f"fragment F{i} on Customer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    document = f"{{ me {{ ...F0 }} }} {fragments} fragment F{levels} on Customer {{ n: number }}"
    assert rejected_limit(document) == "aliases"


def test_every_expansion_of_a_spread_costs_even_over_scalars_on_any_type() -> None:
    # Issue 9's bomb: no alias, no object below the spreads; it used to cost 1.
    levels = 20
    fragments = " ".join(f"fragment C{i} on Customer {{ ...C{i + 1} ...C{i + 1} }}" for i in range(levels))
    document = f"{{ me {{ ...C0 }} }} {fragments} fragment C{levels} on Customer {{ number }}"
    assert rejected_limit(document) == "cost"
    nested = "{ orders(first: 3) { nodes { lines { ...L } } } } fragment L on SalesOrderLine { number }"
    # orders 1 + 3 nodes + 3 × 20 lines, and the spread once per line.
    assert measure(nested).cost == 1 + 3 + 3 * 20 + 3 * 20


@pytest.mark.parametrize(
    ("document", "limit"),
    [
        ("{ me { number } }", None),
        ("{ " + " ".join(f"a{i}: me {{ number }}" for i in range(31)) + " }", "aliases"),
        ("{ " + " ".join(f"a{i}: __typename" for i in range(11)) + " }", "rootFields"),
        ("{ me { number @include(if: true) " + "@skip(if: false) " * 20 + "} }", "directives"),
        (
            "{ orders(first: 100) { nodes { lines { item { number } } } } invoices(first: 100) "
            "{ nodes { lines { item { number } } } } }",
            "cost",
        ),
    ],
)
def test_each_limit_names_itself(document: str, limit: str | None) -> None:
    if limit is None:
        assert measure(document).cost >= 1
    else:
        assert rejected_limit(document) == limit


def test_root_fields_are_counted_through_fragments() -> None:
    fields = " ".join(f"f{i}: __typename" for i in range(11))
    assert rejected_limit(f"{{ ...F }} fragment F on Query {{ {fields} }}", max_aliases=100) == "rootFields"


def test_depth_counts_levels_of_fields() -> None:
    assert measure("{ orders { nodes { lines { item { number } } } } }").depth == 5
    assert rejected_limit("{ orders { nodes { lines { item { number } } } } }", max_depth=4) == "depth"


def test_a_fragment_that_spreads_itself_is_refused_without_recursing_forever() -> None:
    with pytest.raises(OperationRejected) as caught:
        measure("{ me { ...F } } fragment F on Customer { number ...F }")
    assert caught.value.code == "GRAPHQL_VALIDATION_FAILED"


def test_the_message_names_the_limit_not_the_measurement() -> None:
    with pytest.raises(OperationRejected) as caught:
        measure("{ " + " ".join(f"a{i}: me {{ number }}" for i in range(31)) + " }")
    assert "31" not in str(caught.value)
    assert "30" in str(caught.value)


def test_fields_repeated_at_one_level_are_counted_through_fragments_and_bounded() -> None:
    # Validation compares same-named fields pairwise: 450 copies of this took it a second.
    assert rejected_limit("{ me { " + "address { city } " * 60 + "} }") == "repeatedFields"
    spread = " ".join(f"...F{i}" for i in range(60))
    fragments = " ".join(f"fragment F{i} on Customer {{ address {{ city }} }}" for i in range(60))
    assert rejected_limit(f"{{ me {{ {spread} }} }} {fragments}") == "repeatedFields"
    nested = "{ me { " + ("address { " + "city " * 5 + "} ") * 5 + "} }"
    assert measure(nested).repeated_fields == 4 + 5 * 4
    # What front ends write: fragments overlapping on a few fields, aliases for the rest.
    overlapping = """{ orders(first: 5) { nodes { number ...Card ...Detail } } }
        fragment Card on SalesOrder { number status lines { sequence } }
        fragment Detail on SalesOrder { number lines { sequence quantity } }"""
    assert measure(overlapping).repeated_fields == 2 + 1
    assert measure("{ me { a: address { city } b: address { city } } }").repeated_fields == 0
