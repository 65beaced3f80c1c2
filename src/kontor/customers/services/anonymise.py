"""Anonymisation of a deleted account (GDPR art. 17 within the limits of retention duties).

Kept: the account row with its customer number, contracts and subscriptions (for
reference by issued documents), audit entries. Removed: names, addresses, e-mails, phone,
bank details, portal owner, and the change-log rows that hold the old personal data.
Issued documents keep their own snapshot; German law (§147 AO, §257 HGB) requires keeping
them for 10 years.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kontor.core import clock
from kontor.customers.models import (
    Account,
    AccountStatus,
    BankAccount,
    ContractParty,
    InvoiceRecipient,
    Mandate,
    MandateStatus,
    PartyKind,
)
from kontor.customers.services.party import PARTY_FIELDS

# Every contract-party field but its kind and country holds personal data.
PERSONAL_PARTY_FIELDS = [f for f in PARTY_FIELDS if f not in {"kind", "country"}]
REDACTED = "—"


def anonymise_account(account: Account, actor: Any) -> None:
    today = clock.today()
    party = account.contract_party
    for name in PERSONAL_PARTY_FIELDS:
        setattr(party, name, "")
    party.kind = PartyKind.COMPANY
    party.company_name = str(_("Deleted customer %s")) % account.customer_number
    party.version += 1
    party._history_user = actor  # type: ignore[attr-defined]
    party.save()
    ContractParty.history.filter(id=party.pk).exclude(  # type: ignore[attr-defined]
        history_id=party.history.latest().history_id  # type: ignore[attr-defined]
    ).delete()

    Mandate.objects.filter(account=account, status=MandateStatus.ACTIVE).update(
        status=MandateStatus.REVOKED, ended_on=today
    )
    for bank_account in BankAccount.objects.filter(account=account):
        bank_account.holder = REDACTED
        bank_account.iban = f"XX{bank_account.pk:032d}"[:34]
        bank_account.bic = ""
        bank_account.save()
        BankAccount.history.filter(id=bank_account.pk).delete()  # type: ignore[attr-defined]
    account.recipients.all().delete()
    InvoiceRecipient.history.filter(account_id=account.pk).delete()  # type: ignore[attr-defined]

    for name in (
        "billing_name",
        "billing_street",
        "billing_address_extra",
        "billing_postal_code",
        "billing_city",
        "billing_country",
        "deviating_invoice_email",
        "external_customer_number",
        "vat_id",
        "po_number",
        "leitweg_id",
    ):
        setattr(account, name, "")
    account.owner = None
    account.status = AccountStatus.DELETED
    account.anonymised_at = clock.now()
    account.version += 1
    account._history_user = actor  # type: ignore[attr-defined]
    account.save()
    Account.history.filter(id=account.pk).exclude(  # type: ignore[attr-defined]
        history_id=account.history.latest().history_id  # type: ignore[attr-defined]
    ).delete()
