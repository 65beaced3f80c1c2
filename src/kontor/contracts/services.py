"""Writes on contracts: book a module, cancel, change tariff, book add-ons.

Dates: staff other than Managers, and customers, may only choose an end or change date that
the notice rules allow (contracts/terms.py); a Manager may set any date from the start on.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kontor.billing.models import BillingSettings, CollectiveProfile
from kontor.catalog.models import Article, Tariff, TariffVersion
from kontor.contracts import terms
from kontor.contracts.models import Contract, EndReason, Subscription, SubscriptionAddon
from kontor.contracts.selectors import default_start_date, subscription_for_actor, terms_of
from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.batch import atomic, current, keep, kept, remembered
from kontor.core.errors import Conflict, PermissionDenied, invalid
from kontor.core.money import MoneyError, to_decimal
from kontor.core.permissions import Action, can, is_staff_actor, require
from kontor.core.versioning import bump, lock_for_update
from kontor.customers.models import Account
from kontor.customers.selectors import active_account_or_404


@atomic
def subscription_create(
    *,
    actor: Any,
    account_id: int,
    tariff_version_id: int,
    start_date: date | None = None,
    order_date: date | None = None,
    quantity: Decimal | int | str = 1,
    deviating_price: Decimal | str | None = None,
    contract_reference: str | None = None,
    end_date: date | None = None,
    billed_until: date | None = None,
) -> Subscription:
    """Book a module for an account under a contract (created on first use).

    Without `start_date` the service starts per the billing settings: on the order date, or —
    with "start new contracts on the 1st of the following month" — on the 1st after the
    order date, honouring the cutoff day."""
    require(actor, Action.SUBSCRIPTION_CREATE)
    account = active_account_or_404(account_id)
    version = _tariff_version(tariff_version_id)
    if start_date is None:
        start_date = default_start_date(order_date or clock.today())
    if version.valid_from > start_date:
        raise invalid(
            "start_date",
            _("Tariff version %(v)s is valid only from %(d)s.")
            % {"v": version, "d": version.valid_from},
            "tariff_not_valid",
        )
    if end_date is not None and end_date < start_date:
        raise invalid("end_date", _("The end date lies before the start date."), "invalid")
    if billed_until is not None and billed_until < start_date:
        raise invalid("billed_until", _("Billed until lies before the start date."), "invalid")
    reference = (contract_reference or "").strip() or account.customer_number
    contract = _contract(account, reference)
    subscription = Subscription(
        contract=contract,
        account=account,
        module=version.tariff.module,
        tariff_version=version,
        quantity=_quantity(quantity),
        start_date=start_date,
        end_date=end_date,
        billed_until=billed_until,
        end_reason=EndReason.FIXED_TERM if end_date else "",
        deviating_price=_deviating_price(actor, deviating_price),
    )
    subscription._history_user = actor  # type: ignore[attr-defined]
    subscription.save()
    keep(subscription, "created")  # a write batch books its add-ons without reading it again
    _spending_check(account.pk, start_date, lambda c: c.subscription_id == subscription.pk)
    audit(
        actor,
        "subscription.created",
        account,
        subscription=subscription.pk,
        tariff=version.tariff.code,
        start=start_date,
    )
    return subscription


@atomic
def subscription_cancel(
    *,
    actor: Any,
    subscription_id: int,
    expected_version: int | None,
    notice_given_on: date | None = None,
    end_date: date | None = None,
) -> Subscription:
    """Cancel: the end date is the earliest the notice period allows, or the date asked for.

    Only a Manager may choose an end date that the notice rules do not allow.
    """
    require(actor, Action.SUBSCRIPTION_CANCEL)
    subscription = _created_for_staff(actor, subscription_id, expected_version)
    if subscription is None:
        subscription_for_actor(actor, subscription_id)  # visibility (customers: own only)
        subscription = lock_for_update(Subscription, subscription_id, expected_version)
    if subscription.end_reason in (EndReason.CANCELLED, EndReason.TARIFF_CHANGE):
        raise Conflict(
            _("This module is already cancelled to %s.") % subscription.end_date,
            code="already_cancelled",
        )
    given_on = notice_given_on or clock.today()
    contract_terms = terms_of(subscription)
    earliest = terms.earliest_end_date(contract_terms, given_on)
    end = end_date or earliest
    overridden = not terms.is_allowed_end_date(contract_terms, given_on, end)
    if overridden:
        _require_override(actor, "end_date", earliest)
    if end < subscription.start_date:
        raise invalid(
            "end_date",
            _("The end date lies before the start date %s.") % subscription.start_date,
            "invalid",
        )
    subscription.end_date = end
    subscription.notice_given_on = given_on
    subscription.end_reason = EndReason.CANCELLED
    subscription.end_date_overridden = overridden
    _save(subscription, actor)
    SubscriptionAddon.objects.filter(subscription=subscription, end_date__isnull=True).update(
        end_date=end
    )
    SubscriptionAddon.objects.filter(subscription=subscription, end_date__gt=end).update(
        end_date=end
    )
    audit(
        actor,
        "subscription.cancelled",
        subscription.account,
        subscription=subscription.pk,
        notice_given_on=given_on,
        end_date=end,
        earliest=earliest,
        overridden=overridden,
    )
    return subscription


@transaction.atomic
def subscription_change_tariff(
    *,
    actor: Any,
    subscription_id: int,
    expected_version: int | None,
    tariff_version_id: int,
    requested_on: date | None = None,
    effective_date: date | None = None,
    quantity: Decimal | int | str | None = None,
) -> Subscription:
    """Switch to another tariff of the same module from `effective_date` (first day of the new
    tariff): the old subscription ends the day before, a successor starts. Upgrades (higher
    price per month) may take effect at once; other changes follow the notice rules."""
    require(actor, Action.SUBSCRIPTION_CHANGE_TARIFF)
    subscription_for_actor(actor, subscription_id)
    old = lock_for_update(Subscription, subscription_id, expected_version)
    if old.end_reason in (EndReason.CANCELLED, EndReason.TARIFF_CHANGE):
        raise Conflict(
            _("This module is cancelled or already changed; it cannot change tariff."),
            code="already_ended",
        )
    new_version = _tariff_version(tariff_version_id)
    if new_version.tariff.module_id != old.module_id:
        raise invalid(
            "tariff_version", _("The new tariff must belong to the same module."), "other_module"
        )
    if (
        new_version.tariff_id == old.tariff_version.tariff_id
        and new_version.pk == old.tariff_version_id
    ):
        raise invalid("tariff_version", _("This is already the current tariff."), "unchanged")
    requested = requested_on or clock.today()
    earliest = terms.earliest_tariff_change_date(
        terms_of(old), requested, is_upgrade=_monthly(new_version) > _monthly(old.tariff_version)
    )
    effective = effective_date or earliest
    if effective != earliest and not _allowed_change_date(old, requested, effective, earliest):
        _require_override(actor, "effective_date", earliest)
    if effective <= old.start_date:
        raise invalid(
            "effective_date",
            _("The change must take effect after the start %s.") % old.start_date,
            "invalid",
        )
    if new_version.valid_from > effective:
        raise invalid(
            "effective_date",
            _("Tariff version %(v)s is valid only from %(d)s.")
            % {"v": new_version, "d": new_version.valid_from},
            "tariff_not_valid",
        )
    original_end, original_reason = old.end_date, old.end_reason
    old.end_date = effective - timedelta(days=1)
    old.end_reason = EndReason.TARIFF_CHANGE
    old.notice_given_on = requested
    old.end_date_overridden = effective != earliest
    _save(old, actor)
    successor = Subscription(
        contract=old.contract,
        account=old.account,
        module=old.module,
        tariff_version=new_version,
        quantity=old.quantity if quantity is None else _quantity(quantity),
        start_date=effective,
        end_date=original_end,
        end_reason=original_reason,
        predecessor=old,
    )
    _save(successor, actor, bump_version=False)
    _carry_addons(old, successor, effective)
    _spending_check(old.account_id, effective, lambda c: c.subscription_id == successor.pk)
    audit(
        actor,
        "subscription.tariff_changed",
        old.account,
        subscription=old.pk,
        successor=successor.pk,
        tariff=new_version.tariff.code,
        effective=effective,
        earliest=earliest,
    )
    return successor


@atomic
def subscription_book_addon(
    *,
    actor: Any,
    subscription_id: int,
    article_id: int,
    start_date: date,
    quantity: Decimal | int | str = 1,
) -> SubscriptionAddon:
    require(actor, Action.SUBSCRIPTION_BOOK_ADDON)
    # A subscription this write batch created is invisible to other transactions: no lock.
    subscription = kept(Subscription, subscription_id, "created") or lock_for_update(
        Subscription, subscription_id, None
    )
    article = remembered(Article, article_id, "row", lambda: _article(article_id))
    tariff = subscription.tariff_version.tariff
    if article.pk not in remembered(Tariff, tariff.pk, "addon_ids", lambda: _addon_ids(tariff)):
        raise invalid(
            "article",
            _("%(article)s is not an add-on option of tariff %(tariff)s.")
            % {"article": article, "tariff": subscription.tariff_version.tariff},
            "not_an_addon",
        )
    if start_date < subscription.start_date or (
        subscription.end_date and start_date > subscription.end_date
    ):
        raise invalid("start_date", _("The add-on must start within the module's term."), "invalid")
    addon = SubscriptionAddon(
        subscription=subscription,
        article=article,
        start_date=start_date,
        quantity=_quantity(quantity),
        end_date=subscription.end_date,
        booked_by=actor,
    )
    addon._history_user = actor  # type: ignore[attr-defined]
    addon.save()
    kind = f"addon:{addon.pk}"
    _spending_check(
        subscription.account_id,
        start_date,
        lambda c: c.subscription_id == subscription.pk and c.kind.split(":")[:2] == kind.split(":"),
    )
    audit(
        actor,
        "subscription.addon_booked",
        subscription.account,
        subscription=subscription.pk,
        article=article.number,
        start=start_date,
    )
    return addon


def _created_for_staff(
    actor: Any, subscription_id: int, expected_version: int | None
) -> Subscription | None:
    """The subscription as this write batch created it, for a staff actor who does not ask
    for a version check: staff see every subscription, and no other transaction sees (or
    locks) a row this one created, so neither the visibility read nor the lock can refuse."""
    subscription = kept(Subscription, subscription_id, "created")
    if subscription is None or expected_version is not None or not is_staff_actor(actor):
        return None
    require(actor, Action.SUBSCRIPTION_VIEW)  # as subscription_for_actor does
    return subscription


def _contract(account: Account, reference: str) -> Contract:
    """The account's contract `reference`, created on first use. Inside a write batch a
    contract is read once, and for an account the batch created (invisible to others, so
    without contracts but the batch's own) it is created without looking first."""
    batch = current()
    if batch is None:
        return Contract.objects.get_or_create(account=account, reference=reference)[0]
    purpose = f"contract:{reference}"
    found, contract = batch.recall(Account, account.pk, purpose)
    if not found:
        if kept(Account, account.pk, "created") is not None:
            contract = Contract.objects.create(account=account, reference=reference)
        else:
            contract = Contract.objects.get_or_create(account=account, reference=reference)[0]
        batch.remember(Account, account.pk, purpose, contract)
    return contract  # type: ignore[no-any-return]


def _article(article_id: int) -> Article:
    try:
        return Article.objects.get(pk=article_id)
    except Article.DoesNotExist as exc:
        raise invalid("article", _("Article %s does not exist.") % article_id, "not_found") from exc


def _addon_ids(tariff: Tariff) -> frozenset[int]:
    return frozenset(tariff.addons.values_list("pk", flat=True))


def _spending_check(account_id: int, day: date, is_new: Any) -> None:
    """A collective invoice profile's spending limit refuses orders that exceed it (the
    caller's transaction rolls the order back). A write batch asks once whether any profile
    has a limit: without one, no order can exceed it."""
    from kontor.billing.collective_limits import spending_check

    if current() is not None and not remembered(
        CollectiveProfile,
        None,
        "any_limit",
        lambda: CollectiveProfile.objects.filter(spending_limit__isnull=False).exists(),
    ):
        return

    spending_check(account_id=account_id, day=max(day, clock.today()), is_new=is_new)


def _carry_addons(old: Subscription, successor: Subscription, effective: date) -> None:
    allowed = set(successor.tariff_version.tariff.addons.values_list("pk", flat=True))
    for addon in old.addons.filter(start_date__lte=old.end_date):  # type: ignore[arg-type]
        if addon.end_date is not None and addon.end_date < effective:
            continue
        end, addon.end_date = addon.end_date, old.end_date
        addon.save()
        if addon.article_id in allowed:
            SubscriptionAddon.objects.create(
                subscription=successor,
                article_id=addon.article_id,
                quantity=addon.quantity,
                start_date=effective,
                end_date=end,
                booked_by=addon.booked_by,
            )


def _allowed_change_date(
    old: Subscription, requested: date, effective: date, earliest: date
) -> bool:
    """A later change date is fine when the old tariff could end the day before."""
    return effective > earliest and terms.is_allowed_end_date(
        terms_of(old), requested, effective - timedelta(days=1)
    )


def _require_override(actor: Any, field: str, earliest: date) -> None:
    if not can(actor, Action.SUBSCRIPTION_OVERRIDE_DATE):
        raise PermissionDenied(
            _(
                "The notice period allows %(earliest)s at the earliest (or a later date the "
                "terms allow). Only a manager may set a different date."
            )
            % {"earliest": earliest},
            code="notice_period",
            field=field,
        )


def _monthly(version: TariffVersion) -> Decimal:
    return version.price / version.billing_interval_months


def _save(subscription: Subscription, actor: Any, *, bump_version: bool = True) -> None:
    if bump_version:
        bump(subscription)
    subscription._history_user = actor  # type: ignore[attr-defined]
    subscription.save()


def _tariff_version(tariff_version_id: int) -> TariffVersion:
    return remembered(
        TariffVersion,
        tariff_version_id,
        "with_tariff_module",
        lambda: _read_tariff_version(tariff_version_id),
    )


def _read_tariff_version(tariff_version_id: int) -> TariffVersion:
    try:
        return TariffVersion.objects.select_related("tariff__module").get(pk=tariff_version_id)
    except (TariffVersion.DoesNotExist, ValueError) as exc:
        raise invalid(
            "tariff_version",
            _("Tariff version %s does not exist.") % tariff_version_id,
            "not_found",
        ) from exc


def _quantity(value: Decimal | int | str) -> Decimal:
    try:
        quantity = to_decimal(value, places=3)
    except MoneyError as exc:
        raise invalid("quantity", str(exc), "invalid") from exc
    if quantity <= 0:
        raise invalid("quantity", _("The quantity must be greater than zero."), "invalid")
    return quantity


def _deviating_price(actor: Any, value: Decimal | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    require(actor, Action.SUBSCRIPTION_SET_PRICE)
    if not remembered(BillingSettings, 1, "row", BillingSettings.load).deviating_price_changeable:
        raise invalid(
            "deviating_price",
            _("Deviating prices are switched off in the billing settings."),
            "setting_off",
        )
    try:
        price = to_decimal(value, places=4)
    except MoneyError as exc:
        raise invalid("deviating_price", str(exc), "invalid") from exc
    if price < 0:
        raise invalid("deviating_price", _("The price must not be negative."), "invalid")
    return price
