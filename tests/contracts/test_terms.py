from collections.abc import Iterator
from datetime import date, timedelta
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kontor.contracts.terms import (
    NoticePeriod,
    Terms,
    current_term,
    earliest_end_date,
    earliest_tariff_change_date,
    is_allowed_end_date,
    term_ends,
)
from kontor.core.periods import add_months, months_end

DAY = timedelta(days=1)


def terms(
    start: date,
    minimum: int,
    renewal: int,
    amount: int = 0,
    unit: str = "days",
    anchor: str = "term_end",
) -> Terms:
    return Terms(start, minimum, renewal, NoticePeriod(amount, unit, anchor))  # type: ignore[arg-type]


# Start 17 Mar 2025, 12 months minimum, renews by 12 months, 3 months' notice to term end.
YEARLY = terms(date(2025, 3, 17), 12, 12, 3, "months")


# --- term ends and current term -------------------------------------------------------------


@pytest.mark.parametrize(
    ("contract", "on_or_after", "expected"),
    [
        (YEARLY, date(2025, 1, 1), [date(2026, 3, 16), date(2027, 3, 16), date(2028, 3, 16)]),
        (YEARLY, date(2026, 3, 16), [date(2026, 3, 16), date(2027, 3, 16)]),
        (YEARLY, date(2026, 3, 17), [date(2027, 3, 16), date(2028, 3, 16)]),
        (YEARLY, date(2100, 1, 1), [date(2100, 3, 16)]),
        (
            terms(date(2025, 1, 1), 24, 12),
            date(2025, 1, 1),
            [date(2026, 12, 31), date(2027, 12, 31)],
        ),
        (
            terms(date(2028, 1, 30), 1, 3),
            date(2028, 1, 1),
            [date(2028, 2, 29), date(2028, 5, 29), date(2028, 8, 29)],
        ),
        # No minimum term: the first term end is one renewal term after start.
        (
            terms(date(2025, 1, 31), 0, 1),
            date(2025, 1, 1),
            [date(2025, 2, 28), date(2025, 3, 30), date(2025, 4, 30)],
        ),
        (
            terms(date(2028, 1, 31), 0, 1),
            date(2028, 1, 1),
            [date(2028, 2, 29), date(2028, 3, 30), date(2028, 4, 30)],
        ),
        # Runs on indefinitely after the minimum term: then every month end is a term end.
        (
            terms(date(2025, 3, 17), 12, 0),
            date(2025, 1, 1),
            [date(2026, 3, 16), date(2026, 3, 31), date(2026, 4, 30)],
        ),
        (
            terms(date(2025, 3, 1), 12, 0),
            date(2025, 1, 1),
            [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)],
        ),
        (
            terms(date(2025, 3, 17), 0, 0),
            date(2025, 1, 1),
            [date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)],
        ),
        (terms(date(2025, 3, 17), 0, 0), date(2027, 2, 1), [date(2027, 2, 28)]),
    ],
)
def test_term_ends_are_minimum_term_end_then_each_renewal(
    contract: Terms, on_or_after: date, expected: list[date]
) -> None:
    assert list(islice(term_ends(contract, on_or_after), len(expected))) == expected


@pytest.mark.parametrize(
    ("contract", "on", "expected"),
    [
        (YEARLY, date(2025, 3, 17), (date(2025, 3, 17), date(2026, 3, 16))),
        (YEARLY, date(2026, 3, 16), (date(2025, 3, 17), date(2026, 3, 16))),
        (YEARLY, date(2026, 3, 17), (date(2026, 3, 17), date(2027, 3, 16))),
        (
            terms(date(2025, 3, 17), 12, 0),
            date(2026, 3, 20),
            (date(2026, 3, 17), date(2026, 3, 31)),
        ),
        (terms(date(2025, 3, 17), 12, 0), date(2026, 4, 1), (date(2026, 4, 1), date(2026, 4, 30))),
        (terms(date(2025, 3, 17), 0, 0), date(2025, 3, 20), (date(2025, 3, 17), date(2025, 3, 31))),
        (terms(date(2025, 1, 31), 0, 1), date(2025, 3, 1), (date(2025, 3, 1), date(2025, 3, 30))),
    ],
)
def test_current_term_is_the_term_containing_the_day(
    contract: Terms, on: date, expected: tuple[date, date]
) -> None:
    assert current_term(contract, on) == expected


