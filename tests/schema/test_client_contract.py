"""What generated clients and normalised caches rely on in the schema."""

from __future__ import annotations

from graphql import GraphQLNonNull, GraphQLScalarType

from gateway.schema import schema

GRAPHQL = schema._schema


def test_no_root_query_field_can_null_the_whole_answer() -> None:
    assert GRAPHQL.query_type is not None
    non_null = [
        name for name, field in GRAPHQL.query_type.fields.items() if isinstance(field.type, GraphQLNonNull)
    ]
    assert non_null == []


def test_custom_scalars_say_what_they_are() -> None:
    custom = [
        kind
        for name, kind in GRAPHQL.type_map.items()
        if isinstance(kind, GraphQLScalarType) and name not in ("String", "Int", "Float", "Boolean", "ID")
    ]
    assert {kind.name for kind in custom} == {"Date", "DateTime", "Decimal"}
    for kind in custom:
        assert (kind.specified_by_url or "").startswith("https://"), kind.name
        assert len(kind.description or "") > 40, kind.name


def test_each_idempotency_key_says_what_it_writes_once() -> None:
    written = {
        "PlaceOrderInput": "order",
        "ReorderInput": "order",
        "SubmitQueryInput": "query",
        "ReplyToQueryInput": "reply",
    }
    for input_type, what in written.items():
        description = GRAPHQL.get_type(input_type).fields["idempotencyKey"].description  # type: ignore[union-attr]
        assert f"one {what} per key" in description, (input_type, description)
