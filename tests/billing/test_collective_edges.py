"""Edges of collective invoicing found in review: backdated orders, changed schedules,
invoices in advance, system fees, "bill now" and the internal profile name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from kontor.billing.advance import contract_invoices_in_advance
from kontor.billing.charges import account_invoice_now, charge_create
from kontor.billing.collective import collective_profile_update
from kontor.billing.collective_limits import SpendingLimitExceeded, collective_status
from kontor.billing.models import Charge
from kontor.contracts.models import Subscription
from kontor.contracts.services import subscription_create
from kontor.invoicing.models import InvoiceLine
from tests.billing.test_collective_invoices import collecting_account, one_off
from tests.builders import account, tariff
from tests.conftest import make_user

D = Decimal
TODAY = date(2026, 11, 20)


def test_a_backdated_order_is_checked_against_the_interval_it_lands_in(manager):
    yearly = tariff(manager, code="Y", price="1000.00", interval=12, minimum=12, renewal=12)
    acc, _profile = collecting_account(manager, spending_limit="100.00")
    with time_machine.travel(TODAY, tick=False), pytest.raises(SpendingLimitExceeded) as refused:
        # started 25 October: its first charge falls into the interval billed on 1 November
        subscription_create(
            actor=manager,
            account_id=acc.pk,
            tariff_version_id=yearly.pk,
            start_date=date(2026, 10, 25),
        )
    assert refused.value.cost == D("186.30")  # 1000.00 × 68/365 days, aligned to the year
    assert not Subscription.objects.exists()


def test_a_changed_schedule_opens_no_hole_in_the_limit(manager):
    category = tariff(manager).tax_category_id
    acc, profile = collecting_account(manager, spending_limit="100.00")
    with time_machine.travel(TODAY, tick=False):
        one_off(manager, acc, "Erster Auftrag", "90.00", TODAY, category)
        collective_profile_update(
            actor=manager,
            profile_id=profile.pk,
            expected_version=None,
            changes={"day_of_month": 15},
        )
        status = collective_status(actor=manager, account_id=acc.pk)
        assert (status.interval_start, status.next_billing_date) == (
            date(2026, 11, 15),
            date(2026, 12, 15),
        )
        assert (status.collected, status.remaining) == (D("90.00"), D("10.00"))
        with pytest.raises(SpendingLimitExceeded):
            one_off(manager, acc, "Zweiter Auftrag", "90.00", date(2026, 11, 21), category)


def test_invoices_in_advance_count_against_the_limit(manager, clerk):
    monthly = tariff(manager, code="M", price="80.00", minimum=0, renewal=1)
    acc, _profile = collecting_account(manager, spending_limit="100.00")
    with time_machine.travel(date(2026, 10, 20), tick=False):
        sub = subscription_create(
            actor=manager,
            account_id=acc.pk,
            tariff_version_id=monthly.pk,
            start_date=date(2026, 11, 1),
        )
    with time_machine.travel(TODAY, tick=False):
        before = collective_status(actor=clerk, account_id=acc.pk).remaining
        contract_invoices_in_advance(
            actor=clerk, contract_id=sub.contract_id, until=date(2027, 1, 31), today=TODAY
        )
        after = collective_status(actor=clerk, account_id=acc.pk)
    assert before == after.remaining == D("20.00")
    assert not Charge.objects.filter(collective_date__isnull=True).exists()


def test_thirty_six_monthly_periods_in_advance_pass_the_safety_bound(manager, clerk):
    monthly = tariff(manager, code="M", price="10.00", minimum=0, renewal=1)
    acc = account(manager)
    sub = subscription_create(
        actor=manager, account_id=acc.pk, tariff_version_id=monthly.pk, start_date=date(2026, 12, 1)
    )
    drafts = contract_invoices_in_advance(  # December 2026 to November 2029
        actor=clerk, contract_id=sub.contract_id, until=date(2029, 11, 15), today=TODAY
    )
    assert len(drafts) == 36


def test_system_fees_are_not_refused_by_the_limit_but_count(manager):
    category = tariff(manager).tax_category_id
    acc, _profile = collecting_account(manager, spending_limit="100.00")
    with time_machine.travel(TODAY, tick=False):
        one_off(manager, acc, "Auftrag", "100.00", TODAY, category)
        charge_create(
            actor=manager,
            account_id=acc.pk,
            description="Porto",
            unit_price="0.85",
            tax_category_id=category,
            service_date=TODAY,
            enforce_limit=False,
        )
        assert collective_status(actor=manager, account_id=acc.pk).collected == D("100.85")


def test_bill_now_never_bills_collected_items_dated_in_the_future(manager):
    category = tariff(manager).tax_category_id
    acc, _profile = collecting_account(manager)
    with time_machine.travel(TODAY, tick=False):
        one_off(manager, acc, "Heute", "10.00", TODAY, category)
        one_off(manager, acc, "März", "500.00", date(2027, 3, 15), category)
        [invoice] = account_invoice_now(actor=manager, account_id=acc.pk, as_of=date(2027, 3, 15))
    assert [x.description for x in invoice.lines.all()] == ["Heute"]
    assert not InvoiceLine.objects.filter(charge__description="März").exists()


def test_customers_never_see_the_internal_profile_name(manager):
    acc, _profile = collecting_account(manager, name="Problemkunden - zahlt schlecht")
    customer = make_user("kunde", None)
    acc.owner = customer
    acc.save(update_fields=["owner"])
    assert collective_status(actor=manager, account_id=acc.pk).profile_name.startswith("Problem")
    assert collective_status(actor=customer, account_id=acc.pk).profile_name == ""
