"""Invariants of the billing engine, checked with hypothesis (no database)."""

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from kontor.billing.engine import (
    AddonTerms,
    EngineSettings,
    SubscriptionTerms,
    charges_due,
    prorate,
)
from kontor.billing.engine.periods import PeriodGrid
from kontor.billing.engine.types import SETUP, parse_kind
from kontor.core.money import round_money
from kontor.core.periods import add_months, months_end
from tests.billing.engine.engine_builders import as_billed, run_monthly

DAY = timedelta(days=1)
UNBOUNDED = 10_000

prices = st.decimals(min_value=0, max_value=Decimal("5000"), places=4)
quantities = st.decimals(min_value=0, max_value=Decimal("50"), places=2)
intervals = st.sampled_from([1, 2, 3, 6, 12])
starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))
engine_settings = st.builds(
    EngineSettings, align_to_calendar=st.booleans(), max_periods_per_run=st.just(UNBOUNDED)
)


@st.composite
def optional_end(draw, start: date) -> date | None:
    if draw(st.booleans()):
        return None
    return start + draw(st.integers(min_value=-1, max_value=900)) * DAY


@st.composite
def addons(draw, start: date) -> tuple[AddonTerms, ...]:
    result = []
    for addon_id in range(draw(st.integers(min_value=0, max_value=2))):
        addon_start = start + draw(st.integers(min_value=-20, max_value=400)) * DAY
        price, quantity = draw(prices), draw(quantities)
        result.append(
            AddonTerms(addon_id, price, quantity, addon_start, draw(optional_end(addon_start)))
        )
    return tuple(result)


@st.composite
def subscriptions(draw) -> SubscriptionTerms:
    start = draw(starts)
    return SubscriptionTerms(
        subscription_id=1,
        account_id=1,
        start=start,
        end=draw(optional_end(start)),
        interval_months=draw(intervals),
        unit_price=draw(prices),
        quantity=draw(quantities),
        timing=draw(st.sampled_from(["advance", "arrears"])),
        setup_fee=draw(st.sampled_from([Decimal(0), Decimal("49.90")])),
        addons=draw(addons(start)),
    )


def offsets(max_days: int):
    return st.integers(min_value=-40, max_value=max_days).map(lambda days: days * DAY)


def net_by_period(billed, grid: PeriodGrid) -> dict[tuple[str, date], Decimal]:
    """Net billed per (family, full period start); the setup fee left out."""
    net: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for line in billed:
        family, _ = parse_kind(line.kind)
        if family != SETUP:
            index = grid.index_of(line.period_start)
            key = line.period_start if index is None else grid.period(index)[0]
            net[family, key] += line.amount
    return dict(net)


@settings(deadline=None)
@given(terms=subscriptions(), config=engine_settings, after_start=offsets(1200))
def test_feeding_the_result_back_proposes_nothing(terms, config, after_start) -> None:
    as_of = terms.start + after_start
    first = charges_due([terms], [], as_of, config)
    assert charges_due([terms], as_billed(first.charges), as_of, config).charges == ()


@settings(deadline=None, max_examples=150)
@given(
    terms=subscriptions(),
    config=engine_settings,
    months=st.integers(min_value=1, max_value=18),
    new_end=st.one_of(st.integers(min_value=-450, max_value=60), st.none()),
    later=st.integers(min_value=0, max_value=400),
)
def test_history_and_changes_end_at_the_same_net_as_billing_afresh(
    terms, config, months, new_end, later
) -> None:
    """Monthly runs, then an end date change: per period, the net billed equals the target."""
    first_run = terms.start.replace(day=1)
    last_run = add_months(first_run, months - 1)
    history = run_monthly([terms], first_run, last_run, config)
    changed = replace(terms, end=None if new_end is None else last_run + new_end * DAY)
    as_of = last_run + later * DAY
    corrections = charges_due([changed], history, as_of, config).charges
    event("credit" if any(c.amount < 0 for c in corrections) else "no credit")
    event("correction" if any(c.is_correction for c in corrections) else "no correction")
    grid = PeriodGrid.of(terms, config)
    before = net_by_period(history, grid)
    for charge in corrections:
        if charge.amount < 0:  # a credit never exceeds what was billed for its period
            family, _ = parse_kind(charge.kind)
            index = grid.index_of(charge.period_start)
            key = charge.period_start if index is None else grid.period(index)[0]
            assert -charge.amount <= before[family, key]
    everything = history + as_billed(corrections)
    keys = [(line.subscription_id, line.period_start, line.kind) for line in everything]
    assert len(keys) == len(set(keys))  # the charge idempotency key stays unique
    after = net_by_period(everything, grid)
    afresh = net_by_period(as_billed(charges_due([changed], [], as_of, config).charges), grid)
    assert {key: net for key, net in after.items() if net} == {
        key: net for key, net in afresh.items() if net
    }
    assert charges_due([changed], everything, as_of, config).charges == ()


@settings(deadline=None, max_examples=50)
@given(
    interval=intervals,
    aligned=st.booleans(),
    start=starts,
    count=st.integers(min_value=1, max_value=6),
    price=prices,
    quantity=quantities,
    timing=st.sampled_from(["advance", "arrears"]),
)
def test_fully_covered_range_costs_whole_periods_times_price(
    interval, aligned, start, count, price, quantity, timing
) -> None:
    if aligned:  # start on a calendar period boundary
        month_number = (start.year * 12 + start.month - 1) // interval * interval
        start = date(month_number // 12, month_number % 12 + 1, 1)
    end = months_end(start, count * interval)
    terms = SubscriptionTerms(1, 1, start, end, interval, price, quantity, timing)  # type: ignore[arg-type]
    config = EngineSettings(align_to_calendar=aligned)
    billed = run_monthly([terms], start.replace(day=1), add_months(end, 1), config)
    assert len(billed) == count
    assert sum(b.amount for b in billed) == count * round_money(price * quantity)
    assert all(not b.kind.startswith("correction") for b in billed)


@given(
    full=prices,
    period_days=st.integers(min_value=28, max_value=366),
    cuts=st.lists(st.integers(min_value=1, max_value=365), max_size=8, unique=True),
)
def test_prorated_pieces_never_exceed_the_full_price(full, period_days, cuts) -> None:
    points = sorted({cut for cut in cuts if cut < period_days})
    bounds = [0, *points, period_days]
    pieces = [prorate(full, b - a, period_days) for a, b in zip(bounds, bounds[1:], strict=False)]
    whole = prorate(full, period_days, period_days)
    assert whole == round_money(full)
    assert all(0 <= piece <= whole for piece in pieces)
    assert abs(sum(pieces) - whole) <= Decimal("0.01") * len(pieces)
