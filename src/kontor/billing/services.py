"""Writes on the provider's billing settings and seller profile (Manager only, optimistic
locking)."""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.eu import at_02
from stdnum.exceptions import ValidationError as StdnumError

from kontor.billing.models import BillingSettings, InvoiceSplit, SellerProfile
from kontor.catalog.models import BILLING_INTERVALS, Article, ArticleType
from kontor.core.audit import audit
from kontor.core.errors import FieldError, ValidationFailed, invalid
from kontor.core.permissions import Action, require
from kontor.core.versioning import bump, lock_for_update
from kontor.customers.validators import (
    clean_bic,
    clean_country,
    clean_email,
    clean_eu_vat_id,
    clean_iban,
)

BOOLEAN_SETTINGS = {
    "deviating_price_changeable",
    "start_next_month",
    "align_to_calendar",
    "create_zero_invoices",
    "branch_from_account",
    "deliver_by_post_default",
    "numbers_per_branch",
}
# name → (lowest, highest, may be empty)
NUMBER_SETTINGS = {
    "payment_term_days": (0, 365, False),
    "start_cutoff_day": (1, 31, True),
    "max_periods_per_run": (1, 120, False),
}
# name → placeholders a number format may use besides the required {seq}
FORMAT_SETTINGS = {
    "customer_number_format": set(),
    "invoice_number_format": {"year", "branch"},
    "credit_note_number_format": {"year", "branch"},
    "test_number_format": {"year", "branch"},
}
RELATION_SETTINGS = {"default_article_type": ArticleType, "default_article": Article}
SETTINGS_FIELDS = (
    BOOLEAN_SETTINGS
    | set(NUMBER_SETTINGS)
    | set(FORMAT_SETTINGS)
    | set(RELATION_SETTINGS)
    | {"default_billing_interval_months", "invoice_split"}
)


@transaction.atomic
def billing_settings_update(
    *, actor: Any, expected_version: int | None, changes: dict[str, Any]
) -> BillingSettings:
    require(actor, Action.SETTINGS_MANAGE)
    BillingSettings.load()
    settings_row = lock_for_update(BillingSettings, 1, expected_version)
    errors = [_check(name, value) for name, value in changes.items()]
    errors = [error for error in errors if error is not None]
    if errors:
        raise ValidationFailed(errors)
    changed = sorted(n for n, v in changes.items() if getattr(settings_row, n) != v)
    if not changed:
        return settings_row
    for name in changed:
        setattr(settings_row, name, changes[name])
    bump(settings_row)
    settings_row._history_user = actor  # type: ignore[attr-defined]
    settings_row.save()
    audit(actor, "billing_settings.updated", settings_row, fields=changed)
    return settings_row


def _check(name: str, value: Any) -> FieldError | None:  # noqa: PLR0911
    if name not in SETTINGS_FIELDS:
        return FieldError(name, "unknown_field", _("Unknown setting."))
    if name in BOOLEAN_SETTINGS and not isinstance(value, bool):
        return FieldError(name, "invalid", _("Must be true or false."))
    if name in NUMBER_SETTINGS:
        low, high, optional = NUMBER_SETTINGS[name]
        if value is None and optional:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            return FieldError(
                name,
                "invalid",
                _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
            )
    if name in FORMAT_SETTINGS:
        return _check_number_format(name, str(value), FORMAT_SETTINGS[name])
    if name in RELATION_SETTINGS:
        model = RELATION_SETTINGS[name]
        if (
            value is not None
            and not isinstance(value, model)
            and not model.objects.filter(pk=value).exists()
        ):
            return FieldError(name, "not_found", _("%s does not exist.") % value)
    if name == "default_billing_interval_months" and value not in {
        months for months, _label in BILLING_INTERVALS
    }:
        return FieldError(name, "invalid_choice", _("Billing interval must be 1, 2, 3, 6 or 12."))
    if name == "invoice_split" and value not in InvoiceSplit.values:
        return FieldError(
            name, "invalid_choice", _("Must be one of: %s.") % ", ".join(InvoiceSplit.values)
        )
    return None


