"""``schema.graphql`` is an artefact: generated from the code, committed, and kept in step."""

from __future__ import annotations

from pathlib import Path

from gateway.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema.as_str() + "\n", (
        "schema.graphql is stale: run `bc-gateway export-schema`"
    )


def test_no_bc_encoded_enum_value_reaches_the_schema() -> None:
    text = schema.as_str()
    assert "_x0020_" not in text
    assert "_x002" not in text


def test_no_argument_can_name_a_customer() -> None:
    query_type = schema.get_type_by_name("Query")
    assert query_type is not None
    for field in query_type.fields:  # type: ignore[attr-defined]
        for argument in field.arguments:
            assert "customer" not in argument.python_name.lower(), field.name
