"""Workflow views: each form calls one service; its errors show on the form."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kontor.contracts.models import Subscription
from kontor.customers.models import BankAccount, ContractPartyChangeRequest, Mandate
from kontor.customers.services import bank_account_add, mandate_create

pytestmark = pytest.mark.django_db

IBAN = "DE89370400440532013000"


def _sub_url(name, subscription):
    return reverse(
        f"admin:customers_account_subscription_{name}",
        args=[subscription.account_id, subscription.pk],
    )


def test_cancel_form_shows_the_earliest_date_for_the_chosen_notice_date(as_user, subscription):
    client = as_user("clerk")
    response = client.post(
        _sub_url("cancel", subscription),
        {"version": "1", "notice_given_on": "2025-12-10", "preview": "1"},
    )
    assert response.context["earliest"] == date(2026, 12, 31)
    subscription.refresh_from_db()
    assert subscription.end_date is None  # a preview writes nothing


def test_clerk_cancels_to_the_earliest_date(as_user, subscription):
    response = as_user("clerk").post(
        _sub_url("cancel", subscription),
        {"version": "1", "notice_given_on": "2025-03-10", "end_date": "2025-04-30"},
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    # the end date field is read-only for a clerk: the posted 2025-04-30 is ignored
    assert (subscription.end_date, subscription.end_reason) == (date(2025, 12, 31), "cancelled")


def test_manager_may_cancel_to_a_different_date(as_user, subscription):
    as_user("manager").post(
        _sub_url("cancel", subscription),
        {"version": "1", "notice_given_on": "2025-03-10", "end_date": "2025-04-30"},
    )
    subscription.refresh_from_db()
    assert (subscription.end_date, subscription.end_date_overridden) == (date(2025, 4, 30), True)


def test_cancelling_twice_is_a_form_error(as_user, subscription):
    client = as_user("clerk")
    client.post(_sub_url("cancel", subscription), {"version": "1", "notice_given_on": "2025-03-10"})
    response = client.post(
        _sub_url("cancel", subscription), {"version": "2", "notice_given_on": "2025-03-10"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This module is already cancelled to 2025-12-31."
    ]


def test_clerk_may_not_choose_a_change_date_the_terms_forbid(as_user, subscription, catalog_setup):
    small = catalog_setup["versions"]["WEB-S"]
    response = as_user("clerk").post(
        _sub_url("change_tariff", subscription),
        {
            "version": "1",
            "tariff_version": str(small.pk),
            "requested_on": "2025-03-10",
            "effective_date": "2025-05-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["effective_date"] == [
        "The notice period allows 2026-01-01 at the earliest (or a later date the terms allow). "
        "Only a manager may set a different date."
    ]
    assert Subscription.objects.count() == 1


def test_clerk_changes_tariff_to_the_earliest_date(as_user, subscription, catalog_setup):
    small = catalog_setup["versions"]["WEB-S"]
    response = as_user("clerk").post(
        _sub_url("change_tariff", subscription),
        {"version": "1", "tariff_version": str(small.pk), "requested_on": "2025-03-10"},
    )
    assert response.status_code == 302
    successor = Subscription.objects.get(predecessor=subscription)
    assert (successor.tariff_version, successor.start_date) == (small, date(2026, 1, 1))


def test_manager_books_an_addon(as_user, subscription, catalog_setup):
    response = as_user("manager").post(
        _sub_url("book_addon", subscription),
        {"article": str(catalog_setup["addon"].pk), "start_date": "2025-02-01", "quantity": "2"},
    )
    assert response.status_code == 302
    addon = subscription.addons.get()
    assert (addon.article.number, addon.quantity, addon.start_date) == (
        "BACKUP",
        2,
        date(2025, 2, 1),
    )


def test_invalid_iban_is_shown_on_the_iban_field(as_user, account):
    url = reverse("admin:customers_account_bank_account_add", args=[account.pk])
    response = as_user("clerk").post(url, {"holder": "Muster GmbH", "iban": "DE00123"})
    assert response.status_code == 200
    assert response.context["form"].errors["iban"]
    assert not BankAccount.objects.exists()


def test_second_active_mandate_is_refused_clearly(as_user, manager, account):
    bank = bank_account_add(actor=manager, account_id=account.pk, holder="Muster", iban=IBAN)
    mandate_create(
        actor=manager,
        account_id=account.pk,
        bank_account_id=bank.pk,
        reference="MANDAT-1",
        signed_on=date(2025, 1, 1),
    )
    url = reverse("admin:customers_account_mandate_add", args=[account.pk])
    response = as_user("clerk").post(
        url,
        {
            "bank_account": str(bank.pk),
            "reference": "MANDAT-2",
            "signed_on": "2025-02-01",
            "scheme": "CORE",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reference"] == [
        "The account already has an active SEPA mandate (MANDAT-1). Revoke it before adding a "
        "new one."
    ]
    assert list(Mandate.objects.values_list("reference", flat=True)) == ["MANDAT-1"]


def test_revoke_then_add_mandate(as_user, manager, account):
    bank = bank_account_add(actor=manager, account_id=account.pk, holder="Muster", iban=IBAN)
    first = mandate_create(
        actor=manager,
        account_id=account.pk,
        bank_account_id=bank.pk,
        reference="MANDAT-1",
        signed_on=date(2025, 1, 1),
    )
    client = as_user("clerk")
    revoke = reverse("admin:customers_account_mandate_revoke", args=[account.pk, first.pk])
    assert client.post(revoke, {"ended_on": "2025-03-31"}).status_code == 302
    add = reverse("admin:customers_account_mandate_add", args=[account.pk])
    assert (
        client.post(
            add,
            {
                "bank_account": str(bank.pk),
                "reference": "MANDAT-2",
                "signed_on": "2025-04-01",
                "scheme": "CORE",
            },
        ).status_code
        == 302
    )
    assert dict(Mandate.objects.values_list("reference", "status")) == {
        "MANDAT-1": "revoked",
        "MANDAT-2": "active",
    }


def test_delete_is_refused_while_modules_run_and_shows_blockers(as_user, account, subscription):
    url = reverse("admin:customers_account_delete", args=[account.pk])
    client = as_user("manager")
    assert "Tarif WEB-M (until open-ended)" in client.get(url).content.decode()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 200
    assert "still has modules that have not ended" in response.context["form"].non_field_errors()[0]
    account.refresh_from_db()
    assert (account.status, account.contract_party.company_name) == ("active", "Muster GmbH")


def test_delete_anonymises_an_account_without_modules(as_user, account):
    url = reverse("admin:customers_account_delete", args=[account.pk])
    response = as_user("manager").post(url, {"confirm": "on"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == "deleted"
    assert account.contract_party.company_name == "Deleted customer K-00001"
    page = as_user("manager").get(response.url).content.decode()
    assert "deleted (anonymised)" in page


def _party_request_data(**overrides):
    data = {
        "kind": "company",
        "company_name": "Muster Holding AG",
        "street": "Neue Straße 5",
        "postal_code": "10117",
        "city": "Berlin",
        "country": "DE",
        "reason": "Umfirmierung laut Handelsregister",
        "evidence": [SimpleUploadedFile("hr-auszug.pdf", b"%PDF-1.4 evidence")],
    }
    data.update(overrides)
    return data


def test_party_change_needs_evidence(as_user, account):
    url = reverse("admin:customers_account_party_change", args=[account.pk])
    response = as_user("manager").post(url, _party_request_data(evidence=[]))
    assert response.status_code == 200
    assert response.context["form"].errors["evidence"] == [
        "Attach at least one evidence document (e.g. an official letter or minutes)."
    ]
    assert not ContractPartyChangeRequest.objects.exists()


def test_party_change_request_then_approve(as_user, account):
    client = as_user("manager")
    url = reverse("admin:customers_account_party_change", args=[account.pk])
    assert client.post(url, _party_request_data()).status_code == 302
    change = ContractPartyChangeRequest.objects.get()
    assert change.status == "pending" and change.evidence.count() == 1
    dashboard = client.get(reverse("admin:index")).content.decode()
    assert "1 pending contract party change" in dashboard
    # the party itself is untouched until the approval
    account.refresh_from_db()
    assert account.contract_party.company_name == "Muster GmbH"
    decide = reverse("admin:customers_contractpartychangerequest_change", args=[change.pk])
    page = as_user("clerk").get(decide).content.decode()
    assert "Muster Holding AG" in page and "Approve and apply" not in page
    assert client.post(decide, {"note": "geprüft", "approve": "1"}).status_code == 302
    account.refresh_from_db()
    change.refresh_from_db()
    assert account.contract_party.company_name == "Muster Holding AG"
    assert (change.status, change.decided_by.username) == ("approved", "manager")
    log = client.get(reverse("admin:customers_account_history", args=[account.pk]))
    rows = [(c.field, c.old, c.new) for e in log.context["entries"] for c in e.changes]
    assert ("company name", "Muster GmbH", "Muster Holding AG") in rows


def test_clerk_cannot_approve(as_user, account):
    as_user("manager").post(
        reverse("admin:customers_account_party_change", args=[account.pk]), _party_request_data()
    )
    change = ContractPartyChangeRequest.objects.get()
    decide = reverse("admin:customers_contractpartychangerequest_change", args=[change.pk])
    assert as_user("clerk").post(decide, {"approve": "1"}).status_code == 403
    change.refresh_from_db()
    assert change.status == "pending"


def test_reject_needs_a_note(as_user, account):
    client = as_user("manager")
    client.post(
        reverse("admin:customers_account_party_change", args=[account.pk]), _party_request_data()
    )
    change = ContractPartyChangeRequest.objects.get()
    decide = reverse("admin:customers_contractpartychangerequest_change", args=[change.pk])
    response = client.post(decide, {"note": "", "reject": "1"})
    assert response.context["form"].errors["note"] == ["Say why the request is rejected."]
    assert client.post(decide, {"note": "Nachweis fehlt", "reject": "1"}).status_code == 302
    change.refresh_from_db()
    assert change.status == "rejected"
