"""Create the deliveries of finalized invoices whose documents are archived: one per invoice
e-mail of the invoice snapshot (with its mode), plus one for post, due at the start of the
send date (the send hour is applied when sending). Invoices that predate delivery are held
back until staff release them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.errors import Conflict, NotFound, invalid
from kontor.core.permissions import Action, require
from kontor.delivery.files import start_of_day
from kontor.delivery.mail import new_message_id
from kontor.delivery.models import (
    Delivery,
    DeliveryChannel,
    DeliveryMode,
    DeliverySchedule,
    DeliveryStart,
)
from kontor.delivery.outbox import delivery_since, held_back, held_invoices, unscheduled_invoices
from kontor.documents.models import Document, DocumentKind
from kontor.invoicing.models import Invoice, InvoiceStatus
from kontor.invoicing.selectors import invoice_for_actor

SCHEDULE_CHUNK = 500


def planned_deliveries(
    invoice_emails: Iterable[Sequence[str]], *, by_post: bool
) -> list[tuple[str, str, str]]:
    """(channel, recipient, mode) per distinct e-mail address (case-insensitive), plus post."""
    planned, seen = [], set()
    for email, mode in invoice_emails:
        address = (email or "").strip()
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        mode = mode if mode in DeliveryMode.values else DeliveryMode.ATTACHMENT
        planned.append((DeliveryChannel.EMAIL.value, address, str(mode)))
    if by_post:
        planned.append((DeliveryChannel.POST.value, "", DeliveryMode.ATTACHMENT.value))
    return planned


def deliveries_schedule(invoice_id: int) -> list[Delivery]:
    """Create the invoice's deliveries unless they exist (safe to run twice, also at once)."""
    invoice = Invoice.objects.filter(pk=invoice_id).values("status").first()
    if invoice is None:
        raise NotFound(_("Invoice %s does not exist.") % invoice_id)
    if invoice["status"] != InvoiceStatus.FINALIZED:
        raise Conflict(_("Only finalized invoices are delivered."), code="invoice_not_finalized")
    if not Document.objects.filter(invoice_id=invoice_id, kind=DocumentKind.FACTURX_PDF).exists():
        raise Conflict(
            _("The documents of invoice %s are not rendered yet.") % invoice_id,
            code="documents_missing",
        )
    _schedule([invoice_id])
    return list(Delivery.objects.filter(invoice_id=invoice_id).order_by("pk"))


def delivery_outbox_process(limit: int = 1000, *, today: date | None = None) -> int:
    """Schedule up to `limit` finalized invoices whose documents are archived and which were
    not scheduled yet, oldest first; those that predate delivery are held back (see
    `kontor.delivery.outbox`). Returns how many invoices were scheduled."""
    since = delivery_start_record(today or clock.today())
    pending = unscheduled_invoices().exclude(held_back(since))
    ids = list(pending.order_by("pk").values_list("pk", flat=True)[:limit])
    _schedule_chunked(ids)
    return len(ids)


def delivery_start_record(today: date) -> date:
    """Record, once, the day delivery starts on this database: the day of the first delivery
    ever scheduled, else `today` (the first run). Returns the day that counts
    (KONTOR_DELIVERY_SINCE overrides the recorded one)."""
    if not DeliveryStart.objects.filter(pk=1).exists():
        first = DeliverySchedule.objects.aggregate(first=Min("scheduled_at"))["first"]
        since = timezone.localdate(first) if first else today
        DeliveryStart.objects.get_or_create(
            pk=1, defaults={"since": since, "recorded_at": clock.now()}
        )
    return delivery_since() or today


def deliveries_release_held(*, actor: Any, invoice_id: int | None = None) -> list[int]:
    """Send invoices held back because they predate delivery after all (one, or every one):
    their deliveries are made now and go out with the next round. Returns the invoice ids."""
    require(actor, Action.INVOICE_FINALIZE)
    held = held_invoices()
    if invoice_id is not None:
        invoice = invoice_for_actor(actor, invoice_id)
        if not held.filter(pk=invoice.pk).exists():
            raise Conflict(
                _("Invoice %s is not held back: it is delivered as usual.") % invoice,
                code="not_held",
            )
        held = held.filter(pk=invoice.pk)
    with transaction.atomic():
        ids = list(held.order_by("pk").values_list("pk", flat=True))
        _schedule_chunked(ids)
        for invoice in Invoice.objects.filter(pk__in=ids).order_by("pk"):
            audit(actor, "delivery.released", invoice, since=delivery_since())
    return ids


def _schedule_chunked(ids: list[int]) -> None:
    for start in range(0, len(ids), SCHEDULE_CHUNK):
        _schedule(ids[start : start + SCHEDULE_CHUNK])


@transaction.atomic
def _schedule(invoice_ids: list[int]) -> None:
    now = clock.now()
    deliveries, schedules = [], []
    rows = Invoice.objects.filter(pk__in=invoice_ids, status=InvoiceStatus.FINALIZED).values(
        "pk", "snapshot", "send_date", "issue_date", "deliver_by_post"
    )
    for row in rows:
        planned = planned_deliveries(_emails(row["snapshot"]), by_post=row["deliver_by_post"])
        day = row["send_date"] or row["issue_date"]
        due = start_of_day(day) if day else now
        deliveries += [
            Delivery(
                invoice_id=row["pk"],
                channel=channel,
                recipient=recipient,
                mode=mode,
                next_attempt_at=due,
                message_id=new_message_id() if channel == DeliveryChannel.EMAIL else "",
                created_at=now,
            )
            for channel, recipient, mode in planned
        ]
        schedules.append(
            DeliverySchedule(invoice_id=row["pk"], scheduled_at=now, deliveries=len(planned))
        )
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    DeliverySchedule.objects.bulk_create(schedules, ignore_conflicts=True)


def _emails(snapshot: dict[str, Any] | None) -> list[Sequence[str]]:
    buyer = (snapshot or {}).get("buyer") or {}
    return [pair for pair in buyer.get("invoice_emails") or () if len(pair) == 2]


@transaction.atomic
def delivery_add(*, actor: Any, invoice_id: int, recipient: str, mode: str) -> Delivery:
    """Send a finalized invoice to one more address (e.g. the corrected address after a
    rejection), now. An address that already has a delivery of the invoice is refused."""
    require(actor, Action.INVOICE_FINALIZE)
    invoice = invoice_for_actor(actor, invoice_id)
    if invoice.status != InvoiceStatus.FINALIZED:
        raise Conflict(_("Only finalized invoices are delivered."), code="invoice_not_finalized")
    address = recipient.strip()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise invalid("recipient", _("Enter a valid e-mail address.")) from exc
    if mode not in DeliveryMode.values:
        raise invalid("mode", _("Choose attachment or link."))
    # Two staff adding the same address (in any case) at once: the second waits here and is
    # refused below; the unique key alone would let "A@x" and "a@x" both through.
    Invoice.objects.select_for_update().filter(pk=invoice.pk).values_list("pk").get()
    taken = Delivery.objects.filter(
        invoice=invoice, channel=DeliveryChannel.EMAIL, recipient__iexact=address
    )
    if taken.exists():
        raise Conflict(
            _("The invoice already has a delivery to %s.") % address,
            code="delivery_exists",
            field="recipient",
        )
    delivery = Delivery.objects.create(
        invoice=invoice,
        channel=DeliveryChannel.EMAIL,
        recipient=address,
        mode=mode,
        next_attempt_at=clock.now(),
        message_id=new_message_id(),
        created_at=clock.now(),
    )
    audit(actor, "delivery.added", invoice, recipient=address, mode=mode)
    return delivery