def test_current_term_is_undefined_before_start() -> None:
    with pytest.raises(ValueError, match="before the contract start"):
        current_term(YEARLY, date(2025, 3, 16))


# --- cancellation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contract", "notice_given_on", "expected"),
    [
        # Three months before 16 Mar 2026 is 16 Dec 2025: the last day notice is in time.
        (YEARLY, date(2025, 12, 16), date(2026, 3, 16)),
        (YEARLY, date(2025, 12, 17), date(2027, 3, 16)),
        (YEARLY, date(2025, 12, 18), date(2027, 3, 16)),
        (YEARLY, date(2026, 1, 10), date(2027, 3, 16)),
        (YEARLY, date(2025, 3, 17), date(2026, 3, 16)),
        (YEARLY, date(2024, 1, 1), date(2026, 3, 16)),
        (terms(date(2025, 1, 1), 12, 12, 1, "months"), date(2025, 11, 30), date(2025, 12, 31)),
        (terms(date(2025, 1, 1), 12, 12, 1, "months"), date(2025, 12, 1), date(2026, 12, 31)),
        (terms(date(2024, 12, 1), 12, 12, 1, "months"), date(2025, 10, 31), date(2025, 11, 30)),
        (terms(date(2024, 12, 1), 12, 12, 1, "months"), date(2025, 11, 1), date(2026, 11, 30)),
        (terms(date(2025, 1, 1), 12, 12, 14, "days"), date(2025, 12, 17), date(2025, 12, 31)),
        (terms(date(2025, 1, 1), 12, 12, 14, "days"), date(2025, 12, 18), date(2026, 12, 31)),
        (terms(date(2025, 1, 1), 12, 12, 2, "weeks"), date(2025, 12, 18), date(2026, 12, 31)),
        (terms(date(2025, 3, 17), 12, 0, 1, "months"), date(2026, 2, 16), date(2026, 3, 16)),
        (terms(date(2025, 3, 17), 12, 0, 1, "months"), date(2026, 2, 17), date(2026, 3, 31)),
        (terms(date(2025, 3, 17), 0, 12, 3, "months"), date(2025, 3, 17), date(2026, 3, 16)),
        (terms(date(2025, 3, 17), 0, 0, 1, "months"), date(2025, 3, 17), date(2025, 4, 30)),
        (terms(date(2025, 3, 17), 0, 0, 1, "months"), date(2025, 1, 1), date(2025, 3, 31)),
    ],
)
def test_cancellation_respects_notice_period_to_end_of_term(
    contract: Terms, notice_given_on: date, expected: date
) -> None:
    assert earliest_end_date(contract, notice_given_on) == expected


@pytest.mark.parametrize(
    ("contract", "notice_given_on", "expected"),
    [
        (
            terms(date(2025, 3, 17), 12, 12, 1, "months", "month_end"),
            date(2025, 5, 10),
            date(2026, 3, 31),
        ),
        (
            terms(date(2025, 3, 17), 12, 12, 1, "months", "month_end"),
            date(2026, 4, 30),
            date(2026, 5, 31),
        ),
        (
            terms(date(2025, 3, 17), 12, 12, 1, "months", "month_end"),
            date(2026, 5, 1),
            date(2026, 6, 30),
        ),
        (
            terms(date(2025, 1, 1), 0, 0, 6, "weeks", "quarter_end"),
            date(2025, 2, 17),
            date(2025, 3, 31),
        ),
        (
            terms(date(2025, 1, 1), 0, 0, 6, "weeks", "quarter_end"),
            date(2025, 2, 18),
            date(2025, 6, 30),
        ),
        (
            terms(date(2025, 1, 1), 0, 12, 14, "days", "any_day"),
            date(2025, 5, 5),
            date(2025, 5, 19),
        ),
        (
            terms(date(2025, 1, 1), 24, 12, 14, "days", "any_day"),
            date(2025, 5, 5),
            date(2026, 12, 31),
        ),
        (terms(date(2025, 1, 1), 0, 0, 0, "days", "any_day"), date(2024, 12, 1), date(2025, 1, 1)),
        (
            terms(date(2028, 1, 31), 0, 0, 1, "months", "any_day"),
            date(2028, 1, 31),
            date(2028, 2, 29),
        ),
    ],
)
def test_cancellation_ends_on_earliest_anchor_date_after_notice_and_minimum_term(
    contract: Terms, notice_given_on: date, expected: date
) -> None:
    assert earliest_end_date(contract, notice_given_on) == expected


