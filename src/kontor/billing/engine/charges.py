"""What is due: the target per period minus what was billed. Pure: no Django.

For every billing period of a subscription (and of each add-on) the engine computes what
SHOULD have been billed (the target) and subtracts what WAS billed for that period; the
difference is proposed as a charge. Running it again with its own output as `already_billed`
proposes nothing. The rules and worked examples are in `docs/billing-engine.md`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kontor.billing.engine.periods import Period, PeriodGrid, service_periods
from kontor.billing.engine.proration import Coverage, covered_part
from kontor.billing.engine.types import (
    RECURRING,
    SETUP,
    BilledCharge,
    EngineResult,
    EngineSettings,
    ProposedCharge,
    Refusal,
    SubscriptionTerms,
    correction_kind,
    parse_kind,
)
from kontor.core.money import round_money

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class _Family:
    """The subscription itself or one add-on: a price for a range of days."""

    name: str  # "recurring" or "addon:<id>"
    unit_price: Decimal
    quantity: Decimal
    start: date
    end: date | None
    full: Decimal  # unit_price × quantity, unrounded
    full_rounded: Decimal

    @classmethod
    def of(
        cls, name: str, unit_price: Decimal, quantity: Decimal, start: date, end: date | None
    ) -> _Family:
        full = unit_price * quantity
        return cls(name, unit_price, quantity, start, end, full, round_money(full))

    def target(self, period: Period | None, coverage: Coverage | None) -> Decimal:
        if period is None or coverage is None:
            return ZERO
        if coverage[2] == period[2]:
            return self.full_rounded
        return round_money(self.full * coverage[2] / period[2])


@dataclass(slots=True)
class _Billed:
    """What was billed for one period of one family."""

    period: Period | None  # None: the line lies before an anniversary grid (start was moved)
    total: Decimal
    has_first: bool
    last_correction: int
    first_day: date
    last_day: date


def _families(terms: SubscriptionTerms) -> list[_Family]:
    families = [_Family.of(RECURRING, terms.unit_price, terms.quantity, terms.start, terms.end)]
    for addon in terms.addons:
        start = max(addon.start, terms.start)
        ends = [end for end in (addon.end, terms.end) if end is not None]
        end = min(ends) if ends else None
        name = f"addon:{addon.addon_id}"
        families.append(_Family.of(name, addon.unit_price, addon.quantity, start, end))
    return families


def _index_billed(
    lines: Iterable[BilledCharge], grid: PeriodGrid
) -> tuple[dict[str, dict[date, _Billed]], bool]:
    """Billed lines by family and full period start; and whether the setup fee was billed."""
    index: dict[str, dict[date, _Billed]] = {}
    setup_billed = False
    for line in lines:
        kind = line.kind
        parsed = (RECURRING, 0) if kind == RECURRING else parse_kind(kind)
        if parsed is None:
            continue
        family, number = parsed
        if family == SETUP:
            setup_billed = True
            continue
        first_day, last_day = line.period_start, line.period_end
        period = grid.period_of(first_day)
        key = first_day if period is None else period[0]
        groups = index.get(family)
        if groups is None:
            groups = index[family] = {}
        billed = groups.get(key)
        if billed is None:
            groups[key] = _Billed(period, line.amount, not number, number, first_day, last_day)
            continue
        billed.total += line.amount
        if not number:
            billed.has_first = True
        elif number > billed.last_correction:
            billed.last_correction = number
        if first_day < billed.first_day:
            billed.first_day = first_day
        if last_day > billed.last_day:
            billed.last_day = last_day
    return index, setup_billed


def _difference(
    terms: SubscriptionTerms,
    family: _Family,
    period: Period | None,
    coverage: Coverage | None,
    billed: _Billed | None,
) -> ProposedCharge | None:
    target = family.target(period, coverage)
    if billed is None:
        kind, amount = family.name, target
    else:
        amount = target - billed.total
        if not amount:
            return None
        kind = (
            correction_kind(family.name, billed.last_correction + 1)
            if billed.has_first
            else family.name
        )
    if coverage is not None:
        first_day, last_day = coverage[0], coverage[1]
    else:  # nothing covered any more: the line credits what was billed
        assert billed is not None
        first_day, last_day = billed.first_day, billed.last_day
    prorated = coverage is not None and period is not None and coverage[2] != period[2]
    return ProposedCharge(
        terms.subscription_id,
        terms.account_id,
        kind,
        first_day,
        last_day,
        family.quantity,
        family.unit_price,
        amount,
        prorated,
    )


def _family_charges(
    terms: SubscriptionTerms,
    family: _Family,
    due: Sequence[Period],
    billed: dict[date, _Billed],
    new_periods: set[date],
) -> list[ProposedCharge]:
    """Charges of one family; records periods billed for the first time in `new_periods`."""
    charges = []
    billed = dict(billed)
    start, end = family.start, family.end
    for period in due:
        coverage = covered_part(period[0], period[1], start, end)
        previous = billed.pop(period[0], None)
        if previous is None:
            if coverage is None:
                continue
            new_periods.add(period[0])
        elif coverage is not None and coverage[2] == period[2]:
            if previous.total == family.full_rounded:
                continue  # the usual case: a whole period, billed in full
        charge = _difference(terms, family, period, coverage, previous)
        if charge is not None:
            charges.append(charge)
    for previous in billed.values():  # billed earlier, not due now: correct if the target moved
        period = previous.period
        coverage = None if period is None else covered_part(period[0], period[1], start, end)
        charge = _difference(terms, family, period, coverage, previous)
        if charge is not None:
            charges.append(charge)
    return charges


def _setup_charge(terms: SubscriptionTerms) -> ProposedCharge:
    fee = terms.setup_fee
    return ProposedCharge(
        terms.subscription_id,
        terms.account_id,
        SETUP,
        terms.start,
        terms.start,
        ONE,
        fee,
        round_money(fee),
        False,
    )


def _invalid(terms: SubscriptionTerms) -> str | None:
    """Why the terms cannot be billed, or None."""
    interval = terms.interval_months
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
        return f"interval_months must be a whole number >= 1, got {interval!r}"
    if terms.timing not in ("advance", "arrears"):
        return f"timing must be 'advance' or 'arrears', got {terms.timing!r}"
    figures = [("unit_price", terms.unit_price), ("quantity", terms.quantity)]
    figures.append(("setup_fee", terms.setup_fee))
    for addon in terms.addons:
        figures.append((f"addon {addon.addon_id} unit_price", addon.unit_price))
        figures.append((f"addon {addon.addon_id} quantity", addon.quantity))
    for name, value in figures:
        if not isinstance(value, Decimal) or not value.is_finite():
            return f"{name} must be a finite Decimal, got {value!r}"
    return None


def _refusal(terms: SubscriptionTerms, new_periods: set[date], limit: int) -> Refusal:
    first, last = min(new_periods), max(new_periods)
    reason = (
        f"{len(new_periods)} billing periods due for the first time ({first} to {last}), "
        f"more than the {limit} allowed per run; check the start date and what was billed, "
        f"or bill with a higher limit"
    )
    return Refusal(terms.subscription_id, reason, len(new_periods), first, last, limit)


def subscription_charges(
    terms: SubscriptionTerms,
    already_billed: Iterable[BilledCharge],
    as_of: date,
    settings: EngineSettings,
) -> tuple[list[ProposedCharge], Refusal | None]:
    """The charges for one subscription (unsorted), or a refusal and no charges."""
    problem = _invalid(terms)
    if problem is not None:
        return [], Refusal(terms.subscription_id, problem, 0)
    grid = PeriodGrid.of(terms, settings)
    periods = service_periods(terms, grid, as_of)
    due = periods if terms.timing == "advance" else [p for p in periods if p[1] < as_of]
    billed, setup_billed = _index_billed(already_billed, grid)
    charges: list[ProposedCharge] = []
    new_periods: set[date] = set()
    for family in _families(terms):
        charges += _family_charges(terms, family, due, billed.get(family.name, {}), new_periods)
    if len(new_periods) > settings.max_periods_per_run:
        return [], _refusal(terms, new_periods, settings.max_periods_per_run)
    if terms.setup_fee > 0 and due and not setup_billed:
        charges.append(_setup_charge(terms))
    return charges, None


def _order(charge: ProposedCharge) -> tuple[int, int, date, str]:
    return charge.account_id, charge.subscription_id, charge.period_start, charge.kind


def charges_due(
    subscriptions: Iterable[SubscriptionTerms],
    already_billed: Iterable[BilledCharge],
    as_of: date,
    settings: EngineSettings,
) -> EngineResult:
    """Every charge due up to `as_of` that was not billed yet, and every correction.

    `already_billed` must hold all charges ever billed for the given subscriptions (lines of
    other subscriptions are ignored). Output is ordered by account, subscription, period start
    and kind.
    """
    terms_list = list(subscriptions)
    billed_by_subscription: dict[int, list[BilledCharge]] = {
        terms.subscription_id: [] for terms in terms_list
    }
    if len(billed_by_subscription) != len(terms_list):
        raise ValueError("each subscription_id may appear only once")
    for line in already_billed:
        lines = billed_by_subscription.get(line.subscription_id)
        if lines is not None:
            lines.append(line)
    charges: list[ProposedCharge] = []
    refusals: list[Refusal] = []
    for terms in terms_list:
        lines, refusal = subscription_charges(
            terms, billed_by_subscription[terms.subscription_id], as_of, settings
        )
        charges += lines
        if refusal is not None:
            refusals.append(refusal)
    charges.sort(key=_order)
    refusals.sort(key=lambda refusal: refusal.subscription_id)
    return EngineResult(tuple(charges), tuple(refusals))
