"""Which finalized invoices wait to be scheduled for delivery, and which of them are held back
because they predate delivery: an invoice finalized *and* due before the delivery start is
not mailed by `send-due` (staff may still send it by hand). Without this rule the first run
on a database with history would mail every old invoice at once."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from kontor.delivery.files import start_of_day
from kontor.delivery.models import DeliverySchedule, DeliveryStart
from kontor.documents.models import Document, DocumentKind
from kontor.invoicing.models import Invoice, InvoiceStatus


def delivery_since() -> date | None:
    """KONTOR_DELIVERY_SINCE, else the day delivery first ran here; None before the first run."""
    configured: date | None = settings.KONTOR_DELIVERY_SINCE
    if configured is not None:
        return configured
    return DeliveryStart.objects.filter(pk=1).values_list("since", flat=True).first()


def unscheduled_invoices() -> QuerySet[Invoice]:
    """Finalized invoices whose PDF is archived and whose deliveries were not made yet."""
    pdf = Document.objects.filter(invoice=OuterRef("pk"), kind=DocumentKind.FACTURX_PDF)
    return Invoice.objects.filter(Exists(pdf), status=InvoiceStatus.FINALIZED).exclude(
        Exists(DeliverySchedule.objects.filter(invoice=OuterRef("pk")))
    )


def held_invoices() -> QuerySet[Invoice]:
    """The invoices `send-due` leaves alone because they predate delivery."""
    return unscheduled_invoices().filter(held_back(delivery_since()))


def held_back(since: date | None) -> Q:
    """Finalized before `since` and due (send date, else invoice date) before it. An invoice
    finalized later is always sent, even with an earlier invoice date."""
    if since is None:
        return Q(pk__in=[])
    due_before = Q(send_date__lt=since) | Q(send_date__isnull=True, issue_date__lt=since)
    finalized_before = Q(finalized_at__lt=start_of_day(since)) | Q(finalized_at__isnull=True)
    return due_before & finalized_before
