"""Finalized invoices with archived documents, made through the real services: a one-off
charge, invoiced now (or as a draft given a send date, then finalized), documents rendered."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from kontor.billing.charges import account_invoice_now, charge_create
from kontor.billing.models import BillingSettings
from kontor.catalog import services as catalog
from kontor.catalog.models import TaxCategory
from kontor.customers.models import Account
from kontor.customers.types import RecipientData
from kontor.documents.services import invoice_documents_render
from kontor.invoicing.models import Invoice
from kontor.invoicing.services import invoice_draft_update, invoice_finalize
from tests.builders import account, party
from tests.documents.world import seller

DAY = date(2026, 12, 1)
BERLIN = ZoneInfo("Europe/Berlin")
LEITWEG_ID = "04011000-1234512345-06"


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def standard_rate(manager: User) -> int:
    category = TaxCategory.objects.filter(code="S").first()
    if category is None:
        category = catalog.tax_category_create(actor=manager, code="S", name="Standard")
        catalog.tax_rate_create(
            actor=manager, category_id=category.pk, rate="19.00", valid_from=date(2007, 1, 1)
        )
    return category.pk


def customer(
    manager: User,
    *recipients: tuple[str, str],
    company: str = "Muster GmbH",
    party_email: str = "info@muster.example",
    **fields: Any,
) -> Account:
    seller()
    return account(
        manager,
        party=party(company_name=company, email=party_email),
        recipients=[RecipientData(email, mode) for email, mode in recipients],
        **fields,
    )


def finalized_invoice(
    manager: User,
    buyer: Account,
    *,
    day: date = DAY,
    send_date: date | None = None,
    by_post: bool = False,
    price: str = "100.00",
) -> Invoice:
    settings = BillingSettings.load()
    settings.deliver_by_post_default = by_post
    settings.save()
    charge_create(
        actor=manager,
        account_id=buyer.pk,
        description="Einrichtung",
        unit_price=price,
        tax_category_id=standard_rate(manager),
        service_date=day,
    )
    if send_date is None:
        (invoice,) = account_invoice_now(actor=manager, account_id=buyer.pk, as_of=day)
    else:
        (draft,) = account_invoice_now(
            actor=manager, account_id=buyer.pk, as_of=day, finalize=False
        )
        invoice_draft_update(
            actor=manager,
            invoice_id=draft.pk,
            expected_version=draft.version,
            changes={"send_date": send_date},
        )
        invoice = invoice_finalize(actor=manager, invoice_id=draft.pk, issue_date=day)
    invoice_documents_render(invoice.pk)
    invoice.refresh_from_db()
    return invoice
