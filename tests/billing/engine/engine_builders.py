"""Small builders for billing engine tests: terms, feeding results back, running month by month."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from kontor.billing.engine import (
    AddonTerms,
    BilledCharge,
    EngineSettings,
    ProposedCharge,
    SubscriptionTerms,
    charges_due,
)
from kontor.core.periods import add_months

ALIGNED = EngineSettings()
ANNIVERSARY = EngineSettings(align_to_calendar=False)


def terms(
    start: date,
    price: str = "30.00",
    *,
    end: date | None = None,
    interval: int = 1,
    quantity: str = "1",
    timing: str = "advance",
    setup_fee: str = "0",
    addons: tuple[AddonTerms, ...] = (),
    subscription_id: int = 1,
    account_id: int = 100,
) -> SubscriptionTerms:
    return SubscriptionTerms(
        subscription_id=subscription_id,
        account_id=account_id,
        start=start,
        end=end,
        interval_months=interval,
        unit_price=Decimal(price),
        quantity=Decimal(quantity),
        timing=timing,  # type: ignore[arg-type]
        setup_fee=Decimal(setup_fee),
        addons=addons,
    )


def addon(addon_id: int, price: str, start: date, end: date | None = None, quantity: str = "1"):
    return AddonTerms(addon_id, Decimal(price), Decimal(quantity), start, end)


def as_billed(charges: Iterable[ProposedCharge]) -> list[BilledCharge]:
    """What the billing run would store for proposed charges."""
    return [
        BilledCharge(c.subscription_id, c.kind, c.period_start, c.period_end, c.amount)
        for c in charges
    ]


def lines(charges: Iterable[ProposedCharge]) -> list[tuple[str, date, date, Decimal]]:
    return [(c.kind, c.period_start, c.period_end, c.amount) for c in charges]


def run_monthly(
    subscriptions: list[SubscriptionTerms],
    first_run: date,
    last_run: date,
    settings: EngineSettings = ALIGNED,
    billed: list[BilledCharge] | None = None,
) -> list[BilledCharge]:
    """Run the engine on the 1st of every month from first_run to last_run, storing everything."""
    billed = list(billed or [])
    run = first_run
    while run <= last_run:
        result = charges_due(subscriptions, billed, run, settings)
        assert result.refusals == ()
        billed += as_billed(result.charges)
        run = add_months(run, 1)
    return billed


def total(billed: Iterable[BilledCharge]) -> Decimal:
    return sum((b.amount for b in billed), Decimal(0))
