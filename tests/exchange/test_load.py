"""Loading a valid file: every row lands as the file says, through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kontor.billing.models import BillingSettings
from kontor.catalog.models import Tariff, TariffVersion, TaxRate
from kontor.contracts.models import EndReason, Subscription, SubscriptionAddon
from kontor.core.models import AuditEntry
from kontor.customers.models import Account, Mandate
from kontor.exchange.loader import data_import
from tests.exchange.helpers import example, minimal_account, row_counts


def test_rich_file_loads_catalog_accounts_and_subscriptions(manager):
    report = data_import(actor=manager, payload=example())

    assert report.counts == {
        "tax_categories": 2,
        "article_types": 2,
        "articles": 3,
        "modules": 2,
        "tariffs": 3,
        "customer_groups": 2,
        "branches": 2,
        "accounts": 3,
        "bank_accounts": 3,
        "mandates": 3,
        "subscriptions": 4,
        "addons": 2,
    }
    assert report.customer_numbers == ["K-10001", "K-10002", "K-00001"]
    rates = TaxRate.objects.filter(category__code="S").order_by("valid_from")
    assert [(r.rate, r.valid_from, r.valid_to) for r in rates] == [
        (Decimal("19.00"), date(2007, 1, 1), date(2020, 6, 30)),
        (Decimal("16.00"), date(2020, 7, 1), date(2020, 12, 31)),
        (Decimal("19.00"), date(2021, 1, 1), None),
    ]
    web_m = Tariff.objects.get(code="WEB-M")
    assert web_m.module.code == "WEB"
    assert sorted(web_m.addons.values_list("number", flat=True)) == ["A-1001", "A-1002"]
    v2024 = TariffVersion.objects.get(tariff=web_m, valid_from=date(2024, 1, 1))
    assert (v2024.price, v2024.setup_fee, v2024.notice_amount, v2024.article.number) == (
        Decimal("12.90"),
        Decimal("19"),
        3,
        "A-2000",
    )


def test_rich_file_account_fields(manager):
    data_import(actor=manager, payload=example())

    muster = Account.objects.get(customer_number="K-10001")
    assert muster.contract_party.company_name == "Muster GmbH"
    assert (muster.billing_name, muster.billing_city) == ("Muster GmbH Buchhaltung", "Berlin")
    assert (muster.group.name, muster.branch.code, muster.vat_id) == (
        "Wiederverkäufer",
        "HH",
        "DE136695976",
    )
    assert list(muster.recipients.order_by("id").values_list("email", "delivery_mode")) == [
        ("rechnung@muster.example", "attachment"),
        ("chef@muster.example", "link"),
    ]
    assert list(
        Mandate.objects.filter(account=muster)
        .order_by("reference")
        .values_list("reference", "status", "ended_on", "bank_account__iban")
    ) == [
        ("MR-10001-1", "revoked", date(2023, 11, 19), "DE02120300000000202051"),
        ("MR-10001-2", "active", None, "DE89370400440532013000"),
    ]
    alpen = Account.objects.get(customer_number="K-10002")
    assert (alpen.vat_treatment, alpen.vat_id, alpen.payment_term_days, alpen.language) == (
        "reverse_charge",
        "ATU13585627",
        30,
        "en",
    )
    max_ = Account.objects.get(customer_number="K-00001")
    assert (max_.is_test, max_.contract_period_start) == (True, date(2024, 1, 1))


def test_rich_file_subscriptions_keep_historic_facts(manager):
    data_import(actor=manager, payload=example())

    web, mail = Subscription.objects.filter(account__customer_number="K-10001").order_by(
        "start_date"
    )
    assert (web.contract.reference, web.tariff_version.valid_from, web.end_date) == (
        "V-2023-001",
        date(2023, 1, 1),
        None,
    )
    assert list(
        SubscriptionAddon.objects.filter(subscription=web)
        .order_by("start_date")
        .values_list("article__number", "quantity", "end_date")
    ) == [("A-1001", Decimal("2"), None), ("A-1002", Decimal("1"), date(2023, 12, 31))]
    assert (mail.end_date, mail.notice_given_on, mail.end_reason) == (
        date(2024, 2, 29),
        date(2024, 2, 10),
        EndReason.CANCELLED,
    )
    fixed = Subscription.objects.get(account__customer_number="K-10002")
    assert (fixed.quantity, fixed.end_date, fixed.end_reason, fixed.contract.reference) == (
        Decimal("3"),
        date(2024, 5, 14),
        EndReason.FIXED_TERM,
        "K-10002",
    )
    later = Subscription.objects.get(account__customer_number="K-00001")
    assert later.tariff_version.valid_from == date(2024, 1, 1)


def test_services_leave_their_audit_entries(manager):
    data_import(actor=manager, payload=example())

    assert AuditEntry.objects.filter(action="account.created", actor=manager).count() == 3
    assert AuditEntry.objects.filter(action="subscription.cancelled").count() == 1


def test_references_may_point_to_what_kontor_already_has(manager):
    data_import(actor=manager, payload=example())
    second = {
        "format": "kontor/v1",
        "accounts": [
            minimal_account(
                "K-20000",
                group="Direktkunden",
                branch="HH",
                subscriptions=[
                    {
                        "tariff": "WEB-M",
                        "start_date": "2024-03-01",
                        "addons": [{"article": "A-1001", "start_date": "2024-03-01"}],
                    }
                ],
            )
        ],
    }

    data_import(actor=manager, payload=second)

    sub = Subscription.objects.get(account__customer_number="K-20000")
    assert (sub.tariff_version.valid_from, sub.account.group.name) == (
        date(2024, 1, 1),
        "Direktkunden",
    )
    assert sub.addons.get().article.number == "A-1001"


def test_deviating_price_is_loaded_when_the_setting_allows_it(manager):
    settings = BillingSettings.load()
    settings.deviating_price_changeable = True
    settings.save()
    payload = example()
    payload["accounts"][0]["subscriptions"][0]["deviating_price"] = "8.5"

    data_import(actor=manager, payload=payload)

    sub = Subscription.objects.get(contract__reference="V-2023-001")
    assert sub.deviating_price == Decimal("8.5000")


def test_dry_run_checks_everything_and_keeps_nothing(manager):
    before = row_counts()

    report = data_import(actor=manager, payload=example(), dry_run=True)

    assert (report.dry_run, report.counts["accounts"]) == (True, 3)
    assert row_counts() == before


@pytest.mark.parametrize(
    "payload", [{"format": "kontor/v1"}, {"format": "kontor/v1", "accounts": []}]
)
def test_an_empty_file_loads_nothing(manager, payload):
    report = data_import(actor=manager, payload=payload)
    assert set(report.counts.values()) == {0}