@pytest.mark.parametrize(
    ("contract", "notice_given_on", "end", "allowed"),
    [
        (YEARLY, date(2025, 12, 16), date(2026, 3, 16), True),
        (YEARLY, date(2025, 12, 16), date(2027, 3, 16), True),
        (YEARLY, date(2025, 12, 16), date(2026, 3, 31), False),
        (YEARLY, date(2025, 12, 16), date(2025, 3, 16), False),
        (YEARLY, date(2025, 12, 17), date(2026, 3, 16), False),
        (
            terms(date(2025, 3, 17), 0, 0, 1, "months", "month_end"),
            date(2026, 4, 30),
            date(2026, 5, 31),
            True,
        ),
        (
            terms(date(2025, 3, 17), 0, 0, 1, "months", "month_end"),
            date(2026, 4, 30),
            date(2026, 5, 30),
            False,
        ),
        (
            terms(date(2025, 3, 17), 0, 0, 1, "months", "month_end"),
            date(2026, 4, 30),
            date(2026, 4, 30),
            False,
        ),
        (
            terms(date(2025, 1, 1), 0, 0, 0, "days", "quarter_end"),
            date(2025, 5, 1),
            date(2025, 9, 30),
            True,
        ),
        (
            terms(date(2025, 1, 1), 0, 0, 0, "days", "quarter_end"),
            date(2025, 5, 1),
            date(2025, 8, 31),
            False,
        ),
    ],
)
def test_end_date_is_allowed_only_on_anchor_dates_not_before_earliest_end(
    contract: Terms, notice_given_on: date, end: date, allowed: bool
) -> None:
    assert is_allowed_end_date(contract, notice_given_on, end) is allowed


