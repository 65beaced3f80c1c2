"""The change log lists every change: when, who, field, old → new."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kontor.contracts.services import subscription_cancel
from tests.backoffice.conftest import account_post

pytestmark = pytest.mark.django_db


def test_account_edit_appears_in_the_change_log(as_user, account):
    client = as_user("clerk")
    url = reverse("admin:customers_account_change", args=[account.pk])
    client.post(url, account_post(account, po_number="PO-1", vat_id=""))
    response = client.get(reverse("admin:customers_account_history", args=[account.pk]))
    entry = response.context["entries"][0]
    assert (entry.who, entry.action) == ("clerk", "changed")
    assert [(c.field, c.old, c.new) for c in entry.changes] == [
        ("purchase order number", "—", "PO-1")
    ]
    page = response.content.decode()
    assert '<td class="field">purchase order number</td><td class="old">—</td>' in page
    assert '<td class="new">PO-1</td>' in page


def test_account_log_includes_subscriptions_and_choice_labels(as_user, manager, subscription):
    subscription_cancel(
        actor=manager,
        subscription_id=subscription.pk,
        expected_version=1,
        notice_given_on=__import__("datetime").date(2025, 3, 10),
    )
    response = as_user("accountant").get(
        reverse("admin:customers_account_history", args=[subscription.account_id])
    )
    rows = {(c.field, c.old, c.new) for e in response.context["entries"] for c in e.changes}
    assert ("end date", "—", "2025-12-31") in rows
    assert ("end reason", "—", "cancelled") in rows
    record = as_user("accountant").get(
        reverse("admin:kontor_changelog", args=["contracts.subscription", subscription.pk])
    )
    assert {e.action for e in record.context["entries"]} == {"created", "changed"}


def test_unknown_model_has_no_change_log(as_user):
    url = reverse("admin:kontor_changelog", args=["auth.user", 1])
    assert as_user("manager").get(url).status_code == 404
