"""Small builders for test data, going through the services like a user would."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from kontor.catalog import services as catalog
from kontor.catalog.models import TariffVersion
from kontor.customers.models import Account
from kontor.customers.services import account_create
from kontor.customers.types import PartyData, RecipientData


def party(**overrides: Any) -> PartyData:
    values = dict(
        kind="company",
        company_name="Muster GmbH",
        contact_person="Erika Muster",
        street="Hauptstraße 1",
        postal_code="10115",
        city="Berlin",
        country="DE",
        email="info@muster.example",
    )
    values.update(overrides)
    return PartyData(**values)


def account(actor: User, **fields: Any) -> Account:
    recipients = fields.pop("recipients", [RecipientData("rechnung@muster.example")])
    party_data = fields.pop("party", party())
    return account_create(actor=actor, party=party_data, fields=fields, recipients=recipients)


def tariff(
    actor: User,
    *,
    code: str = "WEB-M",
    price: str = "12.90",
    interval: int = 1,
    minimum: int = 12,
    renewal: int = 12,
    notice: tuple[int, str, str] = (1, "months", "term_end"),
    valid_from: date = date(2020, 1, 1),
    module_code: str = "WEB",
    addons: list[int] | None = None,
) -> TariffVersion:
    from kontor.catalog.models import Module, TaxCategory

    category = TaxCategory.objects.filter(code="S").first() or catalog.tax_category_create(
        actor=actor, code="S", name="Standard"
    )
    if not category.rates.exists():
        catalog.tax_rate_create(
            actor=actor, category_id=category.pk, rate="19.00", valid_from=date(2007, 1, 1)
        )
    module = Module.objects.filter(code=module_code).first() or catalog.module_create(
        actor=actor, code=module_code, name=f"Modul {module_code}"
    )
    tariff_row = catalog.tariff_create(
        actor=actor, module_id=module.pk, code=code, name=f"Tarif {code}", addon_article_ids=addons
    )
    amount, unit, anchor = notice
    return catalog.tariff_version_create(
        actor=actor,
        tariff_id=tariff_row.pk,
        valid_from=valid_from,
        price=Decimal(price),
        tax_category_id=category.pk,
        billing_interval_months=interval,
        minimum_term_months=minimum,
        renewal_term_months=renewal,
        notice_amount=amount,
        notice_unit=unit,
        notice_anchor=anchor,
    )
