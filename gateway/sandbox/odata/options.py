"""Query options of one request, including ``$expand``'s nested ``nav($select=…;$filter=…)`` syntax."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gateway.sandbox.errors import bad_request, query_syntax


@dataclass(frozen=True)
class OrderKey:
    property: str
    descending: bool = False


@dataclass(frozen=True)
class QueryOptions:
    filter: str | None = None
    select: tuple[str, ...] | None = None
    expand: tuple[ExpandItem, ...] = ()
    orderby: tuple[OrderKey, ...] = ()
    top: int | None = None
    skip: int | None = None
    skiptoken: str | None = None


@dataclass(frozen=True)
class ExpandItem:
    navigation: str
    options: QueryOptions


def parse_options(params: Mapping[str, str]) -> QueryOptions:
    """Options from decoded query parameters (top level) or from one ``$expand`` item's parentheses."""
    return QueryOptions(
        filter=params.get("$filter") or None,
        select=_select(params["$select"]) if "$select" in params else None,
        expand=parse_expand(params["$expand"]) if params.get("$expand") else (),
        orderby=_orderby(params["$orderby"]) if params.get("$orderby") else (),
        top=_count("$top", params.get("$top")),
        skip=_count("$skip", params.get("$skip")),
        skiptoken=params.get("$skiptoken"),
    )


def parse_expand(text: str) -> tuple[ExpandItem, ...]:
    return tuple(_expand_item(item) for item in split_top_level(text, ","))


def _expand_item(text: str) -> ExpandItem:
    text = text.strip()
    name, paren, rest = text.partition("(")
    if not paren:
        return ExpandItem(_name(name), QueryOptions())
    if not rest.endswith(")"):
        raise query_syntax(f"')' expected in $expand item '{text}'.")
    nested: dict[str, str] = {}
    for option in split_top_level(rest[:-1], ";"):
        key, equals, value = option.strip().partition("=")
        if not equals or not key.startswith("$"):
            raise query_syntax(f"Invalid $expand option '{option}'.")
        nested[key.strip().lower()] = value.strip()
    return ExpandItem(_name(name), parse_options(nested))


def split_top_level(text: str, separator: str) -> list[str]:
    """Split at ``separator`` outside parentheses and single-quoted literals."""
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted  # '' (an escaped quote) toggles twice
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and char == separator:
            parts.append(text[start:index])
            start = index + 1
    if depth != 0 or quoted:
        raise query_syntax(f"Unbalanced parentheses or quotes in '{text}'.")
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def _name(text: str) -> str:
    name = text.strip()
    if not name.isidentifier():
        raise query_syntax(f"Invalid name '{name}'.")
    return name


def _select(text: str) -> tuple[str, ...]:
    return tuple(_name(p) for p in text.split(",") if p.strip())


def _orderby(text: str) -> tuple[OrderKey, ...]:
    keys = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise query_syntax(f"Invalid $orderby '{part.strip()}'.")
        keys.append(OrderKey(_name(words[0]), len(words) == 2 and words[1].lower() == "desc"))
    return tuple(keys)


def _count(option: str, text: str | None) -> int | None:
    if text is None:
        return None
    if not text.strip().isdigit():
        raise bad_request(f"Invalid value '{text}' for the query option '{option}'.")
    return int(text)
