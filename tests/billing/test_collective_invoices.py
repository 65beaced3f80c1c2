"""Collective invoice profiles, with concrete dates and euros: collecting, the billing date,
the spending limit, leaving the profile and "bill now"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from kontor.billing.charges import account_invoice_now, charge_create
from kontor.billing.collective import (
    collective_profile_create,
    collective_profile_delete,
    collective_profile_update,
    customer_group_set_profile,
)
from kontor.billing.collective_limits import SpendingLimitExceeded, collective_status
from kontor.billing.models import BillingSettings, Charge
from kontor.contracts.models import Subscription
from kontor.contracts.services import subscription_book_addon, subscription_create
from kontor.core.errors import Conflict, ValidationFailed
from kontor.customers.models import CustomerGroup
from kontor.customers.services.accounts import account_update
from kontor.invoicing.models import Invoice
from tests.billing_world import run_billing
from tests.builders import account, tariff

D = Decimal


def run(actor, day: date) -> list[Invoice]:
    done = run_billing(actor, as_of=day)
    return list(Invoice.objects.filter(billing_run=done).order_by("id"))


def lines(invoice: Invoice) -> list[tuple[date, date, str, Decimal]]:
    return [
        (x.period_start, x.period_end, x.description, x.net_amount)
        for x in invoice.lines.order_by("position")
    ]


def collecting_account(actor, **profile):
    created = collective_profile_create(
        actor=actor,
        data={"name": "Sammelrechnung", "interval": "monthly", "day_of_month": 1, **profile},
    )
    group = CustomerGroup.objects.create(name="Sammelkunden")
    customer_group_set_profile(actor=actor, group_id=group.pk, profile_id=created.pk)
    return account(actor, group=group.pk), created


def one_off(actor, acc, text: str, price: str, day: date, category: int):
    return charge_create(
        actor=actor,
        account_id=acc.pk,
        description=text,
        unit_price=price,
        tax_category_id=category,
        service_date=day,
    )


@pytest.fixture
def anniversary():
    BillingSettings.load()
    BillingSettings.objects.filter(pk=1).update(align_to_calendar=False)


def test_monthly_profile_on_the_1st_collects_three_orders_and_a_renewal(manager, anniversary):
    monthly = tariff(manager, code="WEB-M", price="30.00", minimum=0, renewal=1)
    yearly = tariff(manager, code="WEB-Y", price="120.00", interval=12, module_code="MAIL")
    acc, _profile = collecting_account(manager, payment_term_days=30)
    # an existing yearly contract (billed by the old system up to 14 Nov) renews on 15 Nov
    subscription_create(
        actor=manager,
        account_id=acc.pk,
        tariff_version_id=yearly.pk,
        start_date=date(2025, 11, 15),
        billed_until=date(2026, 11, 14),
    )
    category = monthly.tax_category_id
    subscription_create(
        actor=manager, account_id=acc.pk, tariff_version_id=monthly.pk, start_date=date(2026, 11, 3)
    )
    one_off(manager, acc, "Einrichtung Postfach", "49.00", date(2026, 11, 10), category)
    one_off(manager, acc, "Migration", "120.00", date(2026, 11, 20), category)
    for day in (date(2026, 11, 3), date(2026, 11, 10), date(2026, 11, 15), date(2026, 11, 30)):
        assert run(manager, day) == [], f"nothing is invoiced before the billing date ({day})"
    assert Charge.objects.filter(account=acc, collective_date=date(2026, 12, 1)).count() == 4

    [invoice] = run(manager, date(2026, 12, 1))
    assert invoice.is_collective and invoice.number == "RE-2026-000001"
    assert lines(invoice) == [
        (date(2026, 11, 10), date(2026, 11, 10), "Einrichtung Postfach", D("49.00")),
        (date(2026, 11, 20), date(2026, 11, 20), "Migration", D("120.00")),
        (date(2026, 11, 15), date(2027, 11, 14), "Tarif WEB-Y", D("120.00")),
        (date(2026, 11, 3), date(2026, 12, 2), "Tarif WEB-M", D("30.00")),
    ]
    assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (
        D("319.00"),
        D("60.61"),
        D("379.61"),
    )
    # the profile's payment term, also in the printed facts
    assert (invoice.issue_date, invoice.due_date) == (date(2026, 12, 1), date(2026, 12, 31))
    assert invoice.snapshot["buyer"]["payment_term_days"] == 30
    # the monthly module renews on 3 Dec: collected for 1 Jan, not billed now
    assert run(manager, date(2026, 12, 3)) == []
    assert run(manager, date(2026, 12, 1)) == [], "a second run for the date bills nothing"
    [january] = run(manager, date(2027, 1, 1))
    assert [x[:2] for x in lines(january)] == [(date(2026, 12, 3), date(2027, 1, 2))]
    assert january.number == "RE-2027-000001"


def test_yearly_profile_on_15_january_bills_the_year_and_nothing_from_the_future(manager):
    monthly = tariff(manager, code="WEB-M", price="30.00", minimum=0, renewal=1)
    acc, _profile = collecting_account(
        manager, name="Jahressammelrechnung", interval="yearly", day_of_month=15, month_of_year=1
    )
    subscription_create(
        actor=manager, account_id=acc.pk, tariff_version_id=monthly.pk, start_date=date(2026, 3, 1)
    )
    category = monthly.tax_category_id
    one_off(manager, acc, "Schulung", "300.00", date(2027, 1, 14), category)
    one_off(manager, acc, "Schulung Teil 2", "300.00", date(2027, 1, 15), category)
    assert run(manager, date(2026, 12, 31)) == []
    [invoice] = run(manager, date(2027, 1, 15))
    starts = [x[0] for x in lines(invoice)]
    # the one-off of 14 January, then March 2026 to January 2027: eleven months (the January
    # period started before the 15th); the one-off dated the billing date waits a year
    months = [date(2026, m, 1) for m in range(3, 13)] + [date(2027, 1, 1)]
    assert starts == [date(2027, 1, 14), *months]
    assert invoice.net_total == D("630.00")
    assert Charge.objects.get(description="Schulung Teil 2").collective_date == date(2028, 1, 15)
    assert invoice.due_date == date(2027, 1, 29), "the account's payment term (14 days)"


def test_spending_limit_refuses_an_order_that_would_exceed_it(manager, clerk):
    monthly = tariff(manager, code="WEB-M", price="30.00", minimum=0, renewal=1)
    big = tariff(manager, code="WEB-L", price="40.00", minimum=0, renewal=1, module_code="BIG")
    acc, _profile = collecting_account(manager, spending_limit="100.00")
    category = monthly.tax_category_id
    with time_machine.travel(date(2026, 11, 10), tick=False):
        one_off(clerk, acc, "Einrichtung", "60.00", date(2026, 11, 10), category)
        # aligned: 10-30 Nov = 21 of 30 days of 30.00 = 21.00
        subscription_create(
            actor=clerk,
            account_id=acc.pk,
            tariff_version_id=monthly.pk,
            start_date=date(2026, 11, 10),
        )
        status = collective_status(actor=clerk, account_id=acc.pk)
        assert (status.next_billing_date, status.spending_limit) == (date(2026, 12, 1), D("100"))
        assert (status.collected, status.upcoming, status.remaining) == (
            D("60.00"),
            D("21.00"),
            D("19.00"),
        )
        charges, subscriptions = Charge.objects.count(), Subscription.objects.count()
        with pytest.raises(SpendingLimitExceeded) as refused:
            one_off(clerk, acc, "Beratung", "25.00", date(2026, 11, 10), category)
        message = str(refused.value)
        for figure in ("100.00", "81.00", "19.00", "25.00"):
            assert figure in message, message
        assert (refused.value.left, refused.value.cost) == (D("19.00"), D("25.00"))
        with pytest.raises(SpendingLimitExceeded, match="28.00"):  # 40.00 × 21/30
            subscription_create(
                actor=clerk,
                account_id=acc.pk,
                tariff_version_id=big.pk,
                start_date=date(2026, 11, 10),
            )
        assert (Charge.objects.count(), Subscription.objects.count()) == (charges, subscriptions)
        one_off(clerk, acc, "Kleinteil", "19.00", date(2026, 11, 10), category)  # fits exactly
        # an order for the next interval counts against that one
        subscription_create(
            actor=clerk, account_id=acc.pk, tariff_version_id=big.pk, start_date=date(2026, 12, 1)
        )


def test_renewals_are_never_refused_but_use_up_the_limit(manager):
    monthly = tariff(manager, code="WEB-M", price="80.00", minimum=0, renewal=1)
    acc, profile = collecting_account(manager, spending_limit="100.00")
    with time_machine.travel(date(2026, 10, 20), tick=False):
        subscription_create(
            actor=manager,
            account_id=acc.pk,
            tariff_version_id=monthly.pk,
            start_date=date(2026, 11, 1),
        )
    collective_profile_update(
        actor=manager,
        profile_id=profile.pk,
        expected_version=None,
        changes={"spending_limit": "50.00"},
    )
    run(manager, date(2026, 11, 1))  # the renewal is charged although it exceeds 50.00
    assert Charge.objects.get(account=acc).amount == D("80.00")
    with time_machine.travel(date(2026, 11, 2), tick=False):
        status = collective_status(actor=manager, account_id=acc.pk)
        assert (status.collected, status.remaining) == (D("80.00"), D("0.00"))
        with pytest.raises(SpendingLimitExceeded):
            one_off(manager, acc, "Beratung", "1.00", date(2026, 11, 2), monthly.tax_category_id)


def test_leaving_the_group_bills_what_was_collected_on_the_next_date(manager):
    monthly = tariff(manager, code="WEB-M", price="30.00", minimum=0, renewal=1)
    acc, _profile = collecting_account(manager)
    category = monthly.tax_category_id
    one_off(manager, acc, "Gesammelt", "50.00", date(2026, 11, 10), category)
    account_update(actor=manager, account_id=acc.pk, expected_version=None, changes={"group": None})
    one_off(manager, acc, "Nach dem Austritt", "20.00", date(2026, 11, 20), category)
    [normal] = run(manager, date(2026, 11, 20))
    assert not normal.is_collective and [x[2] for x in lines(normal)] == ["Nach dem Austritt"]
    status = collective_status(actor=manager, account_id=acc.pk, today=date(2026, 11, 20))
    assert (status.profile_id, status.pending_items, status.pending_first_date) == (
        None,
        1,
        date(2026, 12, 1),
    )
    assert run(manager, date(2026, 11, 30)) == []
    [collective] = run(manager, date(2026, 12, 1))
    assert collective.is_collective and [x[2] for x in lines(collective)] == ["Gesammelt"]
    one_off(manager, acc, "Später", "5.00", date(2026, 12, 5), category)
    [later] = run(manager, date(2026, 12, 5))
    assert not later.is_collective


def test_group_losing_its_profile_and_bill_now(manager):
    monthly = tariff(manager, code="WEB-M", price="30.00", minimum=0, renewal=1)
    acc, profile = collecting_account(manager)
    one_off(manager, acc, "Gesammelt", "50.00", date(2026, 11, 10), monthly.tax_category_id)
    customer_group_set_profile(actor=manager, group_id=acc.group_id, profile_id=None)
    [now] = account_invoice_now(actor=manager, account_id=acc.pk, as_of=date(2026, 11, 16))
    assert now.is_collective and now.issue_date == date(2026, 11, 16) and now.number
    assert now.collective_profile_id == profile.pk
    assert run(manager, date(2026, 12, 1)) == [], "nothing is billed twice"


def test_profile_validation_and_deletion(manager, clerk):
    from kontor.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        collective_profile_create(actor=clerk, data={"name": "X", "interval": "monthly"})
    with pytest.raises(ValidationFailed) as failed:
        collective_profile_create(
            actor=manager,
            data={"name": "", "interval": "weekly", "day_of_month": 32, "spending_limit": "-1"},
        )
    assert {e.field for e in failed.value.errors} == {
        "name",
        "interval",
        "day_of_month",
        "spending_limit",
    }
    with pytest.raises(ValidationFailed) as failed:
        collective_profile_create(actor=manager, data={"name": "J", "interval": "yearly"})
    assert [e.field for e in failed.value.errors] == ["month_of_year"]
    acc, profile = collecting_account(manager)
    with pytest.raises(Conflict, match="Sammelkunden"):
        collective_profile_delete(actor=manager, profile_id=profile.pk)
    one_off(manager, acc, "Gesammelt", "1.00", date(2026, 11, 10), tariff(manager).tax_category_id)
    customer_group_set_profile(actor=manager, group_id=acc.group_id, profile_id=None)
    with pytest.raises(Conflict) as in_use:
        collective_profile_delete(actor=manager, profile_id=profile.pk)
    assert in_use.value.code == "profile_in_use" and "gesammelt" in in_use.value.message
    unused = collective_profile_create(actor=manager, data={"name": "Leer", "interval": "monthly"})
    collective_profile_delete(actor=manager, profile_id=unused.pk)


def test_addon_counts_against_the_limit(manager):
    from kontor.catalog import services as catalog

    category = tariff(manager, code="BASE", price="1.00").tax_category_id
    kind = catalog.article_type_create(actor=manager, code="opt", name="Option")
    article = catalog.article_create(
        actor=manager,
        number="ADD-1",
        name="Extra",
        article_type_id=kind.pk,
        tax_category_id=category,
        price="90.00",
        is_addon=True,
    )
    version = tariff(manager, code="WEB-A", price="5.00", minimum=0, renewal=1, addons=[article.pk])
    acc, _profile = collecting_account(manager, spending_limit="50.00")
    with time_machine.travel(date(2026, 11, 1), tick=False):
        subscription = subscription_create(
            actor=manager,
            account_id=acc.pk,
            tariff_version_id=version.pk,
            start_date=date(2026, 11, 1),
        )
        with pytest.raises(SpendingLimitExceeded, match="90.00"):
            subscription_book_addon(
                actor=manager,
                subscription_id=subscription.pk,
                article_id=article.pk,
                start_date=date(2026, 11, 1),
            )
        assert not subscription.addons.exists()


def test_an_account_with_collected_items_cannot_be_deleted_until_they_are_billed(manager):
    from kontor.customers.services.accounts import account_delete

    monthly = tariff(manager, code="WEB-M", price="30.00", minimum=0, renewal=1)
    acc, _profile = collecting_account(manager)
    one_off(manager, acc, "Gesammelt", "50.00", date(2026, 11, 10), monthly.tax_category_id)
    with pytest.raises(Conflict, match=r"1 .*50.00") as refused:
        account_delete(actor=manager, account_id=acc.pk, today=date(2026, 11, 12))
    assert refused.value.code == "uninvoiced_items"
    account_invoice_now(actor=manager, account_id=acc.pk, as_of=date(2026, 11, 12))
    account_delete(actor=manager, account_id=acc.pk, today=date(2026, 11, 12))


def test_preview_counts_collected_charges_apart(manager):
    from kontor.billing.preview import billing_run_preview
    from kontor.billing.runs import billing_run_create

    monthly = tariff(manager, code="WEB-M", price="30.00", minimum=0, renewal=1)
    acc, _profile = collecting_account(manager)
    subscription_create(
        actor=manager, account_id=acc.pk, tariff_version_id=monthly.pk, start_date=date(2026, 11, 1)
    )
    normal = account(manager)
    subscription_create(
        actor=manager,
        account_id=normal.pk,
        tariff_version_id=monthly.pk,
        start_date=date(2026, 11, 1),
    )
    preview = billing_run_create(actor=manager, as_of=date(2026, 11, 1), dry_run=True)
    report = billing_run_preview(actor=manager, run_id=preview.pk)
    assert (report["accounts"], report["net_total"], report["collected"]) == (1, "30.00", 1)
    assert [row["account"] for row in report["per_account"]] == [normal.customer_number]


def test_spending_limit_is_never_taken_from_a_float(manager):
    with pytest.raises(ValidationFailed) as failed:
        collective_profile_create(
            actor=manager, data={"name": "F", "interval": "monthly", "spending_limit": 0.1}
        )
    assert [e.field for e in failed.value.errors] == ["spending_limit"]
    profile = collective_profile_create(
        actor=manager, data={"name": "S", "interval": "monthly", "spending_limit": "500.5"}
    )
    assert profile.spending_limit == D("500.50")
