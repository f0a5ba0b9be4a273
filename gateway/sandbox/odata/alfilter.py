"""AL's filter language, which BC applies to the *values* inside OData string comparisons.

BC translates ``name eq 'Ass*'`` into the AL filter ``Ass*``, so characters that mean something in
AL filters change what a quoted OData literal matches (REFERENCE §14).  The sandbox reproduces this
so that a gateway passing raw user text gets the same wrong rows it would get from BC.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

_COMPARISONS = ("<>", "<=", ">=", "<", ">", "=")
_OPERATORS = re.compile(r"[|&*?@<>=()']|\.\.")


def al_match(value: str, expression: str, *, case_insensitive: bool = False) -> bool:
    """Whether ``value`` passes the AL filter ``expression`` (``|`` or, ``&`` and, ``..`` range,
    ``*``/``?`` wildcards, ``@`` case-insensitive, ``<>``/``<``/``>``/``<=``/``>=``/``=`` comparisons)."""
    return al_matcher(expression, case_insensitive)(value)


@functools.lru_cache(maxsize=4096)
def al_matcher(expression: str, case_insensitive: bool = False) -> Callable[[str], bool]:
    """``al_match`` for one expression, decided once: a filter applies it to every row, and most
    expressions are a plain value, which is a plain comparison."""
    if is_plain(expression):
        if case_insensitive:
            folded = expression.casefold()
            return lambda value: value.casefold() == folded
        return lambda value: value == expression
    return lambda value: any(_match_all(value, alt, case_insensitive) for alt in expression.split("|"))


def is_plain(expression: str) -> bool:
    """Whether the expression holds no AL filter operator: it matches exactly itself."""
    return not _OPERATORS.search(expression)


def _match_all(value: str, alternative: str, case_insensitive: bool) -> bool:
    return all(_match_one(value, part, case_insensitive) for part in alternative.split("&"))


def _match_one(value: str, term: str, case_insensitive: bool) -> bool:
    if term.startswith("@"):
        term, case_insensitive = term[1:], True
    if case_insensitive:
        value, term = value.casefold(), term.casefold()
    if ".." in term:
        low, high = term.split("..", 1)
        return (not low or value >= low) and (not high or value <= high)
    for op in _COMPARISONS:
        if term.startswith(op) and term != op:
            return _compare(value, op, term[len(op) :], case_insensitive)
    if "*" in term or "?" in term:
        return _wildcard(term).fullmatch(value) is not None
    return value == term


def _compare(value: str, op: str, operand: str, case_insensitive: bool) -> bool:
    if op == "<>":
        return not _match_one(value, operand, case_insensitive)
    if op == "=":
        return _match_one(value, operand, case_insensitive)
    return {"<=": value <= operand, ">=": value >= operand, "<": value < operand, ">": value > operand}[op]


@functools.lru_cache(maxsize=1024)
def _wildcard(term: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in term)
    return re.compile("".join(parts), re.DOTALL)
