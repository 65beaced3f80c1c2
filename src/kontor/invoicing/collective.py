"""Collective invoices by hand: combine drafts of one account, list the collective invoices not
yet sent, and finalize drafts on their send date (delivery then sends them that day)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, QuerySet
from django.utils.translation import gettext as _

from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.errors import Conflict, NotFound, PermissionDenied, invalid
from kontor.core.permissions import Action, is_staff_actor, require
from kontor.core.versioning import bump
from kontor.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from kontor.invoicing.services import finalize_invoice, retotal

log = logging.getLogger(__name__)
EARLIEST = object()  # `send_date` default of `invoices_combine`: the earliest of the drafts'


@transaction.atomic
def invoices_combine(
    *, actor: Any, invoice_ids: list[int], send_date: date | None | object = EARLIEST
) -> Invoice:
    """Move the lines of the selected drafts (all of one account) onto the earliest of them,
    each line with its own service period; the others are deleted. The result is a collective
    invoice, sent on `send_date` (default: the earliest send date of the drafts; None: no date
    yet, which the dashboard points out)."""
    require(actor, Action.INVOICE_EDIT_DRAFT)
    ids = sorted(set(invoice_ids))
    if len(ids) < 2:
        raise invalid("invoice_ids", _("Select at least two drafts to combine."), "too_few")
    drafts = list(
        Invoice.objects.select_for_update().filter(pk__in=ids).order_by("period_start", "id")
    )
    missing = sorted(set(ids) - {d.pk for d in drafts})
    if missing:
        raise NotFound(_("Invoice %s does not exist.") % missing[0])
    _check_combinable(drafts)
    target, others = drafts[0], drafts[1:]
    position = target.lines.aggregate(last=Max("position"))["last"] or 0
    for other in others:
        for line in other.lines.order_by("position"):
            position += 1
            line.invoice, line.position = target, position
            line.save(update_fields=["invoice", "position"])
    dates = [d.send_date for d in drafts if d.send_date is not None]
    target.send_date = (min(dates) if dates else None) if send_date is EARLIEST else send_date
    target.is_collective = True
    target.grouping_key = "combined"
    target.period_start = min((d.period_start for d in drafts if d.period_start), default=None)
    target.period_end = max((d.period_end for d in drafts if d.period_end), default=None)
    retotal(target)
    bump(target)
    target.save()
    merged = [other.pk for other in others]
    Invoice.objects.filter(pk__in=merged).delete()
    audit(actor, "invoice.combined", target, merged=merged, send_date=target.send_date)
    return target


def _check_combinable(drafts: list[Invoice]) -> None:
    finalized = [d for d in drafts if d.status != InvoiceStatus.DRAFT]
    if finalized:
        raise Conflict(
            _("Invoice %s is finalized; only drafts can be combined.") % finalized[0].number,
            code="invoice_finalized",
        )
    if len({d.account_id for d in drafts}) > 1:
        raise invalid(
            "invoice_ids", _("Only drafts of the same account can be combined."), "accounts"
        )
    if any(d.kind != InvoiceKind.INVOICE for d in drafts):
        raise invalid(
            "invoice_ids",
            _("Credit notes cannot be combined: each corrects its own invoice."),
            "credit_notes",
        )
    if len({d.currency for d in drafts}) > 1:
        raise invalid(
            "invoice_ids", _("Drafts in different currencies cannot be combined."), "currencies"
        )


def collective_drafts(*, actor: Any, without_send_date: bool = False) -> QuerySet[Invoice]:
    """Collective invoices not yet sent (drafts: they are finalized on their send date); those
    without a send date first, on every database."""
    require(actor, Action.INVOICE_VIEW)
    if not is_staff_actor(actor):
        raise PermissionDenied(_("Only staff see drafts."), code="permission_denied")
    qs = Invoice.objects.filter(is_collective=True, status=InvoiceStatus.DRAFT)
    if without_send_date:
        qs = qs.filter(send_date__isnull=True)
    return (
        qs.select_related("account", "account__contract_party")
        .annotate(line_count=Count("lines"))
        .order_by(F("send_date").asc(nulls_first=True), "account__customer_number", "id")
    )


def drafts_overdue(*, actor: Any, today: date | None = None) -> QuerySet[Invoice]:
    """Drafts whose send date has passed: finalizing them on that day failed (say, a draft
    without lines); staff have to fix them."""
    require(actor, Action.INVOICE_VIEW)
    if not is_staff_actor(actor):
        raise PermissionDenied(_("Only staff see drafts."), code="permission_denied")
    return (
        Invoice.objects.filter(status=InvoiceStatus.DRAFT, send_date__lt=today or clock.today())
        .select_related("account", "account__contract_party")
        .order_by("send_date", "id")
    )


def drafts_finalize_due(*, today: date | None = None, limit: int = 500) -> list[Invoice]:
    """Finalize drafts whose send date has come (the system does it; no user acts). Each in
    its own transaction, so one failing draft is logged and the others go out."""
    day = today or clock.today()
    due = list(
        Invoice.objects.filter(status=InvoiceStatus.DRAFT, send_date__lte=day)
        .order_by("send_date", "id")
        .values_list("pk", flat=True)[:limit]
    )
    done = []
    for invoice_id in due:
        try:
            with transaction.atomic():
                invoice = Invoice.objects.select_for_update().filter(pk=invoice_id).first()
                if invoice is None or invoice.status != InvoiceStatus.DRAFT:
                    continue  # deleted, combined or finalized meanwhile
                done.append(finalize_invoice(invoice, issue_date=day, actor=None))
        except Conflict as exc:
            log.warning("draft %s due on its send date was not finalized: %s", invoice_id, exc)
        except Exception:  # noqa: BLE001 - one broken draft must not stop the round
            log.exception("draft %s due on its send date failed to finalize", invoice_id)
    return done
