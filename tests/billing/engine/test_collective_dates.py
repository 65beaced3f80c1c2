"""Billing dates of collective invoice profiles (pure, no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontor.billing.engine.collective import (
    MONTHLY,
    YEARLY,
    Schedule,
    interval_of,
    next_billing_date,
    previous_billing_date,
)

FIRST = Schedule(MONTHLY, 1)
END_OF_MONTH = Schedule(MONTHLY, 31)
JAN_15 = Schedule(YEARLY, 15, 1)


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        (FIRST, date(2026, 11, 3), date(2026, 12, 1)),
        (FIRST, date(2026, 11, 30), date(2026, 12, 1)),
        (FIRST, date(2026, 12, 1), date(2027, 1, 1)),  # strictly after
        (FIRST, date(2026, 12, 31), date(2027, 1, 1)),
        (END_OF_MONTH, date(2027, 2, 1), date(2027, 2, 28)),
        (END_OF_MONTH, date(2028, 2, 1), date(2028, 2, 29)),
        (END_OF_MONTH, date(2027, 4, 30), date(2027, 5, 31)),
        (JAN_15, date(2026, 3, 1), date(2027, 1, 15)),
        (JAN_15, date(2027, 1, 14), date(2027, 1, 15)),
        (JAN_15, date(2027, 1, 15), date(2028, 1, 15)),
        (Schedule(YEARLY, 29, 2), date(2026, 6, 1), date(2027, 2, 28)),
    ],
)
def test_next_billing_date(schedule: Schedule, after: date, expected: date) -> None:
    assert next_billing_date(schedule, after) == expected


@pytest.mark.parametrize(
    ("schedule", "day", "expected"),
    [
        (FIRST, date(2026, 12, 1), date(2026, 12, 1)),
        (FIRST, date(2026, 11, 30), date(2026, 11, 1)),
        (Schedule(MONTHLY, 15), date(2026, 1, 14), date(2025, 12, 15)),
        (JAN_15, date(2027, 1, 14), date(2026, 1, 15)),
        (JAN_15, date(2027, 1, 15), date(2027, 1, 15)),
        (END_OF_MONTH, date(2027, 3, 30), date(2027, 2, 28)),
    ],
)
def test_previous_billing_date(schedule: Schedule, day: date, expected: date) -> None:
    assert previous_billing_date(schedule, day) == expected


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Schedule("weekly", 1),
        lambda: Schedule(MONTHLY, 0),
        lambda: Schedule(MONTHLY, 32),
        lambda: Schedule(YEARLY, 1),
        lambda: Schedule(YEARLY, 1, 13),
    ],
)
def test_bad_schedules_are_refused(bad) -> None:
    with pytest.raises(ValueError):
        bad()


schedules = st.one_of(
    st.builds(Schedule, st.just(MONTHLY), st.integers(1, 31)),
    st.builds(Schedule, st.just(YEARLY), st.integers(1, 31), st.integers(1, 12)),
)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@given(schedules, days)
def test_every_day_lies_in_exactly_one_interval(schedule: Schedule, day: date) -> None:
    start, end = interval_of(schedule, day)
    assert start <= day < end
    # the interval has no billing date inside it: the next one after its start is its end
    assert next_billing_date(schedule, start) == end
    assert previous_billing_date(schedule, end - timedelta(days=1)) == start
    # billing dates are fixed points of "previous"
    assert previous_billing_date(schedule, start) == start
    assert 28 <= (end - start).days <= 31 if schedule.interval == MONTHLY else 365 <= (
        end - start
    ).days <= 366


@given(schedules, days)
def test_billing_dates_follow_the_schedule(schedule: Schedule, day: date) -> None:
    billing = next_billing_date(schedule, day)
    if schedule.interval == YEARLY:
        assert billing.month == schedule.month
    last = (billing.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    assert billing.day == min(schedule.day, last.day)
