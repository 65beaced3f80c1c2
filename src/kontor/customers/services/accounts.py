"""Create, edit and delete accounts. Field-level rules: payment terms, the test flag and the
contract period are Manager-only; the contract party is never edited here (see party.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.numbers import list_currencies
from django.db import transaction
from django.utils.translation import gettext as _

from kontor.billing.models import BillingSettings
from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.batch import atomic, keep, remembered
from kontor.core.errors import Conflict, FieldError, ValidationFailed, invalid
from kontor.core.permissions import Action, require
from kontor.core.sequences import format_number, sequence_next
from kontor.core.versioning import bump, lock_for_update
from kontor.customers.models import (
    Account,
    AccountStatus,
    Branch,
    ContractParty,
    CustomerGroup,
    DeliveryMode,
    InvoiceRecipient,
    Language,
    PaymentMethod,
    VatTreatment,
)
from kontor.customers.services.party import clean_party
from kontor.customers.types import PartyData, RecipientData
from kontor.customers.validators import (
    EU_VAT_PREFIXES,
    clean_country,
    clean_email,
    clean_eu_vat_id,
    clean_leitweg_id,
)

TEXT_FIELDS = {
    "external_customer_number",
    "billing_name",
    "billing_street",
    "billing_address_extra",
    "billing_postal_code",
    "billing_city",
    "billing_country",
    "deviating_invoice_email",
    "po_number",
    "vat_id",
    "leitweg_id",
}
CHOICE_FIELDS = {
    "vat_treatment": VatTreatment,
    "payment_method": PaymentMethod,
    "language": Language,
}
# Fields only some roles may change; anything not listed here or above is not editable.
RESTRICTED_FIELDS = {
    "payment_term_days": Action.ACCOUNT_SET_PAYMENT_TERMS,
    "is_test": Action.ACCOUNT_SET_TEST_FLAG,
    "contract_period_start": Action.ACCOUNT_SET_CONTRACT_PERIOD,
}
EDITABLE_FIELDS = (
    TEXT_FIELDS
    | set(CHOICE_FIELDS)
    | set(RESTRICTED_FIELDS)
    | {
        "group",
        "branch",
        "currency",
        "owner",
        "deliver_by_post",
    }
)
BILLING_ADDRESS_REQUIRED = (
    "billing_name",
    "billing_street",
    "billing_postal_code",
    "billing_city",
    "billing_country",
)


@atomic
def account_create(
    *,
    actor: Any,
    party: PartyData,
    fields: dict[str, Any] | None = None,
    recipients: list[RecipientData] | None = None,
    customer_number: str | None = None,
) -> Account:
    """Create an account with its contract party. `fields` takes the same keys as
    account_update; the customer number comes from the configured format unless given."""
    require(actor, Action.ACCOUNT_CREATE)
    fields = dict(fields or {})
    _require_restricted(actor, fields, creating=True)
    party_values = clean_party(party)
    account = Account(contract_party=ContractParty(**party_values))
    _apply_fields(account, fields)
    account.customer_number = _customer_number(customer_number)
    account.contract_party.save()
    account.contract_party = account.contract_party  # re-bind the saved pk
    account._history_user = actor  # type: ignore[attr-defined]
    account.save()
    if recipients:
        _replace_recipients(account, recipients, actor, existing={})  # a new account has none
    audit(actor, "account.created", account, customer_number=account.customer_number)
    keep(account, "active")  # a write batch's next service call needs no read of it
    keep(account, "created")
    return account


@transaction.atomic
def account_update(
    *, actor: Any, account_id: int, expected_version: int | None, changes: dict[str, Any]
) -> Account:
    """Apply field changes; refused when the account changed since `expected_version`."""
    require(actor, Action.ACCOUNT_UPDATE if _has_general(changes) else Action.ACCOUNT_VIEW)
    _require_restricted(actor, changes)
    account = lock_for_update(Account, account_id, expected_version)
    if account.status != AccountStatus.ACTIVE:
        raise Conflict(_("A deleted account cannot be changed."), code="account_deleted")
    before = {name: getattr(account, name) for name in changes if hasattr(account, name)}
    _apply_fields(account, changes)
    changed = {
        name: (before.get(name), getattr(account, name))
        for name in changes
        if before.get(name) != getattr(account, name)
    }
    if not changed:
        return account
    bump(account)
    account._history_user = actor  # type: ignore[attr-defined]
    account.save()
    audit(actor, "account.updated", account, fields=sorted(changed))
    return account


@transaction.atomic
def account_set_recipients(
    *, actor: Any, account_id: int, expected_version: int | None, recipients: list[RecipientData]
) -> Account:
    require(actor, Action.ACCOUNT_UPDATE)
    account = lock_for_update(Account, account_id, expected_version)
    _replace_recipients(account, recipients, actor)
    bump(account)
    account._history_user = actor  # type: ignore[attr-defined]
    account.save(update_fields=["version"])
    audit(actor, "account.recipients_set", account, recipients=[r.email for r in recipients])
    return account


def _replace_recipients(
    account: Account,
    recipients: list[RecipientData],
    actor: Any,
    existing: dict[str, InvoiceRecipient] | None = None,
) -> None:
    """`existing`: the account's recipients by lower-case e-mail, when the caller knows them."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    cleaned: list[RecipientData] = []
    for index, recipient in enumerate(recipients):
        field = f"recipients[{index}]"
        try:
            email = clean_email(recipient.email, f"{field}.email")
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            continue
        if recipient.delivery_mode not in DeliveryMode.values:
            errors.append(
                FieldError(
                    f"{field}.delivery_mode",
                    "invalid_choice",
                    _("Must be one of: %s.") % ", ".join(DeliveryMode.values),
                )
            )
        if email.lower() in seen:
            errors.append(
                FieldError(f"{field}.email", "duplicate", _("%s is listed twice.") % email)
            )
        seen.add(email.lower())
        cleaned.append(RecipientData(email, recipient.delivery_mode))
    if errors:
        raise ValidationFailed(errors)
    if existing is None:
        existing = {r.email.lower(): r for r in account.recipients.all()}
    for recipient in cleaned:
        row = existing.pop(recipient.email.lower(), None) or InvoiceRecipient(account=account)
        row.email, row.delivery_mode = recipient.email, recipient.delivery_mode
        row._history_user = actor  # type: ignore[attr-defined]
        row.save()
    for row in existing.values():
        row._history_user = actor  # type: ignore[attr-defined]
        row.delete()