# --- tariff changes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested_on", "is_upgrade", "expected"),
    [
        (date(2025, 6, 1), True, date(2025, 6, 1)),
        (date(2025, 1, 1), True, date(2025, 3, 17)),
        (date(2025, 12, 16), False, date(2026, 3, 17)),
        (date(2025, 12, 17), False, date(2027, 3, 17)),
    ],
)
def test_upgrade_applies_at_once_and_downgrade_waits_for_term_end(
    requested_on: date, is_upgrade: bool, expected: date
) -> None:
    assert earliest_tariff_change_date(YEARLY, requested_on, is_upgrade=is_upgrade) == expected


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((-1, "days", "any_day"), "amount"),
        ((True, "days", "any_day"), "amount"),
        ((1, "years", "any_day"), "unit"),
        ((1, "days", "week_end"), "anchor"),
    ],
)
def test_notice_period_rejects_invalid_fields(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        NoticePeriod(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("minimum", "renewal", "field"),
    [(-1, 12, "minimum_term_months"), (12, -3, "renewal_term_months")],
)
def test_terms_reject_negative_months(minimum: int, renewal: int, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        terms(date(2025, 1, 1), minimum, renewal)


# --- properties --------------------------------------------------------------------------------


@st.composite
def notice_periods(draw: st.DrawFn) -> NoticePeriod:
    unit = draw(st.sampled_from(["days", "weeks", "months"]))
    amount = draw(st.integers(0, {"days": 120, "weeks": 16, "months": 12}[unit]))
    anchor = draw(st.sampled_from(["term_end", "month_end", "quarter_end", "any_day"]))
    return NoticePeriod(amount, unit, anchor)  # type: ignore[arg-type]


contracts = st.builds(
    Terms,
    start=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    minimum_term_months=st.integers(0, 36),
    renewal_term_months=st.integers(0, 24),
    notice=notice_periods(),
)
offsets = st.integers(-1000, 1500).map(lambda n: timedelta(days=n))


def naive_term_ends(t: Terms) -> Iterator[date]:
    """Term ends enumerated straight from the rules, without skipping ahead."""
    minimum, renewal = t.minimum_term_months, t.renewal_term_months
    if renewal > 0:
        months = minimum if minimum > 0 else renewal
        while True:
            yield months_end(t.start, months)
            months += renewal
    day = t.start
    if minimum > 0:
        day = months_end(t.start, minimum)
        yield day
        day += DAY
    while True:
        if (day + DAY).day == 1:
            yield day
        day += DAY


def naive_earliest_end(t: Terms, notice_given_on: date) -> date:
    """First day, scanning forward, that satisfies every rule of the module docstring."""
    n = t.notice
    step = {"days": 1, "weeks": 7}.get(n.unit, 0)
    reachable = (
        add_months(notice_given_on, n.amount)
        if n.unit == "months"
        else (notice_given_on + timedelta(days=n.amount * step))
    )
    floor = max(reachable, t.start)
    if t.minimum_term_months:
        floor = max(floor, months_end(t.start, t.minimum_term_months))
    if n.anchor == "term_end":
        return next(e for e in naive_term_ends(t) if e >= floor)
    day = floor
    while not (
        n.anchor == "any_day"
        or (n.anchor == "month_end" and (day + DAY).day == 1)
        or (n.anchor == "quarter_end" and (day + DAY).day == 1 and day.month % 3 == 0)
    ):
        day += DAY
    return day


@given(contracts, st.dates(date(2019, 1, 1), date(2040, 12, 31)))
def test_term_ends_match_naive_enumeration(contract: Terms, on_or_after: date) -> None:
    expected = [e for e in islice(naive_term_ends(contract), 400) if e >= on_or_after][:3]
    if expected:
        assert list(islice(term_ends(contract, on_or_after), len(expected))) == expected


@settings(deadline=None)
@given(contracts, offsets)
def test_earliest_end_date_matches_naive_search(contract: Terms, offset: timedelta) -> None:
    notice_given_on = contract.start + offset
    assert earliest_end_date(contract, notice_given_on) == naive_earliest_end(
        contract, notice_given_on
    )


@given(contracts, offsets, st.integers(1, 400))
def test_earliest_end_date_is_allowed_and_no_earlier_day_is(
    contract: Terms, offset: timedelta, days_earlier: int
) -> None:
    notice_given_on = contract.start + offset
    end = earliest_end_date(contract, notice_given_on)
    assert is_allowed_end_date(contract, notice_given_on, end)
    assert not is_allowed_end_date(contract, notice_given_on, end - timedelta(days=days_earlier))
    assert end >= notice_given_on
    assert end >= contract.start


@given(contracts, offsets, st.integers(0, 800))
def test_later_notice_never_ends_the_contract_earlier(
    contract: Terms, offset: timedelta, delay: int
) -> None:
    notice_given_on = contract.start + offset
    later = notice_given_on + timedelta(days=delay)
    assert earliest_end_date(contract, notice_given_on) <= earliest_end_date(contract, later)


@given(contracts, offsets)
def test_downgrade_starts_the_day_after_earliest_end_and_upgrade_at_once(
    contract: Terms, offset: timedelta
) -> None:
    requested_on = contract.start + offset
    downgrade = earliest_tariff_change_date(contract, requested_on, is_upgrade=False)
    upgrade = earliest_tariff_change_date(contract, requested_on, is_upgrade=True)
    assert downgrade == earliest_end_date(contract, requested_on) + DAY
    assert upgrade == max(requested_on, contract.start)


@given(contracts, st.integers(0, 4000))
def test_terms_tile_the_time_after_start(contract: Terms, days_after_start: int) -> None:
    on = contract.start + timedelta(days=days_after_start)
    first, last = current_term(contract, on)
    assert first <= on <= last
    assert next(term_ends(contract, last)) == last
    assert first == contract.start or next(term_ends(contract, first - DAY)) == first - DAY
    assert current_term(contract, last + DAY)[0] == last + DAY
