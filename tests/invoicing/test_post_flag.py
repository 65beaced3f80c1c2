"""Delivery by post per account: the account's own choice beats the billing setting."""

from __future__ import annotations

from datetime import date

from kontor.billing.charges import account_invoice_now, charge_create
from kontor.billing.models import BillingSettings
from kontor.catalog.models import TaxCategory
from kontor.customers.models import Account
from tests.builders import account, tariff


def invoice_for(actor, acc) -> bool:
    charge_create(
        actor=actor,
        account_id=acc.pk,
        description="Einrichtung",
        unit_price="10.00",
        tax_category_id=TaxCategory.objects.get(code="S").pk,
        service_date=date(2026, 11, 2),
    )
    [invoice] = account_invoice_now(actor=actor, account_id=acc.pk, as_of=date(2026, 11, 2))
    return invoice.deliver_by_post


def test_account_post_flag_overrides_the_setting_both_ways(manager):
    tariff(manager)  # the standard VAT rate
    default, paper, no_paper = account(manager), account(manager), account(manager)
    Account.objects.filter(pk=paper.pk).update(deliver_by_post=True)
    Account.objects.filter(pk=no_paper.pk).update(deliver_by_post=False)
    assert [invoice_for(manager, a) for a in (default, paper, no_paper)] == [False, True, False]
    BillingSettings.objects.filter(pk=BillingSettings.load().pk).update(
        deliver_by_post_default=True
    )
    assert [invoice_for(manager, a) for a in (default, paper, no_paper)] == [True, True, False]