@transaction.atomic
def account_delete(*, actor: Any, account_id: int, today: date | None = None) -> Account:
    """Delete = anonymise personal data, keep the row and everything issued (GoBD).

    Refused while the account has modules that are active or whose end date lies ahead, or
    charges not invoiced yet.
    """
    from kontor.customers.selectors import account_deletion_blockers, account_uninvoiced
    from kontor.customers.services.anonymise import anonymise_account

    require(actor, Action.ACCOUNT_DELETE)
    account = lock_for_update(Account, account_id, None)
    if account.status == AccountStatus.DELETED:
        raise Conflict(_("The account is already deleted."), code="account_deleted")
    blockers = account_deletion_blockers(account, today or clock.today())
    if blockers:
        raise Conflict(
            _(
                "The account still has modules that have not ended: %s. Cancel them first "
                "and wait until their end date has passed."
            )
            % "; ".join(blockers),
            code="active_modules",
        )
    count, total = account_uninvoiced(account)
    if count:
        raise Conflict(
            _(
                "The account has %(count)s item(s) not invoiced yet (%(total)s net). Invoice "
                "them first (Bill now), then delete the account."
            )
            % {"count": count, "total": total},
            code="uninvoiced_items",
        )
    anonymise_account(account, actor)
    audit(actor, "account.deleted", account, customer_number=account.customer_number)
    return account


def _customer_number(requested: str | None) -> str:
    if requested:
        number = requested.strip()
        if Account.objects.filter(customer_number=number).exists():
            raise invalid(
                "customer_number", _("Customer number %s is already taken.") % number, "duplicate"
            )
        return number
    pattern = remembered(BillingSettings, 1, "row", BillingSettings.load).customer_number_format
    while True:  # skip numbers that were given explicitly (e.g. by an import)
        number = format_number(pattern, sequence_next("customer_number"))
        if not Account.objects.filter(customer_number=number).exists():
            return number


