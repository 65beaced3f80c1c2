"""Finalized invoices in the database, made by a billing run through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User

from kontor.billing.models import SellerProfile
from kontor.contracts.services import subscription_create
from kontor.customers.models import Account
from kontor.customers.services import bank_account_add, mandate_create
from kontor.invoicing.models import Invoice
from tests.billing_world import run_billing
from tests.builders import account, party, tariff

AS_OF = date(2026, 12, 1)


@dataclass
class DocumentWorld:
    manager: User
    debit: Account  # domestic, SEPA direct debit, German
    public: Account  # Leitweg-ID, bank transfer
    foreign: Account  # EU reverse charge, English, bank transfer


def seller(**changes: str) -> SellerProfile:
    profile = SellerProfile.load()
    values = dict(
        name="Beispiel Hosting GmbH",
        street="Hafenstraße 12",
        postal_code="20457",
        city="Hamburg",
        vat_id="DE123456789",
        email="rechnung@beispiel.example",
        phone="+49 40 1234567-0",
        bank_name="Hamburger Sparkasse",
        iban="DE02200505501015871393",
        bic="HASPDEHHXXX",
        creditor_id="DE98ZZZ09999999999",
        register="HRB 123456",
    )
    values.update(changes)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.save()
    return profile


def document_world(manager: User, *, seller_changes: dict[str, str] | None = None) -> DocumentWorld:
    seller(**(seller_changes or {}))
    version = tariff(manager, code="WEB-M", price="12.90", interval=1)
    debit = account(manager)
    bank = bank_account_add(
        actor=manager, account_id=debit.pk, holder="Muster GmbH", iban="DE89370400440532013000"
    )
    mandate_create(
        actor=manager,
        account_id=debit.pk,
        bank_account_id=bank.pk,
        reference="M-2026-0001",
        signed_on=date(2026, 10, 1),
    )
    public = account(
        manager,
        party=party(company_name="Stadt Lübeck", city="Lübeck"),
        leitweg_id="04011000-1234512345-06",
        payment_method="transfer",
    )
    foreign = account(
        manager,
        party=party(company_name="Alpenholz GmbH", city="Wien", country="AT", postal_code="1060"),
        vat_treatment="reverse_charge",
        vat_id="ATU13585627",
        payment_method="transfer",
        language="en",
    )
    for customer in (debit, public, foreign):
        subscription_create(
            actor=manager,
            account_id=customer.pk,
            tariff_version_id=version.pk,
            start_date=date(2026, 11, 1),
        )
    run_billing(manager, as_of=AS_OF)
    return DocumentWorld(manager, debit, public, foreign)


def invoice_of(customer: Account) -> Invoice:
    return Invoice.objects.get(account=customer, kind="invoice")
