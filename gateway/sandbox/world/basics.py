"""Value helpers shared by the world's modules: GUIDs from the PRNG, BC's blank values, money."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
BLANK_DATE = "0001-01-01"
BLANK_ENUM = "_x0020_"
CENT = Decimal("0.01")
ZERO = Decimal(0)


def new_guid(rng: random.Random) -> str:
    """A lowercase GUID drawn from the world's PRNG, so the same seed gives the same ids."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def money(value: Decimal) -> Decimal:
    """Round to cents the way BC rounds amounts (half away from zero)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def bc_date(day: date | None) -> str:
    return day.isoformat() if day is not None else BLANK_DATE


def bc_datetime(day: date, rng: random.Random) -> str:
    """A working-hours timestamp on `day`, in BC's `...T08:15:02.123Z` form."""
    seconds = rng.randint(7 * 3600, 18 * 3600)
    hours, rest = divmod(seconds, 3600)
    return f"{day.isoformat()}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{rng.randint(0, 999):03d}Z"


def days_before(today: date, days: int) -> date:
    return today - timedelta(days=days)


def scaled(count: int, scale: float, floor: int) -> int:
    """`count` times `scale`, never below `floor` (small worlds still need every kind of record)."""
    return max(floor, round(count * scale))
