"""Who may log in and which pages each staff role may open and save (the role matrix)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kontor.contracts.models import SubscriptionAddon
from kontor.core.models import AuditEntry
from kontor.core.permissions import Role
from kontor.customers.models import Account, BankAccount, ContractPartyChangeRequest, Mandate
from tests.backoffice.conftest import account_post as _account_post
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

M, C, A = "manager", "clerk", "accountant"


@pytest.mark.parametrize(
    ("username", "role", "is_staff", "superuser", "allowed"),
    [
        ("m", Role.MANAGER, True, False, True),
        ("c", Role.CLERK, True, False, True),
        ("a", Role.ACCOUNTANT, True, False, True),
        ("root", None, True, True, True),
        ("staff-without-role", None, True, False, False),
        ("customer", None, False, False, False),
    ],
)
def test_only_staff_roles_can_log_in(username, role, is_staff, superuser, allowed):
    user = make_user(username, role)
    User.objects.filter(pk=user.pk).update(is_staff=is_staff, is_superuser=superuser)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        reverse("admin:login"),
        {"username": username, "password": f"pw-{username}", "next": "/"},
    )
    if allowed:
        assert response.status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200
    else:
        assert response.status_code == 200
        assert "staff account" in response.content.decode()
        assert client.get(reverse("admin:index")).status_code == 302  # back to the login


def _urls(account, subscription, mandate=None):
    a, s = account.pk, subscription.pk
    return {
        "account": reverse("admin:customers_account_change", args=[a]),
        "history": reverse("admin:customers_account_history", args=[a]),
        "cancel": reverse("admin:customers_account_subscription_cancel", args=[a, s]),
        "tariff": reverse("admin:customers_account_subscription_change_tariff", args=[a, s]),
        "addon": reverse("admin:customers_account_subscription_book_addon", args=[a, s]),
        "party": reverse("admin:customers_account_party_change", args=[a]),
        "bank": reverse("admin:customers_account_bank_account_add", args=[a]),
        "mandate": reverse("admin:customers_account_mandate_add", args=[a]),
        "delete": reverse("admin:customers_account_delete", args=[a]),
        "new_account": reverse("admin:customers_account_add"),
    }


MATRIX = {
    "account": {M, C, A},
    "history": {M, C, A},
    "cancel": {M, C},
    "tariff": {M, C},
    "addon": {M},
    "party": {M},
    "bank": {M, C},
    "mandate": {M, C},
    "delete": {M},
    "new_account": {M, C},
}


@pytest.mark.parametrize("page", sorted(MATRIX))
@pytest.mark.parametrize("role", [M, C, A])
def test_role_matrix_for_opening_pages(as_user, account, subscription, page, role):
    response = as_user(role).get(_urls(account, subscription)[page])
    assert response.status_code == (200 if role in MATRIX[page] else 403)


@pytest.mark.parametrize("role", [M, C])
def test_manager_and_clerk_save_the_account_page(as_user, account, role):
    url = reverse("admin:customers_account_change", args=[account.pk])
    response = as_user(role).post(url, _account_post(account, po_number="PO-4711"))
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.po_number, account.version) == ("PO-4711", 2)


def test_accountant_sees_the_account_read_only_and_cannot_save(as_user, account):
    client = as_user(A)
    url = reverse("admin:customers_account_change", args=[account.pk])
    page = client.get(url).content.decode()
    assert 'name="po_number"' not in page
    assert 'name="save"' not in page
    audit_before = AuditEntry.objects.count()
    response = client.post(url, _account_post(account, po_number="PO-4711"))
    assert response.status_code == 403
    account.refresh_from_db()
    assert (account.po_number, account.version) == ("", 1)
    assert AuditEntry.objects.count() == audit_before


def test_clerk_cannot_change_manager_only_fields(as_user, account):
    url = reverse("admin:customers_account_change", args=[account.pk])
    page = as_user(C).get(url).content.decode()
    for name in ("payment_term_days", "is_test", "contract_period_start"):
        assert f'name="{name}"' not in page
    post = _account_post(account, payment_term_days="30", is_test="on", po_number="X-1")
    as_user(C).post(url, post)
    account.refresh_from_db()
    assert (account.payment_term_days, account.is_test, account.po_number) == (None, False, "X-1")


def test_manager_changes_payment_term_and_test_flag(as_user, account):
    url = reverse("admin:customers_account_change", args=[account.pk])
    as_user(M).post(url, _account_post(account, payment_term_days="30", is_test="on"))
    account.refresh_from_db()
    assert (account.payment_term_days, account.is_test) == (30, True)


@pytest.mark.parametrize(
    ("role", "page", "data"),
    [
        (A, "cancel", {"notice_given_on": "2025-03-10"}),
        (A, "tariff", {"requested_on": "2025-03-10"}),
        (C, "addon", {"start_date": "2025-03-10", "quantity": "1"}),
        (C, "party", {"kind": "company", "company_name": "Neu GmbH", "reason": "x"}),
        (A, "bank", {"holder": "Muster GmbH", "iban": "DE89370400440532013000"}),
        (A, "mandate", {"reference": "M-1", "signed_on": "2025-01-01", "scheme": "CORE"}),
        (C, "delete", {"confirm": "on"}),
        (A, "new_account", {"kind": "company", "company_name": "X GmbH"}),
    ],
)
def test_a_denied_post_writes_nothing(as_user, account, subscription, role, page, data):
    before = {
        "audit": AuditEntry.objects.count(),
        "accounts": Account.objects.count(),
        "addons": SubscriptionAddon.objects.count(),
        "requests": ContractPartyChangeRequest.objects.count(),
        "banks": BankAccount.objects.count(),
        "mandates": Mandate.objects.count(),
    }
    data = {"version": subscription.version, **data}
    response = as_user(role).post(_urls(account, subscription)[page], data)
    assert response.status_code == 403
    subscription.refresh_from_db()
    account.refresh_from_db()
    assert (subscription.end_date, subscription.version, account.status) == (None, 1, "active")
    after = {
        "audit": AuditEntry.objects.count(),
        "accounts": Account.objects.count(),
        "addons": SubscriptionAddon.objects.count(),
        "requests": ContractPartyChangeRequest.objects.count(),
        "banks": BankAccount.objects.count(),
        "mandates": Mandate.objects.count(),
    }
    assert after == before


def test_dashboard_shows_counts(as_user, account, subscription):
    page = as_user(A).get(reverse("admin:index")).content.decode()
    assert '<td id="count-accounts">1</td>' in page
    assert '<td id="count-subscriptions">1</td>' in page
    assert "Nothing waits for a decision." in page
