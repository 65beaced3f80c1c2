"""Pro-rata amounts by days. Pure: no Django.

A full period costs exactly the full price; a part of a period costs
`round_money(full × covered_days / period_days)`, where `period_days` is the length of THAT
period (28 to 31 days for a month, 365 or 366 for a year). Rounding happens once per line,
half up to cents, so a part never costs more than the whole and adjacent parts add up to the
whole within half a cent per part.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kontor.core.money import round_money

# (first day, last day, days) of the part of a period that is covered
Coverage = tuple[date, date, int]


def covered_part(
    period_start: date, period_end: date, service_start: date, service_end: date | None
) -> Coverage | None:
    """The intersection of a period with the service range [start, end]; None if empty."""
    first = service_start if service_start > period_start else period_start
    last = period_end if service_end is None or service_end > period_end else service_end
    if first > last:
        return None
    return first, last, (last - first).days + 1


def prorate(full: Decimal, covered_days: int, period_days: int) -> Decimal:
    """The rounded amount for `covered_days` of a period of `period_days` days."""
    if not 0 <= covered_days <= period_days:
        raise ValueError(f"covered_days must be within 0..{period_days}, got {covered_days}")
    if covered_days == period_days:
        return round_money(full)
    return round_money(full * covered_days / period_days)
