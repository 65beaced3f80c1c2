"""Book a module on the account page: one form calling `subscription_create`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from kontor.billing.models import BillingSettings
from kontor.catalog import services as catalog
from kontor.contracts.models import Subscription
from kontor.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _url(account):
    return reverse("admin:customers_account_subscription_add", args=[account.pk])


def _tariff_id(catalog_setup, code):
    return str(catalog_setup["versions"][code].tariff_id)


@pytest.fixture
def web_m_2025(manager, catalog_setup):
    """A second version of WEB-M: 14.90 from 2025-01-01."""
    first = catalog_setup["versions"]["WEB-M"]
    return catalog.tariff_version_create(
        actor=manager,
        tariff_id=first.tariff_id,
        valid_from=date(2025, 1, 1),
        price=Decimal("14.90"),
        tax_category_id=first.tax_category_id,
    )


@pytest.mark.parametrize(
    ("start", "expected_from", "expected_price"),
    [
        ("2024-06-01", date(2020, 1, 1), Decimal("12.90")),
        ("2025-01-01", date(2025, 1, 1), Decimal("14.90")),
        ("2025-03-15", date(2025, 1, 1), Decimal("14.90")),
    ],
)
def test_clerk_books_a_module_with_the_version_valid_on_the_start_date(
    as_user, account, catalog_setup, web_m_2025, start, expected_from, expected_price
):
    response = as_user("clerk").post(
        _url(account),
        {
            "tariff": _tariff_id(catalog_setup, "WEB-M"),
            "start_date": start,
            "quantity": "2",
            "contract_reference": "V-2024-7",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:customers_account_change", args=[account.pk])
    sub = Subscription.objects.get()
    assert (sub.account, sub.tariff_version.tariff.code, sub.tariff_version.valid_from) == (
        account,
        "WEB-M",
        expected_from,
    )
    assert (sub.start_date, sub.quantity, sub.contract.reference) == (
        date.fromisoformat(start),
        Decimal("2.000"),
        "V-2024-7",
    )
    assert (sub.tariff_version.price, sub.deviating_price) == (expected_price, None)
    assert AuditEntry.objects.filter(action="subscription.created").count() == 1


def test_without_contract_reference_the_module_goes_to_the_main_contract(
    as_user, account, catalog_setup
):
    as_user("manager").post(
        _url(account),
        {"tariff": _tariff_id(catalog_setup, "WEB-L"), "start_date": "2025-02-01", "quantity": "1"},
    )
    assert Subscription.objects.get().contract.reference == account.customer_number == "K-00001"


def test_accountant_may_not_book_and_nothing_is_written(as_user, account, catalog_setup):
    client = as_user("accountant")
    assert client.get(_url(account)).status_code == 403
    response = client.post(
        _url(account),
        {"tariff": _tariff_id(catalog_setup, "WEB-M"), "start_date": "2025-02-01", "quantity": "1"},
    )
    assert response.status_code == 403
    assert not Subscription.objects.exists()
    assert not AuditEntry.objects.filter(action="subscription.created").exists()
    page = client.get(reverse("admin:customers_account_change", args=[account.pk]))
    assert 'id="book-module"' not in page.content.decode()


def test_clerk_sees_the_book_button(as_user, account):
    page = as_user("clerk").get(reverse("admin:customers_account_change", args=[account.pk]))
    assert f'href="{_url(account)}"' in page.content.decode()


def test_start_before_the_first_tariff_version_is_a_start_date_error(
    as_user, account, catalog_setup
):
    response = as_user("clerk").post(
        _url(account),
        {"tariff": _tariff_id(catalog_setup, "WEB-M"), "start_date": "2019-06-01", "quantity": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "start_date": ["Webhosting – Tarif WEB-M can be booked from 01/01/2020 on."]
    }
    assert not Subscription.objects.exists()


def test_service_errors_show_on_their_field(as_user, account, catalog_setup):
    response = as_user("clerk").post(
        _url(account),
        {"tariff": _tariff_id(catalog_setup, "WEB-M"), "start_date": "2025-02-01", "quantity": "0"},
    )
    assert response.context["form"].errors == {
        "quantity": ["The quantity must be greater than zero."]
    }
    assert not Subscription.objects.exists()


def test_tariff_choices_show_the_version_valid_on_the_posted_start(
    as_user, account, catalog_setup, web_m_2025
):
    client = as_user("clerk")
    post = {"tariff": "", "start_date": "2024-06-01", "quantity": "1"}
    early = dict(client.post(_url(account), post).context["form"].fields["tariff"].choices)
    late = client.post(_url(account), {**post, "start_date": "2025-06-01"})
    late_choices = dict(late.context["form"].fields["tariff"].choices)
    tariff_id = web_m_2025.tariff_id
    assert early[tariff_id] == "Webhosting – Tarif WEB-M (from 2020-01-01) – 12.90 / monthly"
    assert late_choices[tariff_id] == "Webhosting – Tarif WEB-M (from 2025-01-01) – 14.90 / monthly"


@pytest.mark.parametrize("changeable", [True, False])
def test_deviating_price_field_follows_the_billing_setting(
    as_user, account, catalog_setup, changeable
):
    BillingSettings.objects.update_or_create(
        pk=1, defaults={"deviating_price_changeable": changeable}
    )
    client = as_user("clerk")
    form = client.get(_url(account)).context["form"]
    assert ("deviating_price" in form.fields) is changeable
    client.post(
        _url(account),
        {
            "tariff": _tariff_id(catalog_setup, "WEB-M"),
            "start_date": "2025-02-01",
            "quantity": "1",
            "deviating_price": "9.5",
        },
    )
    expected = Decimal("9.5000") if changeable else None  # a hidden field's value is ignored
    assert Subscription.objects.get().deviating_price == expected


@pytest.mark.parametrize(
    ("next_month", "cutoff", "today", "expected"),
    [
        (False, None, date(2025, 3, 20), date(2025, 3, 20)),
        (True, None, date(2025, 3, 20), date(2025, 4, 1)),
        (True, 15, date(2025, 3, 15), date(2025, 4, 1)),
        (True, 15, date(2025, 3, 16), date(2025, 5, 1)),
    ],
)
def test_default_start_date_follows_the_start_setting(
    as_user, account, next_month, cutoff, today, expected
):
    BillingSettings.objects.update_or_create(
        pk=1, defaults={"start_next_month": next_month, "start_cutoff_day": cutoff}
    )
    client = as_user("clerk")
    with time_machine.travel(today, tick=False):
        form = client.get(_url(account)).context["form"]
    assert form["start_date"].value() == expected
