"""The error codes clients see are declared once (gateway/schema/error_codes.py), explained for
each, and docs/errors.md lists exactly that declaration."""

from __future__ import annotations

import ast
from pathlib import Path

from gateway.schema.error_codes import MEANINGS, ErrorCode, markdown_table

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "errors.md"
START, END = "<!-- error-codes:start", "<!-- error-codes:end -->"


def test_every_code_has_its_meaning() -> None:
    assert set(MEANINGS) == set(ErrorCode)
    assert all(code.value == code.name for code in ErrorCode)


def test_the_docs_list_is_the_declaration() -> None:
    text = DOCS.read_text(encoding="utf-8")
    listed = text[text.index("\n", text.index(START)) + 1 : text.index(END)]
    expected = markdown_table()
    assert listed == expected, (
        "docs/errors.md differs from gateway/schema/error_codes.py; put this between its markers:\n"
        + expected
    )


def test_no_code_is_written_as_a_bare_string() -> None:
    """``{"code": "SOMETHING"}`` would bypass the declaration (helpers take an ErrorCode, which the
    type checker enforces; a dict literal is the one place it could not)."""
    found = []
    for path in (ROOT / "gateway").rglob("*.py"):
        if {"sandbox", "bc"} & set(path.relative_to(ROOT / "gateway").parts[:1]):
            continue  # Business Central's own codes (the sandbox speaks as BC; the client reads BC)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    is_code = isinstance(key, ast.Constant) and key.value == "code"
                    if is_code and isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
