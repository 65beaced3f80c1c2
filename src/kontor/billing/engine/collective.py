"""Billing dates of collective invoice profiles. Pure: no Django.

A monthly profile bills on `day` of every month, a yearly one on `day` of `month` every year;
a day the month does not have means the month's last day (31 → 30 April, 28/29 February).
An item belongs to the first billing date strictly after its service date, so the interval
[previous billing date, next billing date) is what one collective invoice holds and what the
spending limit counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kontor.core.periods import days_in_month

MONTHLY = "monthly"
YEARLY = "yearly"


@dataclass(frozen=True, slots=True)
class Schedule:
    interval: str  # MONTHLY or YEARLY
    day: int
    month: int | None = None  # yearly only

    def __post_init__(self) -> None:
        if self.interval not in (MONTHLY, YEARLY):
            raise ValueError(f"unknown interval {self.interval!r}")
        if not 1 <= self.day <= 31:
            raise ValueError("day must be 1-31")
        if self.interval == YEARLY and not (self.month and 1 <= self.month <= 12):
            raise ValueError("a yearly schedule needs a month 1-12")


def _on(schedule: Schedule, year: int, month: int) -> date:
    return date(year, month, min(schedule.day, days_in_month(year, month)))


def next_billing_date(schedule: Schedule, after: date) -> date:
    """The first billing date strictly after `after`."""
    if schedule.interval == MONTHLY:
        year, month = after.year, after.month
        while True:
            candidate = _on(schedule, year, month)
            if candidate > after:
                return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    assert schedule.month is not None
    candidate = _on(schedule, after.year, schedule.month)
    return candidate if candidate > after else _on(schedule, after.year + 1, schedule.month)


def previous_billing_date(schedule: Schedule, on_or_before: date) -> date:
    """The last billing date on or before `on_or_before`."""
    if schedule.interval == MONTHLY:
        year, month = on_or_before.year, on_or_before.month
        while True:
            candidate = _on(schedule, year, month)
            if candidate <= on_or_before:
                return candidate
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    assert schedule.month is not None
    candidate = _on(schedule, on_or_before.year, schedule.month)
    if candidate <= on_or_before:
        return candidate
    return _on(schedule, on_or_before.year - 1, schedule.month)


def interval_of(schedule: Schedule, day: date) -> tuple[date, date]:
    """[start, end) of the interval holding `day`: its items are invoiced on `end`."""
    return previous_billing_date(schedule, day), next_billing_date(schedule, day)
