"""The spending limit of collective invoice profiles, and the status an account shows.

An interval's total is what its collective invoice will hold: the items collected for its
billing date so far, plus what the account's contracts will still charge before that date
(renewals, projected by the pure engine). An order or one-off charge that would take the
total past the limit is refused; renewals are never refused, so the total can exceed the
limit — then every further order is refused until the next interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kontor.billing.collective import active_profiles, schedule_of
from kontor.billing.engine import ProposedCharge, charges_due
from kontor.billing.engine.collective import interval_of
from kontor.billing.models import BillingSettings, Charge, CollectiveProfile
from kontor.billing.runs import engine_settings
from kontor.billing.terms_loader import load_terms
from kontor.core import clock
from kontor.core.errors import Conflict
from kontor.customers.models import Account
from kontor.customers.selectors import account_for_actor

ZERO = Decimal("0.00")


class SpendingLimitExceeded(Conflict):
    default_code = "spending_limit"

    def __init__(self, message: str, *, limit: Decimal, used: Decimal, cost: Decimal) -> None:
        super().__init__(message, code=self.default_code)
        self.limit, self.used, self.cost = limit, used, cost
        self.left = max(limit - used, ZERO)


@dataclass(frozen=True)
class IntervalTotal:
    start: date
    end: date  # the billing date: the interval is [start, end)
    collected: Decimal  # charged and waiting for `end` (or already billed early)
    upcoming: Decimal  # what contracts will still charge before `end`
    new: Decimal  # of that, what the subscriptions being ordered charge

    @property
    def used(self) -> Decimal:
        return self.collected + self.upcoming - self.new


@dataclass(frozen=True)
class CollectiveStatus:
    """What an account shows about its collective invoicing."""

    profile_id: int | None
    profile_name: str
    interval: str
    next_billing_date: date | None
    interval_start: date | None
    spending_limit: Decimal | None
    collected: Decimal
    upcoming: Decimal
    remaining: Decimal | None  # None: no limit
    pending_items: int  # collected, not yet invoiced (also after the profile was removed)
    pending_amount: Decimal
    pending_first_date: date | None  # the earliest billing date among them


def collective_status(
    *, actor: Any, account_id: int, today: date | None = None
) -> CollectiveStatus:
    account = account_for_actor(actor, account_id)
    day = today or clock.today()
    pending = Charge.objects.filter(
        account_id=account.pk, collective_date__isnull=False, invoice_line__isnull=True
    ).aggregate(items=Count("id"), amount=Sum("amount"), first=Min("collective_date"))
    profile = active_profiles([account.pk]).get(account.pk)
    if profile is None:
        return CollectiveStatus(
            None, "", "", pending["first"], None, None, ZERO, ZERO, None,
            pending["items"], pending["amount"] or ZERO, pending["first"],
        )  # fmt: skip
    total = interval_total(account.pk, profile, day)
    remaining = None
    if profile.spending_limit is not None:
        remaining = max(profile.spending_limit - total.used, ZERO)
    return CollectiveStatus(
        profile.pk,
        profile.name,
        profile.interval,
        total.end,
        total.start,
        profile.spending_limit,
        total.collected,
        total.upcoming,
        remaining,
        pending["items"],
        pending["amount"] or ZERO,
        pending["first"],
    )


def interval_total(
    account_id: int,
    profile: CollectiveProfile,
    day: date,
    is_new: Callable[[ProposedCharge], bool] | None = None,
) -> IntervalTotal:
    """The total of the interval that holds `day`."""
    start, end = interval_of(schedule_of(profile), day)
    collected = (
        Charge.objects.filter(
            account_id=account_id, collective_profile=profile, collective_date=end
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    upcoming = new = ZERO
    loaded = load_terms([account_id])
    rules = engine_settings(BillingSettings.load())
    result = charges_due(loaded.terms, loaded.billed, end - timedelta(days=1), rules)
    refused = {r.subscription_id for r in result.refusals}
    for charge in result.charges:
        if charge.subscription_id in refused or not start <= charge.period_start < end:
            continue
        upcoming += charge.amount
        if is_new is not None and is_new(charge):
            new += charge.amount
    return IntervalTotal(start, end, collected, upcoming, new)


def spending_check(
    *,
    account_id: int,
    day: date,
    is_new: Callable[[ProposedCharge], bool] | None = None,
    new_amount: Decimal = ZERO,
) -> None:
    """Refuse (raise) when what is being ordered takes the interval of `day` past the
    profile's limit. Call it after writing the order, inside the same transaction: the
    refusal rolls everything back. `is_new` picks the engine's charges of the order (a new
    subscription, add-on or tariff); `new_amount` is a one-off charge already saved."""
    profile = active_profiles([account_id]).get(account_id)
    if profile is None or profile.spending_limit is None:
        return
    _lock(account_id)
    total = interval_total(account_id, profile, day, is_new)
    cost = total.new + new_amount
    used = total.used - new_amount
    if cost <= 0 or used + cost <= profile.spending_limit:
        return
    raise SpendingLimitExceeded(
        _(
            "Spending limit reached: the limit for the interval up to %(end)s is %(limit)s "
            "%(currency)s, %(used)s %(currency)s are used, %(left)s %(currency)s are left; "
            "this order costs %(cost)s %(currency)s."
        )
        % {
            "end": date_format(total.end, "SHORT_DATE_FORMAT"),
            "limit": profile.spending_limit,
            "used": used,
            "left": max(profile.spending_limit - used, ZERO),
            "cost": cost,
            "currency": Account.objects.values_list("currency", flat=True).get(pk=account_id),
        },
        limit=profile.spending_limit,
        used=used,
        cost=cost,
    )


def _lock(account_id: int) -> None:
    """Two orders at once must not both fit into the same remaining credit."""
    list(Account.objects.select_for_update().filter(pk=account_id).values_list("pk"))
