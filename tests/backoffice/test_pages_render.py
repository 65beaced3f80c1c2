"""Every back-office page renders for a manager (a template error would be a 500)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.backoffice.conftest import login

pytestmark = pytest.mark.django_db


def test_every_page_renders_for_a_manager(manager, account, subscription, catalog_setup):
    client = login(manager)
    a, s = account.pk, subscription.pk
    urls = [
        reverse("admin:index"),
        reverse("admin:customers_account_changelist"),
        reverse("admin:customers_account_add"),
        reverse("admin:customers_account_change", args=[a]),
        reverse("admin:customers_account_history", args=[a]),
        reverse("admin:customers_account_delete", args=[a]),
        reverse("admin:customers_account_party_change", args=[a]),
        reverse("admin:customers_account_bank_account_add", args=[a]),
        reverse("admin:customers_account_mandate_add", args=[a]),
        reverse("admin:customers_account_subscription_add", args=[a]),
        reverse("admin:customers_account_subscription_cancel", args=[a, s]),
        reverse("admin:customers_account_subscription_change_tariff", args=[a, s]),
        reverse("admin:customers_account_subscription_book_addon", args=[a, s]),
        reverse("admin:kontor_changelog", args=["contracts.subscription", s]),
        reverse("admin:contracts_subscription_changelist"),
        reverse("admin:contracts_subscription_change", args=[s]),
        reverse("admin:catalog_tariff_changelist"),
        reverse("admin:catalog_tariff_add"),
        reverse("admin:catalog_tariffversion_add"),
        reverse("admin:catalog_article_history", args=[catalog_setup["addon"].pk]),
        reverse("admin:customers_contractpartychangerequest_changelist"),
        reverse("admin:core_auditentry_changelist"),
        reverse("admin:billing_billingsettings_changelist"),
        reverse("admin:billing_sellerprofile_change", args=[1]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
