"""Writes on invoices: edit and delete drafts, finalize, credit notes.

Finalized invoices and credit notes are immutable: every write here refuses them.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kontor.billing.models import BillingSettings
from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.errors import Conflict, invalid
from kontor.core.money import MoneyError, round_money, to_decimal
from kontor.core.permissions import Action, require
from kontor.core.versioning import bump, lock_for_update
from kontor.invoicing.issue import assign_numbers, record_finalized
from kontor.invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, InvoiceTax
from kontor.invoicing.numbering import series_for
from kontor.invoicing.taxes import EXEMPTION_REASONS, TaxableLine, compute_totals

log = logging.getLogger(__name__)
DRAFT_FIELDS = {"header_text", "footer_text", "send_date"}


def _draft(invoice_id: int, expected_version: int | None) -> Invoice:
    invoice = lock_for_update(Invoice, invoice_id, expected_version)
    if invoice.status != InvoiceStatus.DRAFT:
        raise Conflict(
            _(
                "Invoice %s is finalized and can no longer be changed; correct it "
                "with a credit note."
            )
            % invoice.number,
            code="invoice_finalized",
        )
    return invoice


@transaction.atomic
def invoice_draft_update(
    *, actor: Any, invoice_id: int, expected_version: int | None, changes: dict[str, Any]
) -> Invoice:
    """Change a draft's texts or send date."""
    require(actor, Action.INVOICE_EDIT_DRAFT)
    invoice = _draft(invoice_id, expected_version)
    unknown = sorted(set(changes) - DRAFT_FIELDS)
    if unknown:
        raise invalid(unknown[0], _("This field cannot be changed."), "not_editable")
    send_date = changes.get("send_date", invoice.send_date)
    if send_date is not None and not isinstance(send_date, date):
        raise invalid("send_date", _("Give a date."), "invalid")
    for name, value in changes.items():
        setattr(invoice, name, value if name == "send_date" else str(value or ""))
    bump(invoice)
    invoice.save()
    audit(actor, "invoice.draft_updated", invoice, fields=sorted(changes))
    return invoice


@transaction.atomic
def invoice_line_update(
    *,
    actor: Any,
    invoice_id: int,
    expected_version: int | None,
    position: int,
    description: str | None = None,
    quantity: Any = None,
    unit_price: Any = None,
) -> Invoice:
    """Change a draft line's text, quantity or unit price; totals follow."""
    require(actor, Action.INVOICE_EDIT_DRAFT)
    invoice = _draft(invoice_id, expected_version)
    try:
        line = invoice.lines.get(position=position)
    except InvoiceLine.DoesNotExist as exc:
        raise invalid("position", _("The draft has no line %s.") % position, "not_found") from exc
    if description is not None:
        if not description.strip():
            raise invalid("description", _("This field is required."), "required")
        line.description = description.strip()[:300]
    try:
        if quantity is not None:
            line.quantity = to_decimal(quantity, places=3)
        if unit_price is not None:
            line.unit_price = to_decimal(unit_price, places=4)
    except MoneyError as exc:
        raise invalid("quantity" if quantity is not None else "unit_price", str(exc)) from exc
    if quantity is not None or unit_price is not None:
        line.net_amount = round_money(line.quantity * line.unit_price)
    line.save()
    retotal(invoice)
    bump(invoice)
    invoice.save()
    audit(actor, "invoice.line_updated", invoice, position=position)
    return invoice


@transaction.atomic
def invoice_draft_delete(*, actor: Any, invoice_id: int, expected_version: int | None) -> None:
    """Delete a draft; its charges become uninvoiced again (the next run picks them up)."""
    require(actor, Action.INVOICE_EDIT_DRAFT)
    invoice = _draft(invoice_id, expected_version)
    audit(actor, "invoice.draft_deleted", invoice, account=invoice.account_id)
    invoice.delete()


@transaction.atomic
def invoice_finalize(
    *,
    actor: Any,
    invoice_id: int,
    expected_version: int | None = None,
    issue_date: date | None = None,
) -> Invoice:
    """Assign the next number, freeze the snapshot and totals, schedule documents."""
    require(actor, Action.INVOICE_FINALIZE)
    invoice = _draft(invoice_id, expected_version)
    return finalize_invoice(invoice, issue_date=issue_date or clock.today(), actor=actor)


def finalize_invoice(invoice: Invoice, *, issue_date: date, actor: Any) -> Invoice:
    """Finalize a locked draft (callers check permissions; the send-date sweep acts as the
    system, with no user)."""
    if not invoice.lines.exists():
        raise Conflict(_("An invoice without lines cannot be finalized."), code="no_lines")
    retotal(invoice)
    if invoice.kind == InvoiceKind.INVOICE and invoice.gross_total < 0:
        raise Conflict(
            _("An invoice cannot total less than zero; correct the lines or issue a credit note."),
            code="wrong_sign",
        )
    if invoice.kind == InvoiceKind.CREDIT_NOTE and invoice.gross_total > 0:
        raise Conflict(
            _("A credit note cannot total more than zero; correct the lines."), code="wrong_sign"
        )
    assign_numbers([invoice], issue_date=issue_date, actor=actor)
    bump(invoice)
    invoice.save()
    record_finalized([invoice])
    audit(actor, "invoice.finalized", invoice, number=invoice.number)
    transaction.on_commit(lambda: _render_documents(invoice.pk))
    return invoice