def _has_general(changes: dict[str, Any]) -> bool:
    return any(name not in RESTRICTED_FIELDS for name in changes)


def _require_restricted(actor: Any, changes: dict[str, Any], creating: bool = False) -> None:
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    if unknown:
        field = unknown[0]
        message = (
            _("The contract party can only be changed through a change request.")
            if field.startswith("contract_party")
            else _("This field cannot be changed.")
        )
        raise invalid(field, message, "not_editable")
    for name, action in RESTRICTED_FIELDS.items():
        if name in changes and not (creating and not changes[name]):
            require(actor, action)


def _apply_fields(account: Account, changes: dict[str, Any]) -> None:
    errors: list[FieldError] = []
    for name, value in changes.items():
        try:
            setattr(account, name, _clean_field(name, value))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if not errors:
        errors.extend(_cross_field_errors(account))
    if errors:
        raise ValidationFailed(errors)


def _clean_field(name: str, value: Any) -> Any:  # noqa: C901 - one branch per field kind
    if name in TEXT_FIELDS:
        value = ("" if value is None else str(value)).strip()
        if name == "deviating_invoice_email" and value:
            return clean_email(value, name)
        if name == "billing_country" and value:
            return clean_country(value, name)
        if name == "leitweg_id":
            return clean_leitweg_id(value, name)
        return value.upper().replace(" ", "") if name == "vat_id" else value
    if name in CHOICE_FIELDS:
        choices = CHOICE_FIELDS[name]
        if value not in choices.values:
            raise invalid(
                name, _("Must be one of: %s.") % ", ".join(choices.values), "invalid_choice"
            )
        return value
    if name == "payment_term_days":
        if value in (None, ""):
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 365:
            raise invalid(name, _("Give a number of days from 0 to 365."), "invalid")
        return value
    if name == "is_test":
        if not isinstance(value, bool):
            raise invalid(name, _("Must be true or false."), "invalid")
        return value
    if name == "deliver_by_post":  # None: the billing settings' default
        if value is not None and not isinstance(value, bool):
            raise invalid(
                name, _("Must be true, false or empty (the billing settings' default)."), "invalid"
            )
        return value
    if name == "contract_period_start":
        if value is not None and not isinstance(value, date):
            raise invalid(name, _("Give a date."), "invalid")
        return value
    if name == "currency":
        code = str(value).upper()
        if code not in list_currencies():
            raise invalid(name, _("%s is not an ISO 4217 currency code.") % value, "invalid")
        return code
    return _clean_relation(name, value)


def _clean_relation(name: str, value: Any) -> Any:
    models = {"group": CustomerGroup, "branch": Branch}
    if name == "owner":
        from django.contrib.auth import get_user_model

        models["owner"] = get_user_model()
    model = models[name]
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    try:
        return model.objects.get(pk=value)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise invalid(name, _("%(value)s does not exist.") % {"value": value}, "not_found") from exc


def _cross_field_errors(account: Account) -> list[FieldError]:
    errors: list[FieldError] = []
    if account.vat_treatment == VatTreatment.REVERSE_CHARGE:
        if not account.vat_id:
            errors.append(
                FieldError(
                    "vat_id", "required", _("EU reverse charge needs the customer's EU VAT ID.")
                )
            )
        else:
            try:
                account.vat_id = clean_eu_vat_id(account.vat_id)
            except ValidationFailed as exc:
                errors.extend(exc.errors)
    elif account.vat_id and account.vat_id[:2].lower() in EU_VAT_PREFIXES:
        try:
            account.vat_id = clean_eu_vat_id(account.vat_id)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    billing = [getattr(account, name) for name in BILLING_ADDRESS_REQUIRED]
    if any(billing) and not all(billing):
        for name, value in zip(BILLING_ADDRESS_REQUIRED, billing, strict=True):
            if not value:
                errors.append(
                    FieldError(
                        name,
                        "required",
                        _("A billing address needs name, street, postal code, city and country."),
                    )
                )
    return errors
