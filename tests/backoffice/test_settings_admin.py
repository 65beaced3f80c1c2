"""Seller profile and billing settings pages: managers save through the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kontor.billing.models import BillingSettings, SellerProfile
from kontor.billing.services import seller_profile_update

pytestmark = pytest.mark.django_db

URL = reverse("admin:billing_sellerprofile_change", args=[1])
FORM = {
    "name": "Kontor Hosting GmbH",
    "street": "Friedrichstraße 10",
    "postal_code": "10117",
    "city": "Berlin",
    "country": "DE",
    "email": "rechnung@kontor.example",
    "phone": "",
    "vat_id": "DE136695976",
    "tax_number": "30/123/45678",
    "register": "HRB 12345 B",
    "managing_directors": "Erika Muster",
    "bank_name": "Commerzbank",
    "iban": "DE89 3704 0044 0532 0130 00",
    "bic": "",
    "creditor_id": "DE98ZZZ09999999999",
}


def test_the_list_opens_the_one_profile_before_it_was_ever_saved(as_user):
    client = as_user("manager")
    response = client.get(reverse("admin:billing_sellerprofile_changelist"))
    assert (response.status_code, response.url) == (302, URL)
    page = client.get(URL)
    assert page.status_code == 200
    assert '<input type="hidden" name="version" value="1"' in page.content.decode()
    assert not SellerProfile.objects.exists()  # opening the page writes nothing


def test_manager_saves_the_seller_profile(as_user):
    response = as_user("manager").post(URL, {**FORM, "version": "1"})
    assert response.status_code == 302
    row = SellerProfile.load()
    assert (row.name, row.iban, row.creditor_id, row.version) == (
        "Kontor Hosting GmbH",
        "DE89370400440532013000",
        "DE98ZZZ09999999999",
        2,
    )


def test_invalid_iban_is_shown_on_the_field_and_nothing_is_saved(as_user):
    response = as_user("manager").post(URL, {**FORM, "iban": "DE00 1234", "version": "1"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["iban"]
    assert errors["iban"][0].startswith("Invalid IBAN DE00 1234:")
    assert not SellerProfile.objects.exists()


def test_stale_form_is_refused_and_the_other_save_stays(as_user, manager):
    seller_profile_update(actor=manager, expected_version=1, changes={"name": "Erste GmbH"})
    response = as_user("manager").post(URL, {**FORM, "version": "1"})
    assert response.status_code == 200
    assert "changed by someone else" in response.context["adminform"].form.non_field_errors()[0]
    assert SellerProfile.load().name == "Erste GmbH"


@pytest.mark.parametrize("role", ["clerk", "accountant"])
def test_other_roles_read_but_may_not_save(as_user, manager, role):
    seller_profile_update(actor=manager, expected_version=1, changes={"name": "Erste GmbH"})
    client = as_user(role)
    page = client.get(URL)
    assert page.status_code == 200 and "Erste GmbH" in page.content.decode()
    assert client.post(URL, {**FORM, "version": "2"}).status_code == 403
    assert SellerProfile.load().name == "Erste GmbH"


def test_billing_settings_form_carries_the_version(as_user, manager):
    BillingSettings.load()
    url = reverse("admin:billing_billingsettings_change", args=[1])
    client = as_user("manager")
    assert '<input type="hidden" name="version" value="1"' in client.get(url).content.decode()
    BillingSettings.objects.filter(pk=1).update(version=2)  # someone saved in between
    post = {
        "payment_term_days": "30",
        "default_billing_interval_months": "1",
        "customer_number_format": "K-{seq:05}",
        "version": "1",
    }
    response = client.post(url, post)
    assert response.status_code == 200
    assert BillingSettings.load().payment_term_days == 14
