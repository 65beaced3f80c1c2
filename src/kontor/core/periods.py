"""Calendar arithmetic for contract periods. Pure: no Django.

`months_end` follows German civil law (BGB §188 Abs. 2, 3): a period of n months that starts
on day D ends on the day before day D of the n-th following month, or on that month's last
day when it has no day D (a term starting 31 Jan ends 28/29 Feb, not 2/3 Mar).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def last_day_of_month(d: date) -> date:
    return d.replace(day=days_in_month(d.year, d.month))


def _shift_month(d: date, months: int) -> tuple[int, int]:
    """(year, month) of the month `months` after d's month."""
    year, month_index = divmod(d.year * 12 + d.month - 1 + months, 12)
    return year, month_index + 1


def add_months(d: date, months: int) -> date:
    """Same day number `months` later (or earlier), clamped to the target month's end."""
    year, month = _shift_month(d, months)
    return date(year, month, min(d.day, days_in_month(year, month)))


def months_end(start: date, months: int) -> date:
    """Last day of a period of `months` months beginning on `start` (BGB §188 Abs. 2, 3).

    `months == 0` is the empty period, which ends the day before it starts.
    """
    if months < 0:
        raise ValueError(f"months must be >= 0, got {months}")
    if months == 0:
        return start - ONE_DAY
    year, month = _shift_month(start, months)
    if start.day > days_in_month(year, month):
        return date(year, month, days_in_month(year, month))
    return date(year, month, start.day) - ONE_DAY


def quarter_end(d: date) -> date:
    """Last day of d's calendar quarter (31 Mar, 30 Jun, 30 Sep, 31 Dec)."""
    last_month = (d.month - 1) // 3 * 3 + 3
    return date(d.year, last_month, days_in_month(d.year, last_month))