def _check_number_format(field: str, pattern: str, extra: set[str]) -> FieldError | None:
    """A format has exactly one `{seq}` and otherwise only the allowed placeholders."""
    try:
        names = [f for _text, f, _spec, _conv in string.Formatter().parse(pattern) if f]
        pattern.format(seq=1, year=2026, branch="B")
    except (ValueError, KeyError, IndexError):
        names = ["?"]
    if names.count("seq") != 1 or set(names) - {"seq"} - extra or len(pattern) > 40:
        allowed = ", ".join("{" + n + "}" for n in sorted(extra)) or "—"
        return FieldError(
            field,
            "invalid",
            _(
                "Use exactly one {seq} placeholder, e.g. RE-{year}-{seq:06} (other placeholders "
                "allowed here: %(allowed)s; at most 40 characters)."
            )
            % {"allowed": allowed},
        )
    return None


SELLER_PROFILE_FIELDS = (
    "name",
    "street",
    "postal_code",
    "city",
    "country",
    "vat_id",
    "tax_number",
    "email",
    "phone",
    "bank_name",
    "iban",
    "bic",
    "creditor_id",
    "register",
    "managing_directors",
)
_SELLER_REQUIRED = frozenset({"name", "street", "postal_code", "city", "country"})


@transaction.atomic
def seller_profile_update(
    *, actor: Any, expected_version: int | None, changes: dict[str, Any]
) -> SellerProfile:
    """Edit the provider's own data printed on every document (Manager only)."""
    require(actor, Action.SETTINGS_MANAGE)
    SellerProfile.load()
    profile = lock_for_update(SellerProfile, 1, expected_version)
    cleaned: dict[str, str] = {}
    errors: list[FieldError] = []
    for name, value in changes.items():
        try:
            cleaned[name] = _clean_seller_field(name, value)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    changed = sorted(n for n, v in cleaned.items() if getattr(profile, n) != v)
    if not changed:
        return profile
    for name in changed:
        setattr(profile, name, cleaned[name])
    bump(profile)
    profile._history_user = actor  # type: ignore[attr-defined]
    profile.save()
    audit(actor, "seller_profile.updated", profile, fields=changed)
    return profile


def _clean_seller_field(name: str, value: Any) -> str:
    """The normalised value (IBAN, BIC, VAT ID, creditor id compact; country upper case)."""
    if name not in SELLER_PROFILE_FIELDS:
        raise invalid(name, _("Unknown field of the seller profile."), "unknown_field")
    if value is not None and not isinstance(value, str):
        raise invalid(name, _("Must be text."), "invalid")
    text = (value or "").strip()
    if not text:
        if name in _SELLER_REQUIRED:
            raise invalid(name, _("This field is required."), "required")
        return ""
    cleaner = _SELLER_CLEANERS.get(name)
    if cleaner is not None:
        text = cleaner(text, name)
    max_length = SellerProfile._meta.get_field(name).max_length
    if max_length is not None and len(text) > max_length:
        raise invalid(
            name, _("At most %(count)d characters are allowed.") % {"count": max_length}, "too_long"
        )
    return text


def _clean_creditor_id(value: str, field: str = "creditor_id") -> str:
    try:
        return str(at_02.validate(value))
    except StdnumError as exc:
        raise invalid(
            field,
            _("Invalid SEPA creditor identifier %(value)s: %(reason)s")
            % {"value": value, "reason": exc},
            "invalid_creditor_id",
        ) from exc


_SELLER_CLEANERS: dict[str, Callable[[str, str], str]] = {
    "country": clean_country,
    "vat_id": clean_eu_vat_id,
    "email": clean_email,
    "iban": clean_iban,
    "bic": clean_bic,
    "creditor_id": _clean_creditor_id,
}
