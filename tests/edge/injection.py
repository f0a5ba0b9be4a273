"""The OData-injection catalogue: strings that would change a BC query's meaning if concatenated."""

from __future__ import annotations

INJECTIONS: list[str] = [
    "'",
    "''",
    "%27",
    "%2527",
    "&$top=1",
    "#",
    "+",
    "%",
    "*",
    "|",
    "..",
    "@",
    ")",
    " eq ",
    "' or customerNumber ne '",
    "10000' or '1' eq '1",
    "ʼ",  # U+02BC modifier letter apostrophe
    "＇",  # U+FF07 fullwidth apostrophe
    "’",  # U+2019 right single quotation mark
    "＆$top=1",  # fullwidth ampersand
    "‥",  # U+2025 two dot leader
    "a" * 10_240,  # 10 KB
    "\u0000",
    "\\",
    "?$filter=true",
    "/../customers",
    "$expand=customer",
    "O'Brien & Söhne",
]
