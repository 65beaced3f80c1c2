"""A small billed world for the interface tests of billing runs and invoices: two customers
with a hosting module each, built through the services, and a helper that runs billing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from kontor.billing.models import BillingRun, SellerProfile
from kontor.billing.runs import billing_run_create, billing_run_execute
from kontor.catalog.models import TaxCategory
from kontor.contracts.services import subscription_create
from kontor.customers.models import Account
from kontor.invoicing.models import Invoice
from tests.builders import account, party, tariff

AS_OF = date(2026, 12, 1)


@dataclass
class BillingWorld:
    manager: User
    muster: Account  # WEB-M 12.90/month since 2026-11-01
    beispiel: Account  # WEB-L 20.00/month since 2026-11-16 (first month prorated)
    tax_category_id: int


def billing_world(manager: User) -> BillingWorld:
    seller = SellerProfile.load()
    seller.name, seller.city, seller.vat_id = "Beispiel Hosting GmbH", "Berlin", "DE123456789"
    seller.save()
    medium = tariff(manager, code="WEB-M", price="12.90", interval=1)
    large = tariff(manager, code="WEB-L", price="20.00", interval=1)
    muster = account(manager)
    beispiel = account(manager, party=party(company_name="Beispiel AG", city="Hamburg"))
    subscription_create(
        actor=manager,
        account_id=muster.pk,
        tariff_version_id=medium.pk,
        start_date=date(2026, 11, 1),
    )
    subscription_create(
        actor=manager,
        account_id=beispiel.pk,
        tariff_version_id=large.pk,
        start_date=date(2026, 11, 16),
    )
    category = TaxCategory.objects.get(code="S")
    return BillingWorld(manager, muster, beispiel, category.pk)


def run_billing(actor: Any, *, as_of: date = AS_OF, finalize: bool = True) -> BillingRun:
    run = billing_run_create(actor=actor, as_of=as_of, finalize=finalize)
    return billing_run_execute(actor=actor, run_id=run.pk)


def invoice_of(account_obj: Account) -> Invoice:
    return Invoice.objects.get(account=account_obj, kind="invoice")


def money(value: str) -> Decimal:
    return Decimal(value)
