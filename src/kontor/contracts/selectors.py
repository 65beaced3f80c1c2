"""Reads on contracts and subscriptions, with the actor's visibility applied."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kontor.catalog.models import TariffVersion
from kontor.contracts import terms
from kontor.contracts.models import Subscription
from kontor.core.errors import NotFound
from kontor.core.permissions import Action, is_staff_actor, require


def subscription_queryset(actor: Any) -> QuerySet[Subscription]:
    require(actor, Action.SUBSCRIPTION_VIEW)
    qs = Subscription.objects.select_related(
        "tariff_version__tariff__module", "contract", "account"
    )
    return qs if is_staff_actor(actor) else qs.filter(account__owner=actor)


def subscription_for_actor(actor: Any, subscription_id: int) -> Subscription:
    try:
        return subscription_queryset(actor).get(pk=subscription_id)
    except (Subscription.DoesNotExist, ValueError) as exc:
        raise NotFound(_("Subscription %s does not exist.") % subscription_id) from exc


def subscriptions_of_account(
    actor: Any, account_id: int, *, current_on: date | None = None
) -> QuerySet[Subscription]:
    qs = subscription_queryset(actor).filter(account_id=account_id)
    if current_on is not None:
        qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=current_on))
    return qs.prefetch_related("addons__article").order_by("start_date", "id")


def term_start(subscription: Subscription) -> date:
    """Terms run from the first subscription of a tariff-change chain: a change of tariff
    does not restart the minimum term."""
    start = subscription.start_date
    current = subscription
    while current.predecessor_id is not None:
        current = current.predecessor  # type: ignore[assignment]
        start = current.start_date
    return start


def terms_of(subscription: Subscription, version: TariffVersion | None = None) -> terms.Terms:
    version = version or subscription.tariff_version
    return terms.Terms(
        start=term_start(subscription),
        minimum_term_months=version.minimum_term_months,
        renewal_term_months=version.renewal_term_months,
        notice=terms.NoticePeriod(
            amount=version.notice_amount,
            unit=version.notice_unit,  # type: ignore[arg-type]
            anchor=version.notice_anchor,  # type: ignore[arg-type]
        ),
    )


def earliest_cancellation_date(subscription: Subscription, notice_given_on: date) -> date:
    return terms.earliest_end_date(terms_of(subscription), notice_given_on)


def current_tariff_version(tariff_id: int, on: date) -> TariffVersion:
    version = (
        TariffVersion.objects.filter(tariff_id=tariff_id, valid_from__lte=on)
        .select_related("tariff")
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        raise NotFound(
            _("Tariff %(tariff)s has no version valid on %(date)s.")
            % {"tariff": tariff_id, "date": on}
        )
    return version


def default_start_date(order_date: date) -> date:
    """When a module ordered on `order_date` starts, per the billing settings."""
    from kontor.billing.engine import service_start_for_order
    from kontor.billing.models import BillingSettings

    settings = BillingSettings.load()
    if not settings.start_next_month:
        return order_date
    # Without a cutoff day every order starts on the 1st of the following month.
    return service_start_for_order(order_date, settings.start_cutoff_day or 31)
