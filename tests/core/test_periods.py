from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontor.core.periods import add_months, last_day_of_month, months_end, quarter_end

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
month_counts = st.integers(min_value=0, max_value=600)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 1, 1), date(2025, 1, 31)),
        (date(2025, 2, 10), date(2025, 2, 28)),
        (date(2028, 2, 10), date(2028, 2, 29)),
        (date(2100, 2, 1), date(2100, 2, 28)),
        (date(2000, 2, 1), date(2000, 2, 29)),
        (date(2025, 4, 30), date(2025, 4, 30)),
        (date(2025, 12, 24), date(2025, 12, 31)),
    ],
)
def test_last_day_of_month_knows_month_lengths_and_leap_years(d: date, expected: date) -> None:
    assert last_day_of_month(d) == expected


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (date(2025, 1, 15), 1, date(2025, 2, 15)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2025, 1, 31), 3, date(2025, 4, 30)),
        (date(2025, 11, 30), 2, date(2026, 1, 30)),
        (date(2025, 12, 31), 12, date(2026, 12, 31)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2025, 1, 15), -25, date(2022, 12, 15)),
        (date(2025, 6, 5), 0, date(2025, 6, 5)),
    ],
)
def test_add_months_keeps_day_number_clamped_to_month_end(
    d: date, months: int, expected: date
) -> None:
    assert add_months(d, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 1), 12, date(2025, 12, 31)),
        (date(2025, 1, 1), 1, date(2025, 1, 31)),
        (date(2025, 3, 15), 1, date(2025, 4, 14)),
        (date(2025, 3, 17), 12, date(2026, 3, 16)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 1, 29), 1, date(2027, 2, 28)),
        (date(2028, 1, 29), 1, date(2028, 2, 28)),
        (date(2028, 1, 30), 1, date(2028, 2, 29)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 10, 31), 1, date(2025, 11, 30)),
        (date(2025, 12, 1), 1, date(2025, 12, 31)),
        (date(2025, 12, 15), 2, date(2026, 2, 14)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 3, 1), 12, date(2029, 2, 28)),
        (date(2025, 6, 10), 0, date(2025, 6, 9)),
        (date(2025, 1, 1), 0, date(2024, 12, 31)),
    ],
)
def test_months_end_follows_bgb_188(start: date, months: int, expected: date) -> None:
    assert months_end(start, months) == expected


def test_months_end_rejects_negative_months() -> None:
    with pytest.raises(ValueError, match="months"):
        months_end(date(2025, 1, 1), -1)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 3, 31), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 8, 15), date(2025, 9, 30)),
        (date(2025, 12, 31), date(2025, 12, 31)),
        (date(2028, 2, 29), date(2028, 3, 31)),
    ],
)
def test_quarter_end_is_last_day_of_calendar_quarter(d: date, expected: date) -> None:
    assert quarter_end(d) == expected


@given(dates)
def test_last_day_of_month_is_followed_by_a_first(d: date) -> None:
    end = last_day_of_month(d)
    assert (end.year, end.month) == (d.year, d.month)
    assert (end + timedelta(days=1)).day == 1


@given(dates, st.integers(min_value=-600, max_value=600))
def test_add_months_lands_in_target_month_with_clamped_day(d: date, months: int) -> None:
    result = add_months(d, months)
    assert result.year * 12 + result.month == d.year * 12 + d.month + months
    assert result.day == min(d.day, last_day_of_month(result).day)


@given(dates, month_counts, month_counts)
def test_add_months_is_monotone(d: date, months: int, more: int) -> None:
    assert add_months(d, months) <= add_months(d, months + more)


@given(dates, st.integers(min_value=1, max_value=600))
def test_months_end_is_day_before_same_day_number_unless_it_does_not_exist(
    start: date, months: int
) -> None:
    shifted = add_months(start, months)
    expected = shifted - timedelta(days=1) if shifted.day == start.day else shifted
    assert months_end(start, months) == expected


@given(dates, month_counts)
def test_consecutive_periods_tile_without_gaps_for_days_up_to_28(start: date, months: int) -> None:
    start = start.replace(day=min(start.day, 28))
    end = months_end(start, months)
    next_start = end + timedelta(days=1)
    assert months_end(next_start, 1) == months_end(start, months + 1)


@given(dates)
def test_quarter_end_is_in_same_quarter_and_not_before(d: date) -> None:
    end = quarter_end(d)
    assert end >= d
    assert end.month in (3, 6, 9, 12)
    assert (end.year, (end.month - 1) // 3) == (d.year, (d.month - 1) // 3)
    assert end == last_day_of_month(end)
