"""Bank accounts and SEPA mandates. At most one active mandate per account: the database
constraint `one_active_mandate_per_account` decides, the service turns a violation into a
clear error."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kontor.core.audit import audit
from kontor.core.batch import atomic, keep, kept, remembered
from kontor.core.errors import Conflict, NotFound, invalid
from kontor.core.permissions import Action, require
from kontor.customers.models import BankAccount, Mandate, MandateScheme, MandateStatus
from kontor.customers.selectors import active_account_or_404
from kontor.customers.validators import clean_bic, clean_iban, clean_mandate_reference


@atomic
def bank_account_add(
    *, actor: Any, account_id: int, holder: str, iban: str, bic: str = ""
) -> BankAccount:
    require(actor, Action.BANK_ACCOUNT_MANAGE)
    account = active_account_or_404(account_id)
    iban = clean_iban(iban)
    bic = clean_bic(bic) if bic else _bic_from_iban(iban)
    if not holder.strip():
        raise invalid("holder", _("Give the account holder."), "required")
    ibans = _ibans_added_in_batch(account)
    taken = iban in ibans if ibans is not None else _iban_on_account(account, iban)
    if taken:
        raise invalid("iban", _("This IBAN is already on the account."), "duplicate")
    bank_account = BankAccount(account=account, holder=holder.strip()[:140], iban=iban, bic=bic)
    bank_account._history_user = actor  # type: ignore[attr-defined]
    bank_account.save()
    audit(actor, "bank_account.added", account, iban=iban)
    keep(bank_account, "created")  # a write batch's mandate_create needs no read of it
    if ibans is not None:
        ibans.add(iban)
    return bank_account


def _iban_on_account(account: Any, iban: str) -> bool:
    return BankAccount.objects.filter(account=account, iban=iban).exists()


def _ibans_added_in_batch(account: Any) -> set[str] | None:
    """The IBANs of an account this write batch created: only those the batch added (no other
    transaction sees the account), so they need no query. None: ask the database."""
    if kept(type(account), account.pk, "created") is None:
        return None
    return remembered(type(account), account.pk, "ibans", set)


def _bic_from_iban(iban: str) -> str:
    from schwifty import IBAN

    found = IBAN(iban).bic
    return str(found.compact) if found else ""


@atomic
def mandate_create(
    *,
    actor: Any,
    account_id: int,
    bank_account_id: int,
    reference: str,
    signed_on: date,
    scheme: str = MandateScheme.CORE,
) -> Mandate:
    require(actor, Action.MANDATE_MANAGE)
    account = active_account_or_404(account_id)
    reference = clean_mandate_reference(reference)
    if scheme not in MandateScheme.values:
        raise invalid("scheme", _("Must be CORE or B2B."), "invalid_choice")
    bank_account = _bank_account_of(account, bank_account_id)
    if Mandate.objects.filter(reference=reference).exists():
        raise invalid(
            "reference", _("Mandate reference %s is already used.") % reference, "duplicate"
        )
    mandate = Mandate(
        account=account,
        bank_account=bank_account,
        reference=reference,
        signed_on=signed_on,
        scheme=scheme,
        status=MandateStatus.ACTIVE,
    )
    mandate._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            mandate.save()
    except IntegrityError as exc:
        active = Mandate.objects.filter(account=account, status=MandateStatus.ACTIVE).first()
        raise Conflict(
            _(
                "The account already has an active SEPA mandate (%s). Revoke it before adding "
                "a new one."
            )
            % (active.reference if active else "?"),
            code="active_mandate_exists",
            field="reference",
        ) from exc
    audit(actor, "mandate.created", account, reference=reference, scheme=scheme)
    return mandate


def _bank_account_of(account: Any, bank_account_id: int) -> BankAccount:
    created = kept(BankAccount, bank_account_id, "created")
    if created is not None and created.account_id == account.pk:
        return created
    try:
        return BankAccount.objects.get(pk=bank_account_id, account=account)
    except BankAccount.DoesNotExist as exc:
        raise invalid(
            "bank_account", _("The bank account does not belong to this account."), "not_found"
        ) from exc


@atomic
def mandate_revoke(*, actor: Any, mandate_id: int, ended_on: date) -> Mandate:
    require(actor, Action.MANDATE_MANAGE)
    try:
        mandate = Mandate.objects.select_for_update().get(pk=mandate_id)
    except Mandate.DoesNotExist as exc:
        raise NotFound(_("Mandate %s does not exist.") % mandate_id) from exc
    if mandate.status != MandateStatus.ACTIVE:
        raise Conflict(_("The mandate is not active."), code="mandate_not_active")
    mandate.status = MandateStatus.REVOKED
    mandate.ended_on = ended_on
    mandate._history_user = actor  # type: ignore[attr-defined]
    mandate.save()
    audit(actor, "mandate.revoked", mandate.account, reference=mandate.reference)
    return mandate
