"""Data for the back-office tests, built through the services like a user would."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from kontor.catalog import services as catalog
from kontor.contracts.services import subscription_create
from kontor.customers.services import account_create
from kontor.customers.types import PartyData, RecipientData

START = date(2024, 1, 1)


def party(**overrides: str) -> PartyData:
    values = {
        "kind": "company",
        "company_name": "Muster GmbH",
        "contact_person": "Erika Muster",
        "street": "Hauptstraße 1",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "DE",
        "email": "info@muster.example",
    }
    values.update(overrides)
    return PartyData(**values)


@pytest.fixture
def catalog_setup(manager):
    category = catalog.tax_category_create(actor=manager, code="S", name="Standard")
    catalog.tax_rate_create(
        actor=manager, category_id=category.pk, rate="19.00", valid_from=date(2007, 1, 1)
    )
    article_type = catalog.article_type_create(actor=manager, code="ADDON", name="Zusatz")
    addon = catalog.article_create(
        actor=manager,
        number="BACKUP",
        name="Backup",
        article_type_id=article_type.pk,
        tax_category_id=category.pk,
        price=Decimal("3.00"),
        is_addon=True,
    )
    module = catalog.module_create(actor=manager, code="WEB", name="Webhosting")
    versions = {}
    for code, price in (("WEB-M", "12.90"), ("WEB-L", "19.90"), ("WEB-S", "7.90")):
        tariff = catalog.tariff_create(
            actor=manager,
            module_id=module.pk,
            code=code,
            name=f"Tarif {code}",
            addon_article_ids=[addon.pk],
        )
        versions[code] = catalog.tariff_version_create(
            actor=manager,
            tariff_id=tariff.pk,
            valid_from=date(2020, 1, 1),
            price=Decimal(price),
            tax_category_id=category.pk,
            minimum_term_months=12,
            renewal_term_months=12,
            notice_amount=1,
            notice_unit="months",
            notice_anchor="term_end",
        )
    return {"versions": versions, "addon": addon}


@pytest.fixture
def account(manager):
    return account_create(
        actor=manager,
        party=party(),
        fields={},
        recipients=[RecipientData("rechnung@muster.example")],
    )


@pytest.fixture
def subscription(manager, account, catalog_setup):
    return subscription_create(
        actor=manager,
        account_id=account.pk,
        tariff_version_id=catalog_setup["versions"]["WEB-M"].pk,
        start_date=START,
    )


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def as_user(manager, clerk, accountant):
    users = {"manager": manager, "clerk": clerk, "accountant": accountant}
    return lambda role: login(users[role])


def account_post(account, **overrides):
    from kontor.backoffice.forms.account import ACCOUNT_FIELDS

    data = {"version": str(account.version)}
    for name in ACCOUNT_FIELDS:
        value = getattr(account, name)
        if name == "is_test":
            if value:
                data[name] = "on"
            continue
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = "" if value is None else str(value)
    data.update(overrides)
    return data
