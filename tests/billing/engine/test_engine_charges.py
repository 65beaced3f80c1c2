"""Charges due: concrete contracts, dates and euros (billing engine, no database)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from kontor.billing.engine import (
    BilledCharge,
    EngineSettings,
    charges_due,
    correction_kind,
    parse_kind,
)
from tests.billing.engine.engine_builders import (
    ALIGNED,
    ANNIVERSARY,
    addon,
    as_billed,
    lines,
    run_monthly,
    terms,
    total,
)

D = date
E = Decimal


def due(subscription, as_of, billed=(), settings=ALIGNED):
    result = charges_due([subscription], billed, as_of, settings)
    assert result.refusals == ()
    return result.charges


# --- first periods: aligned and anniversary -------------------------------------------------


@pytest.mark.parametrize(
    ("engine_settings", "as_of", "expected"),
    [
        # 30.00 × 15/31 = 14.516… → 14.52 for 17–31 Jan, then February in full.
        # January has begun on 1 Jan: in advance, 17–31 Jan is due from then on.
        (ALIGNED, D(2025, 12, 31), []),
        (ALIGNED, D(2026, 1, 1), [("recurring", D(2026, 1, 17), D(2026, 1, 31), E("14.52"))]),
        (ALIGNED, D(2026, 1, 17), [("recurring", D(2026, 1, 17), D(2026, 1, 31), E("14.52"))]),
        (
            ALIGNED,
            D(2026, 2, 1),
            [
                ("recurring", D(2026, 1, 17), D(2026, 1, 31), E("14.52")),
                ("recurring", D(2026, 2, 1), D(2026, 2, 28), E("30.00")),
            ],
        ),
        (ANNIVERSARY, D(2026, 1, 17), [("recurring", D(2026, 1, 17), D(2026, 2, 16), E("30.00"))]),
        (
            ANNIVERSARY,
            D(2026, 2, 17),
            [
                ("recurring", D(2026, 1, 17), D(2026, 2, 16), E("30.00")),
                ("recurring", D(2026, 2, 17), D(2026, 3, 16), E("30.00")),
            ],
        ),
        # Nothing before the service's first period has begun.
        (ANNIVERSARY, D(2026, 1, 16), []),
    ],
)
def test_monthly_in_advance_from_the_17th(engine_settings, as_of, expected) -> None:
    charges = due(terms(D(2026, 1, 17), "30.00"), as_of, settings=engine_settings)
    assert lines(charges) == expected


def test_first_prorated_line_is_flagged_and_full_periods_are_not() -> None:
    charges = due(terms(D(2026, 1, 17), "30.00"), D(2026, 2, 1))
    assert [(c.prorated, c.quantity, c.unit_price) for c in charges] == [
        (True, E(1), E("30.00")),
        (False, E(1), E("30.00")),
    ]


def test_anniversary_from_31_january_in_a_leap_year_bills_full_months() -> None:
    billed = run_monthly(
        [terms(D(2028, 1, 31), "30.00")], D(2028, 1, 1), D(2028, 5, 1), ANNIVERSARY
    )
    assert [(b.period_start, b.period_end, b.amount) for b in billed] == [
        (D(2028, 1, 31), D(2028, 2, 29), E("30.00")),
        (D(2028, 3, 1), D(2028, 3, 30), E("30.00")),
        (D(2028, 3, 31), D(2028, 4, 30), E("30.00")),
        (D(2028, 5, 1), D(2028, 5, 30), E("30.00")),
    ]


def test_aligned_from_31_january_bills_one_day_of_january() -> None:
    charges = due(terms(D(2028, 1, 31), "30.00"), D(2028, 2, 1))
    # 30.00 × 1/31 = 0.967… → 0.97; February 2028 (29 days) costs the full price.
    assert lines(charges) == [
        ("recurring", D(2028, 1, 31), D(2028, 1, 31), E("0.97")),
        ("recurring", D(2028, 2, 1), D(2028, 2, 29), E("30.00")),
    ]


@pytest.mark.parametrize(
    ("price", "quantity", "expected"),
    [("9.99", "3", E("29.97")), ("0.3333", "3", E("1.00")), ("12.5", "0.5", E("6.25"))],
)
def test_full_period_costs_unit_price_times_quantity_rounded(price, quantity, expected) -> None:
    charges = due(terms(D(2026, 1, 1), price, quantity=quantity), D(2026, 1, 1))
    assert [(c.amount, c.quantity, c.unit_price) for c in charges] == [
        (expected, E(quantity), E(price))
    ]


# --- running month by month -----------------------------------------------------------------


def test_bimonthly_contract_run_monthly_through_2026_bills_six_periods() -> None:
    billed = run_monthly([terms(D(2026, 1, 1), "50.00", interval=2)], D(2026, 1, 1), D(2026, 12, 1))
    assert [(b.kind, b.period_start, b.period_end) for b in billed] == [
        ("recurring", D(2026, month, 1), end)
        for month, end in [
            (1, D(2026, 2, 28)),
            (3, D(2026, 4, 30)),
            (5, D(2026, 6, 30)),
            (7, D(2026, 8, 31)),
            (9, D(2026, 10, 31)),
            (11, D(2026, 12, 31)),
        ]
    ]
    assert total(billed) == E("300.00")


def test_rerun_on_the_same_day_proposes_nothing() -> None:
    contract = terms(
        D(2026, 1, 17), "30.00", setup_fee="99.00", addons=(addon(7, "5", D(2026, 2, 3)),)
    )
    billed = as_billed(due(contract, D(2026, 3, 1)))
    assert len(billed) == 6  # setup, Jan, Feb, Mar, add-on Feb and Mar
    assert due(contract, D(2026, 3, 1), billed) == ()


# --- cancellations, extensions, tariff changes ----------------------------------------------

YEARLY = terms(D(2026, 1, 1), "1200.00", interval=12)
YEARLY_BILLED = [BilledCharge(1, "recurring", D(2026, 1, 1), D(2026, 12, 31), E("1200.00"))]


def test_yearly_cancelled_to_30_june_credits_184_days() -> None:
    cancelled = replace(YEARLY, end=D(2026, 6, 30))
    charges = due(cancelled, D(2026, 2, 1), YEARLY_BILLED)
    # 1200.00 × 181/365 = 595.07 stays billed; the credit is 1200.00 − 595.07 = 604.93,
    # which equals 1200.00 × 184/365 = 604.93.
    assert lines(charges) == [("correction:1", D(2026, 1, 1), D(2026, 6, 30), E("-604.93"))]
    assert charges[0].prorated is True
    assert due(cancelled, D(2026, 2, 1), YEARLY_BILLED + as_billed(charges)) == ()


def test_moving_the_end_date_later_again_bills_the_difference_as_next_correction() -> None:
    credited = YEARLY_BILLED + [
        BilledCharge(1, "correction:1", D(2026, 1, 1), D(2026, 6, 30), E("-604.93"))
    ]
    extended = replace(YEARLY, end=D(2026, 9, 30))
    # 1200.00 × 273/365 = 897.53; billed so far 595.07 → +302.46
    assert lines(due(extended, D(2026, 3, 1), credited)) == [
        ("correction:2", D(2026, 1, 1), D(2026, 9, 30), E("302.46"))
    ]
    # Cancellation withdrawn: back to the full year.
    assert lines(due(YEARLY, D(2026, 3, 1), credited)) == [
        ("correction:2", D(2026, 1, 1), D(2026, 12, 31), E("604.93"))
    ]


def test_periods_billed_in_advance_after_the_end_are_credited_in_full() -> None:
    monthly = terms(D(2026, 1, 1), "30.00")
    billed = run_monthly([monthly], D(2026, 1, 1), D(2026, 3, 1))
    charges = due(replace(monthly, end=D(2026, 1, 31)), D(2026, 3, 2), billed)
    assert lines(charges) == [
        ("correction:1", D(2026, 2, 1), D(2026, 2, 28), E("-30.00")),
        ("correction:1", D(2026, 3, 1), D(2026, 3, 31), E("-30.00")),
    ]
    assert [c.prorated for c in charges] == [False, False]


def test_tariff_upgrade_mid_month_credits_the_old_and_prorates_the_successor() -> None:
    old = terms(D(2026, 1, 1), "30.00", subscription_id=1)
    billed = as_billed(due(old, D(2026, 1, 1)))
    old_ended = replace(old, end=D(2026, 1, 14))
    successor = terms(D(2026, 1, 15), "50.00", subscription_id=2)
    result = charges_due([old_ended, successor], billed, D(2026, 1, 15), ALIGNED)
    # old: 30.00 × 14/31 = 13.55 remains, 30.00 − 13.55 = 16.45 credited;
    # new: 50.00 × 17/31 = 27.42 for 15–31 Jan.
    assert [
        (c.subscription_id, *line)
        for c, line in zip(result.charges, lines(result.charges), strict=True)
    ] == [
        (1, "correction:1", D(2026, 1, 1), D(2026, 1, 14), E("-16.45")),
        (2, "recurring", D(2026, 1, 15), D(2026, 1, 31), E("27.42")),
    ]


def test_correction_numbers_continue_after_the_highest_existing_one() -> None:
    billed = YEARLY_BILLED + [
        BilledCharge(1, "correction:1", D(2026, 1, 1), D(2026, 6, 30), E("-604.93")),
        BilledCharge(1, "correction:2", D(2026, 1, 1), D(2026, 12, 31), E("604.93")),
    ]
    charges = due(replace(YEARLY, end=D(2026, 3, 31)), D(2026, 4, 1), billed)
    # 1200.00 × 90/365 = 295.89
    assert lines(charges) == [("correction:3", D(2026, 1, 1), D(2026, 3, 31), E("-904.11"))]


def test_anniversary_start_moved_later_credits_the_old_period_and_bills_the_new() -> None:
    billed = [BilledCharge(1, "recurring", D(2026, 1, 17), D(2026, 2, 16), E("30.00"))]
    moved = terms(D(2026, 1, 20), "30.00")
    charges = due(moved, D(2026, 1, 20), billed, ANNIVERSARY)
    assert lines(charges) == [
        ("correction:1", D(2026, 1, 17), D(2026, 2, 16), E("-30.00")),
        ("recurring", D(2026, 1, 20), D(2026, 2, 19), E("30.00")),
    ]
    assert due(moved, D(2026, 1, 20), billed + as_billed(charges), ANNIVERSARY) == ()


# --- arrears ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "as_of", "expected"),
    [
        (D(2026, 1, 1), None, D(2026, 3, 31), []),
        (D(2026, 1, 1), None, D(2026, 4, 1), [(D(2026, 1, 1), D(2026, 3, 31), E("90.00"))]),
        # 15 Feb–31 Mar: 45 of Q1's 90 days → 45.00
        (D(2026, 2, 15), None, D(2026, 4, 1), [(D(2026, 2, 15), D(2026, 3, 31), E("45.00"))]),
        # Ended 15 May: billed when the quarter is over, 45/91 × 90.00 = 44.505… → 44.51
        (D(2026, 4, 1), D(2026, 5, 15), D(2026, 5, 16), []),
        (D(2026, 4, 1), D(2026, 5, 15), D(2026, 7, 1),
         [(D(2026, 4, 1), D(2026, 5, 15), E("44.51"))]),
    ],
)  # fmt: skip
def test_quarterly_in_arrears_bills_only_finished_quarters(start, end, as_of, expected) -> None:
    contract = terms(start, "90.00", end=end, interval=3, timing="arrears")
    assert lines(due(contract, as_of)) == [("recurring", *line) for line in expected]


# --- setup fee, zero prices, add-ons ----------------------------------------------------------


def test_setup_fee_comes_once_with_the_first_period() -> None:
    contract = terms(D(2026, 1, 17), "30.00", setup_fee="99.00")
    first = due(contract, D(2026, 1, 17))
    assert lines(first) == [
        ("recurring", D(2026, 1, 17), D(2026, 1, 31), E("14.52")),
        ("setup", D(2026, 1, 17), D(2026, 1, 17), E("99.00")),
    ]
    assert lines(due(contract, D(2026, 2, 1), as_billed(first))) == [
        ("recurring", D(2026, 2, 1), D(2026, 2, 28), E("30.00"))
    ]


def test_setup_fee_in_arrears_waits_for_the_first_period_to_end() -> None:
    contract = terms(D(2026, 1, 17), "30.00", setup_fee="99.00", timing="arrears")
    assert due(contract, D(2026, 1, 31)) == ()
    assert [c.kind for c in due(contract, D(2026, 2, 1))] == ["recurring", "setup"]


def test_zero_price_tariff_still_proposes_zero_lines_for_the_caller() -> None:
    charges = due(terms(D(2026, 1, 1), "0.00"), D(2026, 2, 1))
    assert [(c.kind, c.amount, c.is_zero) for c in charges] == [
        ("recurring", E("0.00"), True),
        ("recurring", E("0.00"), True),
    ]
    assert due(terms(D(2026, 1, 1), "0.00"), D(2026, 2, 1), as_billed(charges)) == ()


def test_addon_is_billed_with_the_subscription_periods_within_its_own_range() -> None:
    contract = terms(
        D(2026, 1, 1), "30.00", end=D(2026, 3, 20), addons=(addon(7, "5.00", D(2026, 2, 10)),)
    )
    # add-on: 5.00 × 19/28 = 3.39 for 10–28 Feb; 5.00 × 20/31 = 3.23 for 1–20 Mar
    assert lines(due(contract, D(2026, 3, 1))) == [
        ("recurring", D(2026, 1, 1), D(2026, 1, 31), E("30.00")),
        ("recurring", D(2026, 2, 1), D(2026, 2, 28), E("30.00")),
        ("addon:7", D(2026, 2, 10), D(2026, 2, 28), E("3.39")),
        ("addon:7", D(2026, 3, 1), D(2026, 3, 20), E("3.23")),
        ("recurring", D(2026, 3, 1), D(2026, 3, 20), E("19.35")),
    ]


def test_addon_ended_after_advance_billing_gets_its_own_correction() -> None:
    contract = terms(D(2026, 3, 1), "30.00", addons=(addon(7, "5.00", D(2026, 3, 1)),))
    billed = as_billed(due(contract, D(2026, 3, 1)))
    ended = replace(contract, addons=(addon(7, "5.00", D(2026, 3, 1), D(2026, 3, 15)),))
    # 5.00 × 15/31 = 2.42 remains → −2.58
    assert lines(due(ended, D(2026, 3, 16), billed)) == [
        ("addon:7:correction:1", D(2026, 3, 1), D(2026, 3, 15), E("-2.58"))
    ]


# --- safety, validation, order ----------------------------------------------------------------


def test_subscription_with_five_years_unbilled_is_refused_not_billed() -> None:
    stale = terms(D(2021, 3, 1), "30.00", subscription_id=1)
    fresh = terms(D(2026, 3, 1), "30.00", subscription_id=2)
    result = charges_due([stale, fresh], [], D(2026, 3, 1), ALIGNED)
    assert [(c.subscription_id, c.kind, c.amount) for c in result.charges] == [
        (2, "recurring", E("30.00"))
    ]
    assert [(r.subscription_id, r.periods_due) for r in result.refusals] == [(1, 61)]
    assert result.refusals[0].reason == (
        "61 billing periods due for the first time (2021-03-01 to 2026-03-01), more than the "
        "24 allowed per run; check the start date and what was billed, or bill with a higher limit"
    )


@pytest.mark.parametrize(("limit", "refused"), [(24, False), (23, True)])
def test_safety_bound_counts_new_periods_against_the_limit(limit, refused) -> None:
    contract = terms(D(2024, 4, 1), "30.00")  # April 2024 – March 2026: 24 periods
    result = charges_due([contract], [], D(2026, 3, 1), EngineSettings(max_periods_per_run=limit))
    assert (len(result.charges), len(result.refusals)) == ((0, 1) if refused else (24, 0))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"interval_months": 0}, "interval_months must be a whole number >= 1, got 0"),
        ({"timing": "later"}, "timing must be 'advance' or 'arrears', got 'later'"),
        ({"unit_price": Decimal("NaN")}, "unit_price must be a finite Decimal, got Decimal('NaN')"),
        ({"quantity": 2.5}, "quantity must be a finite Decimal, got 2.5"),
    ],
)
def test_invalid_terms_are_refused_with_the_field_and_reason(change, reason) -> None:
    broken = replace(terms(D(2026, 1, 1)), **change)
    result = charges_due([broken], [], D(2026, 3, 1), ALIGNED)
    assert result.charges == ()
    assert [(r.subscription_id, r.reason, r.periods_due) for r in result.refusals] == [
        (1, reason, 0)
    ]


def test_duplicate_subscription_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="each subscription_id may appear only once"):
        charges_due([terms(D(2026, 1, 1)), terms(D(2026, 1, 1))], [], D(2026, 1, 1), ALIGNED)


def test_unknown_kinds_and_other_subscriptions_lines_are_left_alone() -> None:
    billed = [
        BilledCharge(1, "manual", D(2026, 1, 1), D(2026, 1, 31), E("500.00")),
        BilledCharge(99, "recurring", D(2026, 1, 1), D(2026, 1, 31), E("30.00")),
    ]
    assert lines(due(terms(D(2026, 1, 1)), D(2026, 1, 1), billed)) == [
        ("recurring", D(2026, 1, 1), D(2026, 1, 31), E("30.00"))
    ]


def test_output_is_ordered_by_account_subscription_period_and_kind() -> None:
    subscriptions = [
        terms(D(2026, 1, 1), subscription_id=5, account_id=200),
        terms(D(2026, 1, 1), subscription_id=9, account_id=100, setup_fee="10"),
        terms(D(2026, 1, 1), subscription_id=3, account_id=200),
    ]
    result = charges_due(subscriptions, [], D(2026, 2, 1), ALIGNED)
    assert [
        (c.account_id, c.subscription_id, c.period_start.month, c.kind) for c in result.charges
    ] == [
        (100, 9, 1, "recurring"),
        (100, 9, 1, "setup"),
        (100, 9, 2, "recurring"),
        (200, 3, 1, "recurring"),
        (200, 3, 2, "recurring"),
        (200, 5, 1, "recurring"),
        (200, 5, 2, "recurring"),
    ]


@pytest.mark.parametrize(
    ("kind", "parsed"),
    [
        ("recurring", ("recurring", 0)),
        ("correction:3", ("recurring", 3)),
        ("addon:7", ("addon:7", 0)),
        ("addon:7:correction:2", ("addon:7", 2)),
        ("setup", ("setup", 0)),
        ("one_off", None),
        ("addon:x", None),
        ("correction:", None),
        ("addon:7:credit:2", None),
    ],
)
def test_charge_kinds_name_their_family_and_correction_number(kind, parsed) -> None:
    assert parse_kind(kind) == parsed
    if parsed is not None and parsed[1]:
        assert correction_kind(*parsed) == kind
