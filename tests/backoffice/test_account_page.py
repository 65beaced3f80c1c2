"""The account page: every section, service errors as form errors, optimistic locking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kontor.core.models import AuditEntry
from kontor.customers.services import account_update
from tests.backoffice.conftest import account_post

pytestmark = pytest.mark.django_db


def _url(account):
    return reverse("admin:customers_account_change", args=[account.pk])


def test_account_page_shows_every_section(as_user, account, subscription):
    page = as_user("clerk").get(_url(account)).content.decode()
    for section in (
        "section-contract-info",
        "section-owner",
        "section-contract-party",
        "section-billing",
        "section-payment",
        "section-period",
        "section-vat",
        "section-recipients",
        "section-bank",
        "section-legal",
        "section-classification",
        "section-modules",
    ):
        assert f'id="{section}"' in page, section
    assert '<td id="customer-number">K-00001</td>' in page
    assert "Muster GmbH (company)" in page
    assert "14 days" in page and "default from the billing settings" in page
    assert '<div class="readonly" id="contract-period-start">01/01/2024</div>' in page
    assert "Webhosting – Tarif WEB-M" in page
    assert 'value="rechnung@muster.example"' in page
    assert "Change tariff" in page and "Cancel" in page
    assert "Book add-on" not in page  # managers only
    assert "Request a change" not in page  # managers only


def test_manager_sees_request_change_and_book_addon(as_user, account, subscription):
    page = as_user("manager").get(_url(account)).content.decode()
    assert 'id="request-party-change"' in page
    assert "Book add-on" in page


def test_payment_term_override_is_shown_as_effective(as_user, manager, account):
    account_update(
        actor=manager, account_id=account.pk, expected_version=1, changes={"payment_term_days": 30}
    )
    page = as_user("clerk").get(_url(account)).content.decode()
    assert "30 days" in page and "(override)" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"vat_treatment": "reverse_charge", "vat_id": ""},
            "vat_id",
            "EU reverse charge needs the customer&#x27;s EU VAT ID.",
        ),
        (
            {"billing_name": "Filiale Nord"},
            "billing_street",
            "A billing address needs name, street, postal code, city and country.",
        ),
        ({"currency": "XYZ"}, "currency", "XYZ is not an ISO 4217 currency code."),
    ],
)
def test_service_errors_are_shown_on_the_named_field(as_user, account, overrides, field, message):
    response = as_user("clerk").post(_url(account), account_post(account, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [message.replace("&#x27;", "'")]
    assert message in response.content.decode()
    account.refresh_from_db()
    assert (account.version, account.vat_treatment, account.currency) == (1, "domestic", "EUR")


def test_stale_version_is_refused_and_nothing_is_overwritten(as_user, manager, account):
    client = as_user("clerk")
    opened = account_post(account, po_number="MINE")  # the form as loaded: version 1
    account_update(
        actor=manager, account_id=account.pk, expected_version=1, changes={"po_number": "THEIRS"}
    )
    response = client.post(_url(account), opened)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="version-conflict"' in page
    assert "changed by someone else" in page
    assert f'href="{_url(account)}">Reload the account</a>' in page
    account.refresh_from_db()
    assert (account.po_number, account.version) == ("THEIRS", 2)


def test_stale_version_message_in_german(manager, clerk, account):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(clerk)
    opened = account_post(account, po_number="MINE")
    account_update(
        actor=manager, account_id=account.pk, expected_version=1, changes={"po_number": "THEIRS"}
    )
    page = client.post(_url(account), opened).content.decode()
    assert "von jemand anderem geändert" in page
    assert "Konto neu laden" in page


def test_recipients_are_saved_through_the_service(as_user, account):
    url = reverse("admin:customers_account_recipients", args=[account.pk])
    data = {
        "recipients-TOTAL_FORMS": "3",
        "recipients-INITIAL_FORMS": "1",
        "recipients-0-email": "",
        "recipients-0-delivery_mode": "attachment",
        "recipients-1-email": "buchhaltung@muster.example",
        "recipients-1-delivery_mode": "link",
        "recipients-2-email": "",
        "recipients-2-delivery_mode": "attachment",
        "recipients_meta-version": "1",
    }
    response = as_user("clerk").post(url, data)
    assert response.status_code == 302
    assert list(account.recipients.values_list("email", "delivery_mode")) == [
        ("buchhaltung@muster.example", "link")
    ]


def test_duplicate_recipient_is_a_form_error(as_user, account):
    url = reverse("admin:customers_account_recipients", args=[account.pk])
    audit_before = AuditEntry.objects.count()
    data = {
        "recipients-TOTAL_FORMS": "2",
        "recipients-INITIAL_FORMS": "1",
        "recipients-0-email": "a@muster.example",
        "recipients-0-delivery_mode": "attachment",
        "recipients-1-email": "A@muster.example",
        "recipients-1-delivery_mode": "attachment",
        "recipients_meta-version": "1",
    }
    response = as_user("clerk").post(url, data)
    assert response.status_code == 200
    assert response.context["recipients"].forms[1].errors["email"] == [
        "A@muster.example is listed twice."
    ]
    assert list(account.recipients.values_list("email", flat=True)) == ["rechnung@muster.example"]
    assert AuditEntry.objects.count() == audit_before


def test_new_account_is_created_through_the_service(as_user):
    data = {
        "kind": "person",
        "first_name": "Max",
        "last_name": "Mustermann",
        "street": "Weg 2",
        "postal_code": "20095",
        "city": "Hamburg",
        "country": "DE",
        "payment_method": "transfer",
        "vat_treatment": "domestic",
        "language": "de",
    }
    response = as_user("clerk").post(reverse("admin:customers_account_add"), data)
    assert response.status_code == 302
    from kontor.customers.models import Account

    account = Account.objects.get()
    assert (account.customer_number, account.contract_party.display_name) == (
        "K-00001",
        "Max Mustermann",
    )


def test_new_account_without_last_name_shows_the_error_on_the_field(as_user):
    data = {
        "kind": "person",
        "first_name": "Max",
        "street": "Weg 2",
        "postal_code": "20095",
        "city": "Hamburg",
        "country": "DE",
        "payment_method": "transfer",
        "vat_treatment": "domestic",
        "language": "de",
    }
    response = as_user("clerk").post(reverse("admin:customers_account_add"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["last_name"] == ["A person needs a last name."]
