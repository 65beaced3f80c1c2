"""The spending limit of collective invoice profiles, and the status an account shows.

An interval's total is what its collective invoice will hold: the items collected for its
billing date so far, plus what the account's contracts will still charge before that date
(renewals, projected by the pure engine). An order or one-off charge that would take the
total past the limit is refused; renewals are never refused, so the total can exceed the
limit — then every further order is refused until the next interval.
"""

from __future__ import annotations

from collections import defaultdict
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
from kontor.billing.engine.collective import interval_of, next_billing_date, previous_billing_date
from kontor.billing.models import BillingSettings, Charge, CollectiveProfile
from kontor.billing.runs import engine_settings
from kontor.billing.terms_loader import load_terms
from kontor.core import clock
from kontor.core.errors import Conflict
from kontor.core.permissions import is_staff_actor
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
    collected: Decimal  # collected with a service date in the interval (billed or not)
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
    total = interval_totals(account.pk, profile, day)[0]
    remaining = None
    if profile.spending_limit is not None:
        remaining = max(profile.spending_limit - total.used, ZERO)
    return CollectiveStatus(
        profile.pk,
        profile.name if is_staff_actor(actor) else "",  # internal, never shown to customers
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


def interval_totals(
    account_id: int,
    profile: CollectiveProfile,
    day: date,
    is_new: Callable[[ProposedCharge], bool] | None = None,
) -> list[IntervalTotal]:
    """The total of the interval that holds `day`, then of every earlier interval that a new
    charge of the order falls into (a backdated order lands in past intervals too)."""
    schedule = schedule_of(profile)
    _start, end = interval_of(schedule, day)
    loaded = load_terms([account_id])
    rules = engine_settings(BillingSettings.load())
    result = charges_due(loaded.terms, loaded.billed, end - timedelta(days=1), rules)
    refused = {r.subscription_id for r in result.refusals}
    upcoming: dict[date, Decimal] = defaultdict(lambda: ZERO)
    new: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for charge in result.charges:
        if charge.subscription_id in refused:
            continue
        billing_date = next_billing_date(schedule, charge.period_start)
        upcoming[billing_date] += charge.amount
        if is_new is not None and is_new(charge):
            new[billing_date] += charge.amount
    ends = [end, *sorted((d for d in new if d != end and new[d]), reverse=True)]
    totals = []
    for billing_date in ends:
        start = previous_billing_date(schedule, billing_date - timedelta(days=1))
        totals.append(
            IntervalTotal(
                start,
                billing_date,
                _collected(account_id, start, billing_date),
                upcoming[billing_date],
                new[billing_date],
            )
        )
    return totals


def _collected(account_id: int, start: date, end: date) -> Decimal:
    """What the account collected with a service date in [start, end), under whichever
    profile or schedule it was stamped (a changed schedule opens no hole in the limit)."""
    total = Charge.objects.filter(
        account_id=account_id,
        collective_date__isnull=False,
        period_start__gte=start,
        period_start__lt=end,
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def spending_check(
    *,
    account_id: int,
    day: date,
    is_new: Callable[[ProposedCharge], bool] | None = None,
    new_amount: Decimal = ZERO,
) -> None:
    """Refuse (raise) when what is being ordered takes an interval past the profile's limit:
    the interval of `day`, and every earlier one the order's new charges fall into. Call it
    after writing the order, inside the same transaction: the refusal rolls everything back.
    `is_new` picks the engine's charges of the order (a new subscription, add-on or tariff);
    `new_amount` is a one-off charge with service date `day`, already saved."""
    profile = active_profiles([account_id]).get(account_id)
    if profile is None or profile.spending_limit is None:
        return
    _lock(account_id)
    for total in interval_totals(account_id, profile, day, is_new):
        extra = new_amount if total.start <= day < total.end else ZERO
        cost = total.new + extra
        used = total.used - extra
        if cost > 0 and used + cost > profile.spending_limit:
            raise _exceeded(account_id, profile.spending_limit, total.end, used, cost)


def _exceeded(
    account_id: int, limit: Decimal, end: date, used: Decimal, cost: Decimal
) -> SpendingLimitExceeded:
    return SpendingLimitExceeded(
        _(
            "Spending limit reached: the limit for the interval up to %(end)s is %(limit)s "
            "%(currency)s, %(used)s %(currency)s are used, %(left)s %(currency)s are left; "
            "this order costs %(cost)s %(currency)s."
        )
        % {
            "end": date_format(end, "SHORT_DATE_FORMAT"),
            "limit": limit,
            "used": used,
            "left": max(limit - used, ZERO),
            "cost": cost,
            "currency": Account.objects.values_list("currency", flat=True).get(pk=account_id),
        },
        limit=limit,
        used=used,
        cost=cost,
    )


def _lock(account_id: int) -> None:
    """Two orders at once must not both fit into the same remaining credit."""
    list(Account.objects.select_for_update().filter(pk=account_id).values_list("pk"))
