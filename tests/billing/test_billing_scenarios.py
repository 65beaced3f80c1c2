"""Billing runs end to end, with concrete dates and euros (the scenarios of the engine issue)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kontor.billing.models import BillingRunEntry, BillingSettings, Charge
from kontor.billing.runs import billing_run_create, billing_run_execute
from kontor.contracts.services import (
    subscription_cancel,
    subscription_change_tariff,
    subscription_create,
)
from kontor.invoicing.models import Invoice, InvoiceTax
from tests.builders import account, tariff

D = Decimal


def run(actor, day: date) -> list[Invoice]:
    created = billing_run_create(actor=actor, as_of=day)
    billing_run_execute(actor=actor, run_id=created.pk)
    return list(Invoice.objects.filter(billing_run=created).order_by("id"))


def lines(invoice: Invoice) -> list[tuple[date, date, Decimal]]:
    return [(x.period_start, x.period_end, x.net_amount) for x in invoice.lines.all()]


def settings(**values) -> None:
    BillingSettings.load()
    BillingSettings.objects.filter(pk=1).update(**values)


def book(actor, version, start: date, acc=None, **kwargs):
    acc = acc or account(actor)
    return subscription_create(
        actor=actor, account_id=acc.pk, tariff_version_id=version.pk, start_date=start, **kwargs
    )


@pytest.fixture
def monthly(manager):
    return tariff(manager, code="WEB-M", price="30.00", minimum=0, renewal=1)


def test_monthly_in_advance_from_the_17th_aligned_to_the_month(manager, monthly):
    book(manager, monthly, date(2026, 1, 17))
    [first] = run(manager, date(2026, 1, 17))
    # 30.00 × 15/31 days = 14.516… → 14.52
    assert lines(first) == [(date(2026, 1, 17), date(2026, 1, 31), D("14.52"))]
    assert (first.net_total, first.tax_total, first.gross_total) == (
        D("14.52"),
        D("2.76"),
        D("17.28"),
    )
    assert first.number == "RE-2026-000001"
    [second] = run(manager, date(2026, 2, 1))
    assert lines(second) == [(date(2026, 2, 1), date(2026, 2, 28), D("30.00"))]


def test_monthly_in_advance_from_the_17th_anniversary_billing(manager, monthly):
    settings(align_to_calendar=False)
    book(manager, monthly, date(2026, 1, 17))
    [first] = run(manager, date(2026, 1, 17))
    assert lines(first) == [(date(2026, 1, 17), date(2026, 2, 16), D("30.00"))]


def test_bimonthly_contract_over_a_year_gives_six_invoices(manager):
    version = tariff(manager, code="TEL-2", price="50.00", interval=2, minimum=0, renewal=2)
    book(manager, version, date(2026, 1, 1))
    invoices = [inv for month in range(1, 13) for inv in run(manager, date(2026, month, 1))]
    assert [lines(i) for i in invoices] == [
        [
            (
                date(2026, m, 1),
                date(2026, m + 1, 28 if m == 1 else 30 if m + 1 in (4, 6, 9, 11) else 31),
                D("50.00"),
            )
        ]
        for m in (1, 3, 5, 7, 9, 11)
    ]
    assert sum(i.net_total for i in invoices) == D("300.00")


def test_yearly_tariff_cancelled_with_notice_is_billed_to_the_end_of_the_term(manager):
    version = tariff(
        manager,
        code="DOM-Y",
        price="120.00",
        interval=12,
        minimum=12,
        renewal=12,
        notice=(3, "months", "term_end"),
    )
    sub = book(manager, version, date(2026, 1, 1))
    [first] = run(manager, date(2026, 1, 1))
    assert lines(first) == [(date(2026, 1, 1), date(2026, 12, 31), D("120.00"))]
    cancelled = subscription_cancel(
        actor=manager, subscription_id=sub.pk, expected_version=1, notice_given_on=date(2026, 9, 15)
    )
    assert cancelled.end_date == date(2026, 12, 31)
    assert run(manager, date(2027, 1, 1)) == []
    assert Charge.objects.filter(subscription=sub).count() == 1


def test_yearly_tariff_ended_early_by_a_manager_is_credited_pro_rata(manager):
    version = tariff(manager, code="DOM-Y", price="120.00", interval=12, minimum=12, renewal=12)
    sub = book(manager, version, date(2026, 1, 1))
    run(manager, date(2026, 1, 1))
    subscription_cancel(
        actor=manager,
        subscription_id=sub.pk,
        expected_version=1,
        notice_given_on=date(2026, 6, 1),
        end_date=date(2026, 6, 30),
    )
    [credit] = run(manager, date(2026, 7, 1))
    # the unused 184 of 365 days: 120.00 × 184/365 = 60.49
    assert credit.kind == "credit_note"
    assert lines(credit) == [(date(2026, 7, 1), date(2026, 12, 31), D("-60.49"))]
    assert credit.number == "GS-2026-000001"


def test_tariff_upgrade_mid_period_credits_the_old_and_charges_the_new(manager, monthly):
    bigger = tariff(manager, code="WEB-L", price="60.00", minimum=0, renewal=1)
    sub = book(manager, monthly, date(2026, 3, 1))
    run(manager, date(2026, 3, 1))
    subscription_change_tariff(
        actor=manager,
        subscription_id=sub.pk,
        expected_version=1,
        tariff_version_id=bigger.pk,
        requested_on=date(2026, 3, 10),
    )
    [invoice] = run(manager, date(2026, 3, 10))
    # old: −30.00 × 22/31 = −21.29; new: 60.00 × 22/31 = 42.58
    assert sorted(lines(invoice), key=lambda x: x[2]) == [
        (date(2026, 3, 10), date(2026, 3, 31), D("-21.29")),
        (date(2026, 3, 10), date(2026, 3, 31), D("42.58")),
    ]
    assert invoice.net_total == D("21.29")


def test_order_after_the_cutoff_day_starts_on_the_first_of_the_month_after_next(manager, monthly):
    settings(start_next_month=True, start_cutoff_day=20)
    early = book(manager, monthly, None, order_date=date(2026, 3, 20))
    late = book(manager, monthly, None, order_date=date(2026, 3, 21))
    assert (early.start_date, late.start_date) == (date(2026, 4, 1), date(2026, 5, 1))
    [april] = run(manager, date(2026, 4, 1))
    assert april.account_id == early.account_id
    assert {i.account_id for i in run(manager, date(2026, 5, 1))} == {
        early.account_id,
        late.account_id,
    }


@pytest.mark.parametrize("zero_invoices", [False, True])
def test_zero_price_tariff_with_and_without_the_price_0_setting(manager, zero_invoices):
    settings(create_zero_invoices=zero_invoices)
    free = tariff(manager, code="FREE", price="0.00", minimum=0, renewal=1)
    sub = book(manager, free, date(2026, 1, 1))
    invoices = run(manager, date(2026, 1, 1))
    assert Charge.objects.get(subscription=sub).amount == D("0.00")
    assert [i.gross_total for i in invoices] == ([D("0.00")] if zero_invoices else [])


def test_reverse_charge_account_gets_no_vat_and_the_legal_note(manager, monthly):
    acc = account(manager, vat_treatment="reverse_charge", vat_id="ATU13472008")
    book(manager, monthly, date(2026, 1, 1), acc=acc)
    [invoice] = run(manager, date(2026, 1, 1))
    assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (
        D("30.00"),
        D("0.00"),
        D("30.00"),
    )
    tax = InvoiceTax.objects.get(invoice=invoice)
    assert (tax.category, tax.rate) == ("AE", D("0.00"))
    assert "Steuerschuldnerschaft des Leistungsempfängers" in tax.exemption_reason
    assert invoice.snapshot["buyer"]["vat_id"] == "ATU13472008"


def test_test_account_invoices_use_their_own_series(manager, monthly):
    book(manager, monthly, date(2026, 1, 1))
    book(manager, monthly, date(2026, 1, 1), acc=account(manager, is_test=True))
    numbers = sorted(i.number for i in run(manager, date(2026, 1, 1)))
    assert numbers == ["RE-2026-000001", "TEST-2026-000001"]


def test_setup_fee_is_billed_once_with_the_first_period(manager):
    version = tariff(manager, code="SRV", price="79.00", minimum=12, renewal=1)
    version.setup_fee = D("49.00")
    version.save()
    book(manager, version, date(2026, 1, 1))
    [first] = run(manager, date(2026, 1, 1))
    assert sorted(x.net_amount for x in first.lines.all()) == [D("49.00"), D("79.00")]
    [second] = run(manager, date(2026, 2, 1))
    assert [x.net_amount for x in second.lines.all()] == [D("79.00")]


def test_safety_bound_refuses_runaway_billing_and_reports_it(manager, monthly):
    settings(max_periods_per_run=24)
    sub = book(manager, monthly, date(2021, 1, 1))
    created = billing_run_create(actor=manager, as_of=date(2026, 1, 1))
    billing_run_execute(actor=manager, run_id=created.pk)
    assert not Charge.objects.filter(subscription=sub).exists()
    entry = BillingRunEntry.objects.get(run=created)
    assert (entry.kind, entry.subscription_id_ref) == ("refused", sub.pk)


def test_second_run_for_the_same_date_bills_nothing(manager, monthly):
    book(manager, monthly, date(2026, 1, 1))
    assert len(run(manager, date(2026, 2, 1))) == 1
    assert run(manager, date(2026, 2, 1)) == []
    assert Charge.objects.count() == 2


def test_prorated_lines_read_quantity_times_unit_price(manager, monthly):
    book(manager, monthly, date(2026, 1, 17), quantity=3)
    [first] = run(manager, date(2026, 1, 17))
    [line] = first.lines.all()
    # 3 × 30.00 × 15/31 = 43.55; the line shows 3 × 14.5167
    assert (line.quantity, line.unit_price, line.net_amount) == (D("3"), D("14.5167"), D("43.55"))


def _second_contract(manager, version, acc, reference, start=date(2026, 1, 1)):
    return book(manager, version, start, acc=acc, contract_reference=reference)


@pytest.mark.parametrize(
    ("split", "expected"),
    [
        ("account", [3]),
        ("contract_type", [1, 2]),
        ("contract", [1, 1, 1]),
    ],
)
def test_invoice_split_setting(manager, monthly, split, expected):
    settings(invoice_split=split)
    phone = tariff(manager, code="TEL", module_code="TEL", price="9.00", minimum=0, renewal=1)
    from kontor.catalog.models import TariffVersion

    TariffVersion.objects.filter(pk=phone.pk).update(contract_type="telephony")
    acc = account(manager)
    book(manager, monthly, date(2026, 1, 1), acc=acc, contract_reference="V-1")
    book(manager, monthly, date(2026, 1, 1), acc=acc, contract_reference="V-2")
    book(manager, phone, date(2026, 1, 1), acc=acc, contract_reference="V-3")
    invoices = run(manager, date(2026, 1, 1))
    assert sorted(i.lines.count() for i in invoices) == expected


@pytest.mark.parametrize("from_account", [True, False])
def test_invoice_branch_follows_the_setting(manager, monthly, from_account):
    from kontor.contracts.models import Contract
    from kontor.customers.models import Branch

    settings(
        branch_from_account=from_account,
        numbers_per_branch=True,
        invoice_number_format="RE-{branch}-{year}-{seq:04}",
    )
    berlin = Branch.objects.create(code="BER", name="Berlin")
    munich = Branch.objects.create(code="MUC", name="München")
    acc = account(manager, branch=berlin.pk)
    sub = book(manager, monthly, date(2026, 1, 1), acc=acc)
    Contract.objects.filter(pk=sub.contract_id).update(branch=munich)
    [invoice] = run(manager, date(2026, 1, 1))
    expected = berlin if from_account else munich
    assert (invoice.branch_id, invoice.number) == (expected.pk, f"RE-{expected.code}-2026-0001")


def test_default_article_is_used_for_tariffs_without_one(manager, monthly):
    from kontor.catalog.models import ArticleType
    from kontor.catalog.services import article_create

    kind = ArticleType.objects.create(code="service", name="Service")
    article = article_create(
        actor=manager,
        number="HOST-01",
        name="Hosting",
        unit="MON",
        article_type_id=kind.pk,
        tax_category_id=monthly.tax_category_id,
        price="1.00",
    )
    settings(default_article=article)
    book(manager, monthly, date(2026, 1, 1))
    [invoice] = run(manager, date(2026, 1, 1))
    [line] = invoice.lines.all()
    assert (line.article_number, line.unit) == ("HOST-01", "MON")


def test_migrated_contract_is_billed_from_the_day_after_billed_until(manager, monthly):
    from kontor.contracts.models import Subscription

    sub = book(manager, monthly, date(2021, 1, 1))
    Subscription.objects.filter(pk=sub.pk).update(billed_until=date(2025, 12, 31))
    [invoice] = run(manager, date(2026, 1, 1))
    assert lines(invoice) == [(date(2026, 1, 1), date(2026, 1, 31), D("30.00"))]
    assert not BillingRunEntry.objects.exists()
