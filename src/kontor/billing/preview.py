"""The preview of a billing run: what it would bill, per account, without writing a charge or
an invoice."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

from kontor.billing.collective import active_profiles, schedule_of
from kontor.billing.engine import ProposedCharge, charges_due
from kontor.billing.engine.collective import Schedule, next_billing_date
from kontor.billing.models import BillingRun, BillingSettings
from kontor.billing.runs import (
    billable_account_ids,
    chunks,
    engine_settings,
    open_charges,
    refusal_message,
)
from kontor.billing.terms_loader import load_terms
from kontor.core.permissions import Action, require
from kontor.customers.models import Account


def billing_run_preview(*, actor: Any, run_id: int, limit: int = 500) -> dict[str, Any]:
    """What the run would bill, per account, without writing a charge or an invoice.
    Charges collected for a later collective invoice are counted apart (`collected`).

    The summary (and the first `limit` accounts) is stored in the run's report."""
    require(actor, Action.BILLING_RUN_VIEW)
    run = BillingRun.objects.get(pk=run_id)
    settings = engine_settings(BillingSettings.load())
    totals: dict[int, list[Any]] = {}
    refusals: list[dict[str, Any]] = []
    collected = 0
    for chunk in chunks(billable_account_ids()):
        loaded = load_terms(chunk)
        result = charges_due(loaded.terms, loaded.billed, run.as_of, settings)
        refused = {r.subscription_id for r in result.refusals}
        refusals += [
            {"subscription": r.subscription_id, "reason": refusal_message(r)}
            for r in result.refusals
        ]
        waiting = _collected_until(chunk)
        for charge in result.charges:
            if charge.account_id in waiting and waiting[charge.account_id](charge) > run.as_of:
                collected += 1
                continue
            if charge.subscription_id not in refused:
                entry = totals.setdefault(charge.account_id, [0, charge.amount * 0])
                entry[0] += 1
                entry[1] += charge.amount
        for account_id, amount in _open_charge_totals(chunk, run.as_of):
            entry = totals.setdefault(account_id, [0, amount * 0])
            entry[0] += 1
            entry[1] += amount
    numbers = dict(
        Account.objects.filter(pk__in=list(totals)[:limit]).values_list("pk", "customer_number")
    )
    report = {
        "as_of": run.as_of.isoformat(),
        "accounts": len(totals),
        "lines": sum(count for count, _amount in totals.values()),
        "net_total": str(sum((amount for _count, amount in totals.values()), 0)),
        "refused": refusals[:limit],
        "collected": collected,
        "per_account": [
            {"account": numbers.get(pk, str(pk)), "lines": count, "net": str(amount)}
            for pk, (count, amount) in list(sorted(totals.items()))[:limit]
        ],
    }
    BillingRun.objects.filter(pk=run.pk).update(report=report)
    return report


def _open_charge_totals(account_ids: list[int], as_of: date) -> list[tuple[int, Any]]:
    return list(open_charges(account_ids, as_of).values_list("account_id", "amount"))


def _collected_until(account_ids: list[int]) -> dict[int, Callable[[ProposedCharge], date]]:
    """account id → the collective billing date a new charge of the account would get."""
    return {
        account_id: functools.partial(_billing_date, schedule_of(profile))
        for account_id, profile in active_profiles(account_ids).items()
    }


def _billing_date(schedule: Schedule, charge: ProposedCharge) -> date:
    return next_billing_date(schedule, charge.period_start)