def _render_documents(invoice_id: int) -> None:
    """Documents are rendered once, right after the finalizing commit (a task with a broker,
    in-process without one). Bulk runs leave this to the outbox processor instead."""
    from kontor.documents.tasks import render_invoice_documents

    try:
        render_invoice_documents.delay(invoice_id)
    except Exception:  # noqa: BLE001 - the invoice is final; the outbox keeps the job
        log.exception(
            "rendering the documents of invoice %s failed; left in the outbox", invoice_id
        )


@transaction.atomic
def credit_note_create(
    *,
    actor: Any,
    invoice_id: int,
    reason: str,
    lines: dict[int, Decimal | str] | None = None,
    finalize: bool = True,
    issue_date: date | None = None,
) -> Invoice:
    """Credit a finalized invoice in full (`lines=None`) or in part (`{position: amount}`,
    net amounts to credit). Never more than what is still open to credit per line."""
    require(actor, Action.CREDIT_NOTE_CREATE)
    original = lock_for_update(Invoice, invoice_id, None)
    if original.status != InvoiceStatus.FINALIZED or original.kind != InvoiceKind.INVOICE:
        raise Conflict(_("Only finalized invoices can be credited."), code="not_creditable")
    if not reason.strip():
        raise invalid("reason", _("Give the reason for the credit note."), "required")
    credited = _credited_per_position(original)
    new_lines = []
    for line in original.lines.order_by("position"):
        open_amount = line.net_amount + credited.get(line.position, Decimal("0"))
        amount = open_amount if lines is None else _requested(lines, line.position, open_amount)
        if amount:
            new_lines.append(
                InvoiceLine(
                    position=len(new_lines) + 1,
                    description=line.description,
                    period_start=line.period_start,
                    period_end=line.period_end,
                    quantity=-line.quantity if amount == line.net_amount else Decimal("-1"),
                    unit=line.unit,
                    unit_price=line.unit_price if amount == line.net_amount else amount,
                    net_amount=-amount,
                    tax_category=line.tax_category,
                    tax_rate=line.tax_rate,
                    article_number=line.article_number,
                )
            )
    if lines is not None and set(lines) - {x.position for x in original.lines.all()}:
        raise invalid("lines", _("The invoice has no such line."), "not_found")
    if not new_lines:
        raise Conflict(
            _("Nothing left to credit on invoice %s.") % original.number, code="nothing_to_credit"
        )
    settings = BillingSettings.load()
    note = Invoice.objects.create(
        account_id=original.account_id,
        kind=InvoiceKind.CREDIT_NOTE,
        corrects=original,
        series=series_for(
            InvoiceKind.CREDIT_NOTE,
            is_test=original.is_test,
            branch_code=(original.snapshot or {}).get("buyer", {}).get("branch_code", ""),
            settings=settings,
        ),
        currency=original.currency,
        is_test=original.is_test,
        period_start=original.period_start,
        period_end=original.period_end,
        header_text=reason.strip(),
    )
    for line in new_lines:
        line.invoice = note
    InvoiceLine.objects.bulk_create(new_lines)
    retotal(note)
    note.save()
    audit(actor, "credit_note.created", note, corrects=original.number, reason=reason)
    if finalize:
        return invoice_finalize(actor=actor, invoice_id=note.pk, issue_date=issue_date)
    return note


def _requested(lines: dict[int, Decimal | str], position: int, open_amount: Decimal) -> Decimal:
    if position not in lines:
        return Decimal("0")
    try:
        amount = to_decimal(lines[position], places=2)
    except MoneyError as exc:
        raise invalid(f"lines[{position}]", str(exc)) from exc
    if amount <= 0 or amount > open_amount:
        raise invalid(
            f"lines[{position}]",
            _("Credit between 0.01 and the open amount %(open)s.") % {"open": open_amount},
            "out_of_range",
        )
    return amount


def _credited_per_position(original: Invoice) -> dict[int, Decimal]:
    """Amounts already credited, matched by description and period (negative)."""
    result: dict[int, Decimal] = {}
    by_key = {
        (x.description, x.period_start, x.period_end): x.position for x in original.lines.all()
    }
    rows = (
        InvoiceLine.objects.filter(invoice__corrects=original)
        .values("description", "period_start", "period_end")
        .annotate(total=Sum("net_amount"))
    )
    for row in rows:
        position = by_key.get((row["description"], row["period_start"], row["period_end"]))
        if position is not None:
            result[position] = result.get(position, Decimal("0")) + row["total"]
    return result


def retotal(invoice: Invoice) -> None:
    lines = list(invoice.lines.all())
    totals = compute_totals(TaxableLine(x.tax_category, x.tax_rate, x.net_amount) for x in lines)
    invoice.net_total, invoice.tax_total, invoice.gross_total = (
        totals.net,
        totals.tax,
        totals.gross,
    )
    invoice.taxes.all().delete()
    InvoiceTax.objects.bulk_create(
        [
            InvoiceTax(
                invoice=invoice,
                category=g.category,
                rate=g.rate,
                basis=g.basis,
                amount=g.amount,
                exemption_reason=EXEMPTION_REASONS.get(g.category, {}).get("de", ""),
            )
            for g in totals.groups
        ]
    )
