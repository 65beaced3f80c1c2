"""Billing period grids. Pure: no Django.

A subscription's service is cut into billing periods of `interval_months` months:

* aligned to the calendar (`EngineSettings.align_to_calendar`): periods start on the first of
  a month whose number since year 0 is a multiple of the interval, so monthly = calendar
  months, 2 = Jan–Feb, Mar–Apr, …, 3 = quarters, 6 = halves, 12 = calendar years;
* anniversary: period k runs from the day after `months_end(start, k·n)` (k = 0: `start`) to
  `months_end(start, (k+1)·n)`; always counted from `start`, so a 31 Jan start does not drift.

Periods are computed once and cached: a run over many subscriptions shares them.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from kontor.billing.engine.types import EngineSettings, SubscriptionTerms
from kontor.core.periods import ONE_DAY, days_in_month, months_end

# (first day, last day, length in days) of a full billing period
Period = tuple[date, date, int]


@lru_cache(maxsize=8192)
def _aligned_period(interval: int, index: int) -> Period:
    first_month = index * interval  # months since January of year 0
    last_month = first_month + interval - 1
    year, month = divmod(first_month, 12)
    start = date(year, month + 1, 1)
    year, month = divmod(last_month, 12)
    end = date(year, month + 1, days_in_month(year, month + 1))
    return start, end, (end - start).days + 1


@lru_cache(maxsize=65536)
def _aligned_period_of(interval: int, day: date) -> Period:
    return _aligned_period(interval, (day.year * 12 + day.month - 1) // interval)


@lru_cache(maxsize=262144)
def _anniversary_period(anchor: date, interval: int, index: int) -> Period:
    start = anchor if index == 0 else months_end(anchor, index * interval) + ONE_DAY
    end = months_end(anchor, (index + 1) * interval)
    return start, end, (end - start).days + 1


class PeriodGrid:
    """The billing periods of one subscription, numbered; `period(k)` is the k-th."""

    __slots__ = ("aligned", "anchor", "interval")

    def __init__(self, anchor: date, interval_months: int, aligned: bool) -> None:
        if interval_months < 1:
            raise ValueError(f"interval_months must be >= 1, got {interval_months}")
        self.anchor = anchor
        self.interval = interval_months
        self.aligned = aligned

    @classmethod
    def of(cls, terms: SubscriptionTerms, settings: EngineSettings) -> PeriodGrid:
        return cls(terms.start, terms.interval_months, settings.align_to_calendar)

    def period(self, index: int) -> Period:
        if self.aligned:
            return _aligned_period(self.interval, index)
        return _anniversary_period(self.anchor, self.interval, index)

    def index_of(self, day: date) -> int | None:
        """Number of the period containing `day`; None before an anniversary grid begins."""
        if self.aligned:
            return (day.year * 12 + day.month - 1) // self.interval
        if day < self.anchor:
            return None
        months = (day.year - self.anchor.year) * 12 + day.month - self.anchor.month
        index = months // self.interval
        while True:  # the estimate is off by at most one period
            start, end, _ = self.period(index)
            if day < start:
                index -= 1
            elif day > end:
                index += 1
            else:
                return index

    def period_of(self, day: date) -> Period | None:
        """The period containing `day`; None before an anniversary grid begins."""
        if self.aligned:
            return _aligned_period_of(self.interval, day)
        index = self.index_of(day)
        return None if index is None else self.period(index)

    def periods_between(self, first_day: date, last_day: date) -> list[Period]:
        """The full periods that start on or before `last_day` and end on or after `first_day`."""
        index = self.index_of(first_day)
        assert index is not None  # first_day is never before the anchor here
        result = []
        while True:
            period = self.period(index)
            if period[0] > last_day:
                return result
            result.append(period)
            index += 1


def service_periods(terms: SubscriptionTerms, grid: PeriodGrid, until: date) -> list[Period]:
    """Full periods that intersect the service range and start on or before `until`."""
    last_day = until if terms.end is None else min(until, terms.end)
    if terms.end is not None and terms.end < terms.start:
        return []
    return grid.periods_between(terms.start, last_day)


def billing_periods(
    terms: SubscriptionTerms, settings: EngineSettings, until: date
) -> list[tuple[date, date]]:
    """The full (aligned or anniversary) periods that intersect the service range, up to `until`.

    "Up to" means the period starts on or before `until`; whether it is due depends on the
    timing (`is_due`).
    """
    grid = PeriodGrid.of(terms, settings)
    return [(start, end) for start, end, _ in service_periods(terms, grid, until)]


def is_due(period_start: date, period_end: date, timing: str, as_of: date) -> bool:
    """In advance a period is due once it has begun; in arrears once it is over."""
    if timing == "advance":
        return period_start <= as_of
    return period_end < as_of
