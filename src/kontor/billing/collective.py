"""Collective invoice profiles (Manager only) and which accounts collect.

A profile is assigned to a customer group; an account of that group *collects*: every charge
it gets is stamped with the profile and its billing date (the first billing date after the
service date) and waits for that date instead of the next billing run. The stamp stays on the
charge, so an account that leaves the group still gets its collected items on their date,
then bills normally. See docs/collective-invoices.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from kontor.billing.engine.collective import Schedule, next_billing_date
from kontor.billing.models import Charge, CollectiveInterval, CollectiveProfile
from kontor.core.audit import audit
from kontor.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from kontor.core.money import MoneyError, round_money, to_decimal
from kontor.core.permissions import Action, require
from kontor.core.versioning import bump, lock_for_update
from kontor.customers.models import Account, CustomerGroup

PROFILE_FIELDS = (
    "name",
    "interval",
    "day_of_month",
    "month_of_year",
    "spending_limit",
    "payment_term_days",
)


def schedule_of(profile: CollectiveProfile) -> Schedule:
    return Schedule(profile.interval, profile.day_of_month, profile.month_of_year)


@transaction.atomic
def collective_profile_create(*, actor: Any, data: dict[str, Any]) -> CollectiveProfile:
    require(actor, Action.SETTINGS_MANAGE)
    profile = CollectiveProfile()
    _apply(profile, {"day_of_month": 1, **data}, creating=True)
    profile._history_user = actor  # type: ignore[attr-defined]
    profile.save()
    audit(actor, "collective_profile.created", profile, name=profile.name)
    return profile


@transaction.atomic
def collective_profile_update(
    *, actor: Any, profile_id: int, expected_version: int | None, changes: dict[str, Any]
) -> CollectiveProfile:
    """Change a profile. Items collected already keep their billing date; the new schedule
    applies to what is collected from now on."""
    require(actor, Action.SETTINGS_MANAGE)
    profile = lock_for_update(CollectiveProfile, profile_id, expected_version)
    _apply(profile, changes, creating=False)
    bump(profile)
    profile._history_user = actor  # type: ignore[attr-defined]
    profile.save()
    audit(actor, "collective_profile.updated", profile, fields=sorted(changes))
    return profile


@transaction.atomic
def collective_profile_delete(*, actor: Any, profile_id: int) -> None:
    require(actor, Action.SETTINGS_MANAGE)
    profile = collective_profile_get(profile_id)
    groups = list(profile.groups.values_list("name", flat=True))
    if groups:
        raise Conflict(
            _("The profile is assigned to the customer group(s) %s; remove it there first.")
            % ", ".join(groups),
            code="profile_in_use",
        )
    audit(actor, "collective_profile.deleted", profile, name=profile.name)
    try:
        with transaction.atomic():
            profile.delete()
    except ProtectedError as exc:
        raise Conflict(
            _("Items or invoices were collected with this profile; it cannot be deleted."),
            code="profile_in_use",
        ) from exc


def collective_profile_get(profile_id: int) -> CollectiveProfile:
    try:
        return CollectiveProfile.objects.get(pk=profile_id)
    except (CollectiveProfile.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Collective invoice profile %s does not exist.") % profile_id) from exc


def collective_profiles_list(*, actor: Any) -> list[CollectiveProfile]:
    require(actor, Action.BILLING_RUN_VIEW)
    return list(CollectiveProfile.objects.prefetch_related("groups"))


@transaction.atomic
def customer_group_set_profile(
    *, actor: Any, group_id: int, profile_id: int | None
) -> CustomerGroup:
    """Give a customer group a collective invoice profile (or take it away: the group's
    accounts get what they collected on its date, then bill normally)."""
    require(actor, Action.SETTINGS_MANAGE)
    try:
        group = CustomerGroup.objects.select_for_update().get(pk=group_id)
    except (CustomerGroup.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Customer group %s does not exist.") % group_id) from exc
    profile = collective_profile_get(profile_id) if profile_id is not None else None
    before = group.collective_profile_id
    group.collective_profile = profile
    group._history_user = actor  # type: ignore[attr-defined]
    group.save()
    audit(actor, "customer_group.profile_set", group, before=before, after=profile_id)
    return group


def active_profiles(account_ids: Iterable[int]) -> dict[int, CollectiveProfile]:
    """account id → the profile its customer group has (accounts without one are left out)."""
    ids = list(account_ids)
    rows = Account.objects.filter(pk__in=ids, group__collective_profile__isnull=False).values_list(
        "pk", "group__collective_profile_id"
    )
    by_account = dict(rows)
    profiles = CollectiveProfile.objects.in_bulk(set(by_account.values()))
    return {account_id: profiles[pk] for account_id, pk in by_account.items()}


def collect(rows: list[dict[str, Any]], profiles: dict[int, CollectiveProfile]) -> None:
    """Stamp new charge rows (field → value) of collecting accounts with their profile and
    billing date."""
    schedules = {p.pk: schedule_of(p) for p in profiles.values()}
    for row in rows:
        profile = profiles.get(row["account_id"])
        if profile is not None:
            row["collective_profile_id"] = profile.pk
            row["collective_date"] = next_billing_date(schedules[profile.pk], row["period_start"])


def collect_charge(charge: Charge) -> None:
    """`collect` for one charge model instance (one-off charges)."""
    profile = active_profiles([charge.account_id]).get(charge.account_id)
    if profile is not None:
        charge.collective_profile = profile
        charge.collective_date = next_billing_date(schedule_of(profile), charge.period_start)


def _apply(profile: CollectiveProfile, changes: dict[str, Any], *, creating: bool) -> None:
    errors: list[FieldError] = []
    for name, value in changes.items():
        if name not in PROFILE_FIELDS:
            errors.append(FieldError(name, "unknown_field", _("Unknown field.")))
            continue
        try:
            setattr(profile, name, _clean(name, value))
        except ValueError as exc:
            errors.append(FieldError(name, "invalid", str(exc)))
    if not errors:
        errors += _cross_check(profile, creating=creating)
    if errors:
        raise ValidationFailed(errors)


def _clean(name: str, value: Any) -> Any:  # noqa: PLR0911
    if name == "name":
        text = str(value or "").strip()
        if not text:
            raise ValueError(_("This field is required."))
        return text[:100]
    if name == "interval":
        if value not in CollectiveInterval.values:
            raise ValueError(_("Must be one of: %s.") % ", ".join(CollectiveInterval.values))
        return value
    if name in ("day_of_month", "month_of_year", "payment_term_days"):
        low, high = {"day_of_month": (1, 31), "month_of_year": (1, 12)}.get(name, (0, 365))
        if value in (None, "") and name != "day_of_month":
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(
                _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
            )
        return value
    if value in (None, ""):
        return None
    try:
        amount = to_decimal(value, places=2)  # the one money parser: no floats
    except MoneyError as exc:
        raise ValueError(_("Give an amount such as 500.00.")) from exc
    if amount < 0:
        raise ValueError(_("Give an amount of at least 0 with at most 2 decimal places."))
    return round_money(amount)


def _cross_check(profile: CollectiveProfile, *, creating: bool) -> list[FieldError]:
    errors = []
    if creating and not profile.name:
        errors.append(FieldError("name", "required", _("This field is required.")))
    if not profile.interval:
        errors.append(FieldError("interval", "required", _("This field is required.")))
    elif profile.interval == CollectiveInterval.YEARLY and not profile.month_of_year:
        errors.append(
            FieldError("month_of_year", "required", _("A yearly profile needs the month."))
        )
    elif profile.interval == CollectiveInterval.MONTHLY:
        profile.month_of_year = None
    duplicate = CollectiveProfile.objects.filter(name=profile.name).exclude(pk=profile.pk)
    if profile.name and duplicate.exists():
        errors.append(FieldError("name", "duplicate", _("A profile with this name exists.")))
    return errors
