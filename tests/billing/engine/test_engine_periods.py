"""Billing period grids, due dates and service starts (billing engine, no database)."""

import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontor.billing.engine import billing_periods, is_due, service_start_for_order
from tests.billing.engine.engine_builders import ALIGNED, ANNIVERSARY, terms

D = date
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("contract", "until", "expected"),
    [
        (
            terms(D(2026, 1, 17)),
            D(2026, 3, 1),
            [
                (D(2026, 1, 1), D(2026, 1, 31)),
                (D(2026, 2, 1), D(2026, 2, 28)),
                (D(2026, 3, 1), D(2026, 3, 31)),
            ],
        ),
        (
            terms(D(2026, 2, 10), interval=2),
            D(2026, 5, 1),
            [(D(2026, 1, 1), D(2026, 2, 28)), (D(2026, 3, 1), D(2026, 4, 30)),
             (D(2026, 5, 1), D(2026, 6, 30))],
        ),
        (
            terms(D(2026, 5, 15), interval=3),
            D(2026, 12, 31),
            [(D(2026, 4, 1), D(2026, 6, 30)), (D(2026, 7, 1), D(2026, 9, 30)),
             (D(2026, 10, 1), D(2026, 12, 31))],
        ),
        (
            terms(D(2026, 9, 1), interval=6),
            D(2027, 1, 1),
            [(D(2026, 7, 1), D(2026, 12, 31)), (D(2027, 1, 1), D(2027, 6, 30))],
        ),
        (
            terms(D(2026, 3, 17), interval=12),
            D(2027, 12, 31),
            [(D(2026, 1, 1), D(2026, 12, 31)), (D(2027, 1, 1), D(2027, 12, 31))],
        ),
        # The end date limits the periods, `until` too: whichever comes first.
        (
            terms(D(2026, 1, 17), end=D(2026, 3, 10)),
            D(2027, 1, 1),
            [(D(2026, 1, 1), D(2026, 1, 31)), (D(2026, 2, 1), D(2026, 2, 28)),
             (D(2026, 3, 1), D(2026, 3, 31))],
        ),
        # The period containing the start counts from its own first day on.
        (terms(D(2026, 1, 17)), D(2026, 1, 1), [(D(2026, 1, 1), D(2026, 1, 31))]),
        (terms(D(2026, 1, 17)), D(2025, 12, 31), []),
        # Cancelled before it started: no service, no periods.
        (terms(D(2026, 1, 17), end=D(2026, 1, 16)), D(2027, 1, 1), []),
    ],
)  # fmt: skip
def test_aligned_periods_follow_the_calendar(contract, until, expected) -> None:
    assert billing_periods(contract, ALIGNED, until) == expected


@pytest.mark.parametrize(
    ("contract", "until", "expected"),
    [
        (
            terms(D(2026, 1, 17)),
            D(2026, 2, 17),
            [(D(2026, 1, 17), D(2026, 2, 16)), (D(2026, 2, 17), D(2026, 3, 16))],
        ),
        # 31 Jan in a leap year: February ends on the 29th, and the grid never drifts.
        (
            terms(D(2028, 1, 31)),
            D(2028, 5, 31),
            [(D(2028, 1, 31), D(2028, 2, 29)), (D(2028, 3, 1), D(2028, 3, 30)),
             (D(2028, 3, 31), D(2028, 4, 30)), (D(2028, 5, 1), D(2028, 5, 30)),
             (D(2028, 5, 31), D(2028, 6, 30))],
        ),
        (
            terms(D(2026, 1, 31)),
            D(2026, 3, 1),
            [(D(2026, 1, 31), D(2026, 2, 28)), (D(2026, 3, 1), D(2026, 3, 30))],
        ),
        (
            terms(D(2025, 11, 30), interval=3),
            D(2026, 6, 1),
            [(D(2025, 11, 30), D(2026, 2, 28)), (D(2026, 3, 1), D(2026, 5, 29)),
             (D(2026, 5, 30), D(2026, 8, 29))],
        ),
        (
            terms(D(2028, 2, 29), interval=12),
            D(2030, 3, 1),
            [(D(2028, 2, 29), D(2029, 2, 28)), (D(2029, 3, 1), D(2030, 2, 28)),
             (D(2030, 3, 1), D(2031, 2, 28))],
        ),
    ],
)  # fmt: skip
def test_anniversary_periods_count_from_the_start(contract, until, expected) -> None:
    assert billing_periods(contract, ANNIVERSARY, until) == expected


@given(
    start=st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)),
    interval=st.sampled_from([1, 2, 3, 4, 6, 12, 5, 24]),
    aligned=st.booleans(),
    span_days=st.integers(min_value=0, max_value=2000),
)
def test_periods_are_contiguous_and_cover_the_service(start, interval, aligned, span_days):
    settings = ALIGNED if aligned else ANNIVERSARY
    until = start + span_days * DAY
    periods = billing_periods(terms(start, interval=interval), settings, until)
    assert periods[0][0] <= start <= periods[0][1]
    assert periods[-1][0] <= until < periods[-1][1] + DAY
    for (_, end), (next_start, _) in zip(periods, periods[1:], strict=False):
        assert next_start == end + DAY
    if aligned:
        assert all(s.day == 1 and (s.year * 12 + s.month - 1) % interval == 0 for s, _ in periods)
    else:
        assert periods[0][0] == start


@pytest.mark.parametrize(
    ("timing", "as_of", "due"),
    [
        ("advance", D(2026, 3, 31), False),
        ("advance", D(2026, 4, 1), True),
        ("advance", D(2026, 6, 30), True),
        ("arrears", D(2026, 6, 30), False),
        ("arrears", D(2026, 7, 1), True),
    ],
)
def test_advance_is_due_when_the_period_begins_arrears_when_it_is_over(timing, as_of, due):
    assert is_due(D(2026, 4, 1), D(2026, 6, 30), timing, as_of) is due


@pytest.mark.parametrize(
    ("order_date", "cutoff", "expected"),
    [
        (D(2026, 3, 20), 20, D(2026, 4, 1)),
        (D(2026, 3, 21), 20, D(2026, 5, 1)),
        (D(2026, 3, 1), 20, D(2026, 4, 1)),
        (D(2026, 3, 20), None, D(2026, 3, 20)),
        (D(2026, 12, 21), 20, D(2027, 2, 1)),
        (D(2026, 11, 30), 20, D(2027, 1, 1)),
        (D(2026, 1, 31), 31, D(2026, 2, 1)),
        (D(2026, 1, 2), 1, D(2026, 3, 1)),
    ],
)
def test_service_starts_on_the_first_after_the_cutoff(order_date, cutoff, expected) -> None:
    assert service_start_for_order(order_date, cutoff) == expected


@pytest.mark.parametrize("cutoff", [0, 32, -1])
def test_cutoff_day_outside_a_month_is_rejected(cutoff) -> None:
    with pytest.raises(ValueError, match="cutoff_day must be within 1..31"):
        service_start_for_order(D(2026, 3, 20), cutoff)


def test_engine_imports_no_django() -> None:
    code = (
        "import sys, kontor.billing.engine; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'celery')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
