"""Drafts generated in advance, combined into collective invoices, finalized on their send
dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kontor.billing.advance import contract_invoices_in_advance
from kontor.billing.charges import account_invoice_now, charge_create
from kontor.billing.models import Charge
from kontor.contracts.services import subscription_create
from kontor.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kontor.invoicing.collective import collective_drafts, drafts_finalize_due, invoices_combine
from kontor.invoicing.models import Invoice, InvoiceStatus, OutboxEntry
from kontor.invoicing.services import invoice_draft_update, invoice_line_update
from tests.billing_world import run_billing
from tests.builders import account, tariff

D = Decimal
TODAY = date(2026, 12, 15)


@pytest.fixture
def bimonthly(manager):
    version = tariff(manager, code="WART-2", price="50.00", interval=2, minimum=12, renewal=12)
    acc = account(manager)
    sub = subscription_create(
        actor=manager, account_id=acc.pk, tariff_version_id=version.pk, start_date=date(2027, 1, 1)
    )
    return sub


def periods(invoice: Invoice) -> list[tuple[date, date, Decimal]]:
    return [
        (x.period_start, x.period_end, x.net_amount) for x in invoice.lines.order_by("position")
    ]


def test_six_bimonthly_drafts_combined_into_three_go_out_on_their_send_dates(clerk, bimonthly):
    drafts = contract_invoices_in_advance(
        actor=clerk, contract_id=bimonthly.contract_id, until=date(2027, 12, 31), today=TODAY
    )
    assert [d.send_date for d in drafts] == [date(2027, m, 1) for m in (1, 3, 5, 7, 9, 11)]
    assert all(d.status == InvoiceStatus.DRAFT and d.is_collective for d in drafts)
    assert [periods(d) for d in drafts][0] == [(date(2027, 1, 1), date(2027, 2, 28), D("50.00"))]
    assert {c.id for c in collective_drafts(actor=clerk)} == {d.pk for d in drafts}

    combined = [
        invoices_combine(actor=clerk, invoice_ids=[a.pk, b.pk])
        for a, b in zip(drafts[::2], drafts[1::2], strict=True)
    ]
    assert Invoice.objects.count() == 3
    assert [c.send_date for c in combined] == [date(2027, 1, 1), date(2027, 5, 1), date(2027, 9, 1)]
    assert periods(combined[0]) == [
        (date(2027, 1, 1), date(2027, 2, 28), D("50.00")),
        (date(2027, 3, 1), date(2027, 4, 30), D("50.00")),
    ]
    assert (combined[0].net_total, combined[0].gross_total) == (D("100.00"), D("119.00"))
    assert (combined[0].period_start, combined[0].period_end) == (
        date(2027, 1, 1),
        date(2027, 4, 30),
    )

    # staff change a line and a send date before it goes out
    invoice_line_update(
        actor=clerk, invoice_id=combined[1].pk, expected_version=None, position=2, unit_price="40"
    )
    invoice_draft_update(
        actor=clerk,
        invoice_id=combined[1].pk,
        expected_version=None,
        changes={"send_date": date(2027, 5, 3)},
    )
    assert drafts_finalize_due(today=date(2026, 12, 31)) == []
    [first] = drafts_finalize_due(today=date(2027, 1, 1))
    assert (first.number, first.issue_date, first.send_date) == (
        "RE-2027-000001",
        date(2027, 1, 1),
        date(2027, 1, 1),
    )
    assert OutboxEntry.objects.filter(key=str(first.pk), topic="invoice.finalized").exists()
    # a billing run on the period dates charges nothing again
    run_billing(clerk, as_of=date(2027, 3, 1))
    assert Charge.objects.filter(subscription=bimonthly).count() == 6
    assert drafts_finalize_due(today=date(2027, 5, 2)) == []
    [second] = drafts_finalize_due(today=date(2027, 5, 3))
    assert (second.number, second.net_total) == ("RE-2027-000002", D("90.00"))
    [third] = drafts_finalize_due(today=date(2027, 9, 30))  # a late sweep still sends it
    assert (third.issue_date, third.number) == (date(2027, 9, 30), "RE-2027-000003")
    assert not collective_drafts(actor=clerk).exists()


def test_combining_refuses_what_does_not_belong_together(manager, clerk, bimonthly):
    drafts = contract_invoices_in_advance(
        actor=clerk, contract_id=bimonthly.contract_id, until=date(2027, 4, 30), today=TODAY
    )
    other = account(manager)
    charge_create(
        actor=clerk,
        account_id=other.pk,
        description="Fremd",
        unit_price="10",
        tax_category_id=bimonthly.tariff_version.tax_category_id,
        service_date=TODAY,
    )
    [foreign] = account_invoice_now(actor=clerk, account_id=other.pk, as_of=TODAY, finalize=False)
    with pytest.raises(ValidationFailed) as refused_accounts:
        invoices_combine(actor=clerk, invoice_ids=[drafts[0].pk, foreign.pk])
    assert refused_accounts.value.errors[0].code == "accounts"
    with pytest.raises(ValidationFailed) as refused_too_few:
        invoices_combine(actor=clerk, invoice_ids=[drafts[0].pk, drafts[0].pk])
    assert refused_too_few.value.errors[0].code == "too_few"
    with pytest.raises(NotFound):
        invoices_combine(actor=clerk, invoice_ids=[drafts[0].pk, 999999])
    drafts_finalize_due(today=date(2027, 1, 1))
    with pytest.raises(Conflict) as refused_finalized:
        invoices_combine(actor=clerk, invoice_ids=[drafts[0].pk, drafts[1].pk])
    assert refused_finalized.value.errors[0].code == "invoice_finalized"
    assert Invoice.objects.get(pk=drafts[1].pk).lines.count() == 1, "nothing was moved"


def test_combining_with_no_send_date_and_permissions(manager, clerk, accountant, bimonthly):
    drafts = contract_invoices_in_advance(
        actor=clerk, contract_id=bimonthly.contract_id, until=date(2027, 4, 30), today=TODAY
    )
    with pytest.raises(PermissionDenied):
        invoices_combine(actor=accountant, invoice_ids=[d.pk for d in drafts])
    combined = invoices_combine(actor=clerk, invoice_ids=[d.pk for d in drafts], send_date=None)
    assert combined.send_date is None
    assert list(collective_drafts(actor=accountant, without_send_date=True)) == [combined]
    assert drafts_finalize_due(today=date(2030, 1, 1)) == [], "no send date: never sent"


def test_invoices_in_advance_checks_its_input(clerk, accountant, bimonthly):
    with pytest.raises(ValidationFailed) as refused_out_of_range:
        contract_invoices_in_advance(
            actor=clerk, contract_id=bimonthly.contract_id, until=date(2026, 12, 1), today=TODAY
        )
    assert refused_out_of_range.value.errors[0].code == "out_of_range"
    with pytest.raises(Conflict) as refused_nothing:
        contract_invoices_in_advance(
            actor=clerk, contract_id=bimonthly.contract_id, until=date(2026, 12, 31), today=TODAY
        )
    assert refused_nothing.value.errors[0].code == "nothing_due"
    with pytest.raises(NotFound):
        contract_invoices_in_advance(actor=clerk, contract_id=999999, until=TODAY, today=TODAY)
    with pytest.raises(PermissionDenied):
        contract_invoices_in_advance(
            actor=accountant, contract_id=bimonthly.contract_id, until=date(2027, 4, 30)
        )
    assert not Charge.objects.exists()


def test_credit_notes_are_never_combined(manager, clerk):
    from kontor.invoicing.services import credit_note_create

    category = tariff(manager, code="X").tax_category_id
    acc = account(manager)
    originals = []
    for price in ("100.00", "200.00"):
        charge_create(
            actor=clerk,
            account_id=acc.pk,
            description=f"Leistung {price}",
            unit_price=price,
            tax_category_id=category,
            service_date=TODAY,
        )
        originals += account_invoice_now(actor=clerk, account_id=acc.pk, as_of=TODAY)
    notes = [
        credit_note_create(actor=manager, invoice_id=i.pk, reason="Kulanz", finalize=False)
        for i in originals
    ]
    with pytest.raises(ValidationFailed) as refused:
        invoices_combine(actor=clerk, invoice_ids=[n.pk for n in notes])
    assert refused.value.errors[0].code == "credit_notes"


def test_a_draft_edited_below_zero_is_not_finalized_on_its_send_date(clerk, bimonthly):
    drafts = contract_invoices_in_advance(
        actor=clerk, contract_id=bimonthly.contract_id, until=date(2027, 2, 28), today=TODAY
    )
    invoice_line_update(
        actor=clerk, invoice_id=drafts[0].pk, expected_version=None, position=1, quantity="-1"
    )
    assert drafts_finalize_due(today=date(2027, 1, 1)) == []
    assert Invoice.objects.get(pk=drafts[0].pk).status == InvoiceStatus.DRAFT
    from kontor.invoicing.collective import drafts_overdue

    assert list(drafts_overdue(actor=clerk, today=date(2027, 1, 2))) == [drafts[0]]
    with pytest.raises(Conflict) as refused:
        from kontor.invoicing.services import invoice_finalize

        invoice_finalize(actor=clerk, invoice_id=drafts[0].pk)
    assert refused.value.code == "wrong_sign"
