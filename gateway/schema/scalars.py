"""The schema's custom scalars: ``Date``, ``DateTime`` and ``Decimal``, each with a description and a
``@specifiedBy`` URL, so that code generators and clients know their wire format.

A ``Date`` a client sends must be one Business Central can hold: BC keeps dates in SQL Server's
``datetime`` range, which starts on 1753-01-01 (its blank date, 0001-01-01, is "no date", never a
value), and no portal date is anywhere near BC's last day, 9999-12-31, so anything after
:data:`LATEST_DATE` is a typing mistake.  Such a date is refused while the request's values are
read, before anything runs (``BAD_USER_INPUT``), for every ``Date`` argument and input field.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition

EARLIEST_DATE = date(1753, 1, 1)
LATEST_DATE = date(2999, 12, 31)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def parse_date(value: Any) -> date:
    """A ``YYYY-MM-DD`` string between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("A Date is a string YYYY-MM-DD.")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError("A Date is a string YYYY-MM-DD of a day that exists.") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(
            f"Dates run from {EARLIEST_DATE.isoformat()} (the first day Business Central can hold) "
            f"to {LATEST_DATE.isoformat()}."
        )
    return day


def _parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("A DateTime is a string as RFC 3339 writes it, with an offset.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("A DateTime is a string as RFC 3339 writes it, with an offset.") from None
    if moment.tzinfo is None:
        raise ValueError("A DateTime needs its offset from UTC (Z or +hh:mm).")
    return moment


def _serialize_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_decimal(value: Any) -> Decimal:
    # A string keeps every digit; a JSON number is accepted as its text (integers, or a float's
    # shortest representation), as clients that send numbers expect.
    text = str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _DECIMAL.match(text):
        raise ValueError('A Decimal is a string of digits with an optional sign and fraction, e.g. "12.50".')
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError("A Decimal is a string of digits.") from None


DATE: ScalarDefinition = strawberry.scalar(
    name="Date",
    description=(
        "A calendar day, YYYY-MM-DD (RFC 3339 full-date), without a time zone: a business day in "
        f"Business Central.  Sent values must lie between {EARLIEST_DATE.isoformat()} and "
        f"{LATEST_DATE.isoformat()} (else BAD_USER_INPUT)."
    ),
    specified_by_url="https://ibm.github.io/graphql-specs/custom-scalars/date.html",
    serialize=date.isoformat,
    parse_value=parse_date,
)
DATE_TIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="An instant, RFC 3339 date-time in UTC, e.g. 2026-06-15T09:30:00Z.",
    specified_by_url="https://scalars.graphql.org/andimarek/date-time",
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
)
DECIMAL: ScalarDefinition = strawberry.scalar(
    name="Decimal",
    description=(
        'An exact decimal number as a string, e.g. "1234.50" (never a float: amounts and quantities '
        "keep every digit Business Central has).  Numbers are accepted as input too."
    ),
    specified_by_url="https://www.rfc-editor.org/rfc/rfc8259#section-6",
    serialize=str,
    parse_value=_parse_decimal,
)

# Python type → the scalar it is in the schema (StrawberryConfig.scalar_map).
SCALARS: dict[object, ScalarDefinition] = {date: DATE, datetime: DATE_TIME, Decimal: DECIMAL}
