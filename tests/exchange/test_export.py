"""Export writes the import format back; an export loads into an empty Kontor unchanged."""

from __future__ import annotations

import pytest
from django.db import transaction

from kontor.billing.models import BillingSettings
from kontor.core.errors import PermissionDenied
from kontor.customers.models import Account
from kontor.exchange.exporter import accounts_export
from kontor.exchange.loader import data_import
from kontor.exchange.schema import ImportFile
from tests.exchange.helpers import example


def _rich_example() -> dict:
    payload = example()
    payload["accounts"][0]["subscriptions"][0]["deviating_price"] = "8.5"
    payload["accounts"][0]["subscriptions"][0]["quantity"] = "2.5"
    return payload


def test_round_trip_load_export_load_export_gives_equal_exports(manager):
    settings = BillingSettings.load()
    settings.deviating_price_changeable = True
    settings.save()
    savepoint = transaction.savepoint()
    data_import(actor=manager, payload=_rich_example())
    first = accounts_export(actor=manager)
    transaction.savepoint_rollback(savepoint)
    assert Account.objects.count() == 0

    data_import(actor=manager, payload=first)
    second = accounts_export(actor=manager)

    assert second == first
    assert [a["customer_number"] for a in first["accounts"]] == ["K-00001", "K-10001", "K-10002"]


def test_export_writes_every_field_in_the_import_format(manager):
    data_import(actor=manager, payload=example())

    exported = accounts_export(actor=manager)

    ImportFile.model_validate(exported)  # loadable as it is
    muster = exported["accounts"][1]
    assert muster["bank_accounts"][1] == {
        "holder": "Muster GmbH (alt)",
        "iban": "DE02120300000000202051",
        "bic": "BYLADEM1001",
        "mandate": {
            "reference": "MR-10001-1",
            "signed_on": "2023-02-01",
            "scheme": "CORE",
            "status": "revoked",
            "ended_on": "2023-11-19",
        },
    }
    assert muster["subscriptions"][1] == {
        "contract": "V-2023-002",
        "tariff": "MAIL-BASIC",
        "tariff_version_from": "2023-01-01",
        "quantity": "1",
        "start_date": "2023-06-01",
        "end_date": "2024-02-29",
        "notice_given_on": "2024-02-10",
        "billed_until": None,
        "deviating_price": None,
        "addons": [],
    }
    article = exported["catalog"]["articles"][1]
    assert (article["number"], article["price"]) == ("A-1002", "4.99")
    rates = exported["catalog"]["tax_categories"][0]["rates"]
    assert rates[0] == {"rate": "19.00", "valid_from": "2007-01-01", "valid_to": "2020-06-30"}


def test_deleted_accounts_are_not_exported(manager):
    data_import(actor=manager, payload=example())
    Account.objects.filter(customer_number="K-10002").update(status="deleted")

    exported = accounts_export(actor=manager)

    assert [a["customer_number"] for a in exported["accounts"]] == ["K-00001", "K-10001"]


def test_accountant_may_export(accountant):
    assert accounts_export(actor=accountant)["format"] == "kontor/v1"


def test_clerk_may_not_export(clerk):
    with pytest.raises(PermissionDenied):
        accounts_export(actor=clerk)
