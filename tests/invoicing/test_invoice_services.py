from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kontor.billing.charges import account_invoice_now, charge_create
from kontor.billing.models import Charge
from kontor.core.errors import Conflict, ValidationFailed
from kontor.customers.services import account_update
from kontor.invoicing.models import Invoice, InvoiceStatus
from kontor.invoicing.services import (
    credit_note_create,
    invoice_draft_delete,
    invoice_draft_update,
    invoice_finalize,
    invoice_line_update,
)
from tests.builders import account, tariff

D = Decimal
DAY = date(2026, 11, 24)


@pytest.fixture
def draft(manager):
    category = tariff(manager, code="X").tax_category_id
    acc = account(manager, payment_term_days=30, po_number="PO-1")
    for text, price in (("Einrichtung", "49.00"), ("Stunden Support", "85.50")):
        charge_create(
            actor=manager,
            account_id=acc.pk,
            description=text,
            unit_price=price,
            tax_category_id=category,
            service_date=date(2026, 11, 1),
        )
    [invoice] = account_invoice_now(actor=manager, account_id=acc.pk, as_of=DAY, finalize=False)
    return invoice


def test_finalizing_numbers_dates_and_freezes_the_invoice(manager, clerk, draft):
    invoice = invoice_finalize(actor=clerk, invoice_id=draft.pk, issue_date=DAY)
    assert (invoice.number, invoice.status) == ("RE-2026-000001", InvoiceStatus.FINALIZED)
    assert (invoice.issue_date, invoice.due_date, invoice.send_date) == (
        DAY,
        date(2026, 12, 24),
        DAY,
    )
    assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (
        D("134.50"),
        D("25.56"),
        D("160.06"),
    )
    account_update(
        actor=manager,
        account_id=invoice.account_id,
        expected_version=None,
        changes={"po_number": "PO-2"},
    )
    invoice.refresh_from_db()
    assert invoice.snapshot["buyer"]["po_number"] == "PO-1"
    with pytest.raises(Conflict) as error:
        invoice_draft_update(
            actor=manager,
            invoice_id=invoice.pk,
            expected_version=None,
            changes={"footer_text": "geändert"},
        )
    assert error.value.code == "invoice_finalized"
    with pytest.raises(Conflict):
        invoice_draft_delete(actor=manager, invoice_id=invoice.pk, expected_version=None)
    with pytest.raises(Conflict):
        invoice_finalize(actor=manager, invoice_id=invoice.pk)


def test_draft_lines_can_be_edited_and_totals_follow(manager, draft):
    invoice_line_update(
        actor=manager,
        invoice_id=draft.pk,
        expected_version=1,
        position=2,
        description="Support (3 Std.)",
        quantity="3",
        unit_price="85.50",
    )
    draft.refresh_from_db()
    assert (draft.net_total, draft.tax_total, draft.gross_total) == (
        D("305.50"),
        D("58.05"),
        D("363.55"),
    )


def test_deleting_a_draft_releases_its_charges_for_the_next_invoice(manager, draft):
    account_id = draft.account_id
    invoice_draft_delete(actor=manager, invoice_id=draft.pk, expected_version=1)
    assert Charge.objects.filter(account_id=account_id, invoice_line__isnull=True).count() == 2
    [again] = account_invoice_now(actor=manager, account_id=account_id, as_of=DAY)
    assert again.net_total == D("134.50")


def test_full_credit_note_nets_the_invoice_to_zero(manager, draft):
    invoice = invoice_finalize(actor=manager, invoice_id=draft.pk, issue_date=DAY)
    note = credit_note_create(actor=manager, invoice_id=invoice.pk, reason="Storno", issue_date=DAY)
    assert (note.kind, note.number, note.corrects_id) == (
        "credit_note",
        "GS-2026-000001",
        invoice.pk,
    )
    assert (
        invoice.net_total + note.net_total,
        invoice.tax_total + note.tax_total,
        invoice.gross_total + note.gross_total,
    ) == (0, 0, 0)
    with pytest.raises(Conflict) as error:
        credit_note_create(actor=manager, invoice_id=invoice.pk, reason="nochmal")
    assert error.value.code == "nothing_to_credit"


def test_partial_credit_note_never_exceeds_what_is_open(manager, draft):
    invoice = invoice_finalize(actor=manager, invoice_id=draft.pk, issue_date=DAY)
    note = credit_note_create(
        actor=manager, invoice_id=invoice.pk, reason="Kulanz", lines={2: "20.00"}, issue_date=DAY
    )
    assert (note.net_total, note.tax_total) == (D("-20.00"), D("-3.80"))
    with pytest.raises(ValidationFailed) as error:
        credit_note_create(
            actor=manager, invoice_id=invoice.pk, reason="zu viel", lines={2: "65.51"}
        )
    assert error.value.errors[0].field == "lines[2]"
    assert Invoice.objects.filter(kind="credit_note").count() == 1
