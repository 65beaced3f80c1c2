"""Writes on the provider's billing settings (Manager only, optimistic locking)."""

from __future__ import annotations

import string
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kontor.billing.models import BillingSettings
from kontor.catalog.models import BILLING_INTERVALS
from kontor.core.audit import audit
from kontor.core.errors import FieldError, ValidationFailed
from kontor.core.permissions import Action, require
from kontor.core.versioning import bump, lock_for_update

SETTINGS_FIELDS = {
    "payment_term_days",
    "deviating_price_changeable",
    "default_billing_interval_months",
    "customer_number_format",
}


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
    if name == "payment_term_days":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 365:
            return FieldError(name, "invalid", _("Give a number of days from 0 to 365."))
    elif name == "deviating_price_changeable":
        if not isinstance(value, bool):
            return FieldError(name, "invalid", _("Must be true or false."))
    elif name == "default_billing_interval_months":
        if value not in {months for months, _label in BILLING_INTERVALS}:
            return FieldError(
                name, "invalid_choice", _("Billing interval must be 1, 2, 3, 6 or 12.")
            )
    elif name == "customer_number_format":
        return _check_number_format(str(value))
    return None


def _check_number_format(pattern: str) -> FieldError | None:
    """A format must contain `{seq}` and no other placeholders, e.g. `K-{seq:05}`."""
    try:
        names = [field for _text, field, _spec, _conv in string.Formatter().parse(pattern) if field]
        pattern.format(seq=1)
    except (ValueError, KeyError, IndexError):
        names = ["?"]
    if names != ["seq"] or len(pattern) > 40:
        return FieldError(
            "customer_number_format",
            "invalid",
            _("Use exactly one {seq} placeholder, e.g. K-{seq:05} (at most 40 characters)."),
        )
    return None
