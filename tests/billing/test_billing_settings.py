from __future__ import annotations

import pytest

from kontor.billing.models import BillingSettings
from kontor.billing.services import billing_settings_update
from kontor.core.errors import ConcurrentEdit, PermissionDenied, ValidationFailed
from tests.builders import account


def test_manager_changes_the_default_payment_term_and_number_format(manager):
    billing_settings_update(
        actor=manager,
        expected_version=1,
        changes={"payment_term_days": 30, "customer_number_format": "C{seq:04}"},
    )
    row = BillingSettings.load()
    assert (row.payment_term_days, row.version) == (30, 2)
    assert account(manager).customer_number == "C0001"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"payment_term_days": 400}, "payment_term_days"),
        ({"customer_number_format": "K-{nr}"}, "customer_number_format"),
        ({"customer_number_format": "K-00"}, "customer_number_format"),
        ({"customer_number_format": "K-{year}-{seq}"}, "customer_number_format"),
        ({"invoice_number_format": "RE-{seq}-{seq}"}, "invoice_number_format"),
        ({"invoice_split": "per_day"}, "invoice_split"),
        ({"start_cutoff_day": 32}, "start_cutoff_day"),
        ({"max_periods_per_run": 0}, "max_periods_per_run"),
        ({"align_to_calendar": "yes"}, "align_to_calendar"),
        ({"default_article": 999}, "default_article"),
        ({"default_billing_interval_months": 5}, "default_billing_interval_months"),
        ({"secret": 1}, "secret"),
    ],
)
def test_invalid_settings_are_refused_and_nothing_changes(manager, changes, field):
    with pytest.raises(ValidationFailed) as error:
        billing_settings_update(actor=manager, expected_version=1, changes=changes)
    assert error.value.errors[0].field == field
    assert BillingSettings.load().version == 1


def test_clerk_cannot_change_settings(clerk):
    with pytest.raises(PermissionDenied):
        billing_settings_update(actor=clerk, expected_version=1, changes={"payment_term_days": 7})
    assert BillingSettings.load().payment_term_days == 14


def test_stale_settings_form_is_refused(manager):
    billing_settings_update(actor=manager, expected_version=1, changes={"payment_term_days": 10})
    with pytest.raises(ConcurrentEdit):
        billing_settings_update(
            actor=manager, expected_version=1, changes={"payment_term_days": 20}
        )
    assert BillingSettings.load().payment_term_days == 10


def _form_data(client, url: str, **overrides) -> dict:
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else "" if v in (None, False) else v) for k, v in data.items()}
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_back_office_settings_page_saves_through_the_service(client, manager, clerk):
    url = "/billing/billingsettings/1/change/"
    BillingSettings.load()
    client.force_login(manager)
    response = client.post(
        url, _form_data(client, url, payment_term_days="21", deviating_price_changeable="on")
    )
    assert response.status_code == 302, response.content[:2000]
    assert BillingSettings.load().payment_term_days == 21
    client.force_login(clerk)
    response = client.post(url, {"payment_term_days": "5", "version": "2"})
    assert response.status_code == 403
    assert BillingSettings.load().payment_term_days == 21


def test_run_settings_are_saved(manager):
    billing_settings_update(
        actor=manager,
        expected_version=1,
        changes={
            "invoice_split": "contract",
            "start_next_month": True,
            "start_cutoff_day": 20,
            "align_to_calendar": False,
            "create_zero_invoices": True,
            "invoice_number_format": "R{year}{branch}-{seq:05}",
            "numbers_per_branch": True,
            "max_periods_per_run": 12,
        },
    )
    row = BillingSettings.load()
    assert (
        row.invoice_split,
        row.start_cutoff_day,
        row.align_to_calendar,
        row.invoice_number_format,
        row.max_periods_per_run,
    ) == ("contract", 20, False, "R{year}{branch}-{seq:05}", 12)


def test_new_tariff_versions_take_the_default_billing_interval(manager):
    from datetime import date

    from kontor.catalog import services as catalog

    billing_settings_update(
        actor=manager, expected_version=1, changes={"default_billing_interval_months": 3}
    )
    category = catalog.tax_category_create(actor=manager, code="S", name="Standard")
    module = catalog.module_create(actor=manager, code="TEL", name="Telefon")
    tariff_row = catalog.tariff_create(actor=manager, module_id=module.pk, code="T", name="T")
    version = catalog.tariff_version_create(
        actor=manager,
        tariff_id=tariff_row.pk,
        valid_from=date(2026, 1, 1),
        price="30.00",
        tax_category_id=category.pk,
    )
    assert version.billing_interval_months == 3
