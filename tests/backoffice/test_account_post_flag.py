"""The post flag on the account page: a choice of the billing settings' default (named), yes
or no; clerks and managers change it, accountants see it read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kontor.billing.models import BillingSettings
from kontor.customers.models import Account
from tests.backoffice.conftest import account_post

pytestmark = pytest.mark.django_db


def _url(account):
    return reverse("admin:customers_account_change", args=[account.pk])


@pytest.mark.parametrize(("default", "label"), [(False, "no"), (True, "yes")])
def test_the_choice_names_the_billing_settings_default(as_user, account, default, label):
    settings = BillingSettings.load()
    settings.deliver_by_post_default = default
    settings.save()
    page = as_user("clerk").get(_url(account)).content.decode()
    assert 'id="section-delivery"' in page
    section = page[page.index('id="section-delivery"') :]
    select = section[section.index('<select name="deliver_by_post"') : section.index("</select>")]
    options = [line.strip() for line in select.splitlines() if "<option" in line]
    assert options == [
        f'<option value="unknown" selected>billing settings&#x27; default ({label})</option>',
        '<option value="true">yes</option>',
        '<option value="false">no</option>',
    ]


@pytest.mark.parametrize("role", ["clerk", "manager"])
def test_staff_set_the_flag_and_back_to_the_default(as_user, account, role):
    client = as_user(role)
    response = client.post(_url(account), account_post(account, deliver_by_post="true"))
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.deliver_by_post, account.version) == (True, 2)
    page = client.get(_url(account)).content.decode()
    assert "The account was saved." in page
    assert '<option value="true" selected>yes</option>' in page.replace("\n", "")
    client.post(_url(account), account_post(account, deliver_by_post="unknown"))
    assert Account.objects.get(pk=account.pk).deliver_by_post is None


def test_saving_other_fields_keeps_the_flag(as_user, manager, account):
    Account.objects.filter(pk=account.pk).update(deliver_by_post=False)
    account.refresh_from_db()
    as_user("clerk").post(_url(account), account_post(account, po_number="PO-1"))
    account.refresh_from_db()
    assert (account.po_number, account.deliver_by_post) == ("PO-1", False)


def test_accountant_sees_the_flag_read_only(as_user, account):
    Account.objects.filter(pk=account.pk).update(deliver_by_post=True)
    page = as_user("accountant").get(_url(account)).content.decode()
    assert 'name="deliver_by_post"' not in page
    section = page[page.index('id="section-delivery"') :]
    assert '<div class="readonly">yes</div>' in section[: section.index("</fieldset>")]
