"""Send what is due: claim pending e-mail deliveries (row lock, commit), send each through
Django's mail backend, then record sent, retry later (temporary failure, with backoff) or failed
(permanent failure, or too many attempts). A sweeper re-queues rows stuck in flight.

Sending is at least once: a worker that dies after the server accepted a mail but before it
recorded it leaves the row in flight, and the sweeper sends it again, with the same Message-ID.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.errors import Conflict, NotFound
from kontor.core.permissions import Action, require
from kontor.delivery.files import start_of_day
from kontor.delivery.mail import SendFailure, classify_failure, delivery_message
from kontor.delivery.models import (
    Delivery,
    DeliveryChannel,
    DeliveryEvent,
    DeliveryEventKind,
    DeliveryStatus,
)

logger = logging.getLogger(__name__)
BACKOFF_MINUTES = (1, 5, 30, 120, 360, 720, 1440)
STUCK_AFTER = timedelta(minutes=15)


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 5, 30 min, 2 h, 6 h, 12 h, 1 day."""
    return timedelta(minutes=BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1])


def deliveries_send_due(now: datetime | None = None, *, limit: int = 200) -> SendResult:
    """Send up to `limit` pending e-mail deliveries due at `now`."""
    now = now or clock.now()
    started = clock.now()
    result = SendResult()
    ids = _claim(now, limit)
    if not ids:
        return result
    mail = get_connection(fail_silently=False)
    try:
        for delivery_id in ids:
            at = now + (clock.now() - started)  # a long round's clock moves on
            delivery = _take(delivery_id, claimed_at=now, at=at)
            if delivery is not None:
                _send_one(delivery, mail, now, result)
    finally:
        _close(mail)
    return result


def lock_rows(qs: QuerySet[Delivery]) -> QuerySet[Delivery]:
    """PostgreSQL: skip rows another worker holds. SQLite serialises writers anyway
    (transactions begin IMMEDIATE)."""
    if db_connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True)
    return qs


def due_emails(now: datetime) -> QuerySet[Delivery]:
    """Pending e-mails due at `now`. Before KONTOR_SEND_HOUR (provider time zone) the ones
    waiting for today's send date stay back: they are due at the start of the day (see
    `schedule`), while staff re-sends and retries carry their own time and are not held."""
    due = Delivery.objects.filter(
        channel=DeliveryChannel.EMAIL, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    )
    local = timezone.localtime(now)
    if local.hour < settings.KONTOR_SEND_HOUR:
        due = due.exclude(attempts=0, next_attempt_at=start_of_day(local.date()))
    return due


def _claim(now: datetime, limit: int) -> list[int]:
    with transaction.atomic():
        due = due_emails(now).order_by("next_attempt_at", "pk")
        ids = list(lock_rows(due).values_list("pk", flat=True)[:limit])
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.IN_FLIGHT, attempts=F("attempts") + 1, claimed_at=now
        )
    return ids


def _take(delivery_id: int, *, claimed_at: datetime, at: datetime) -> Delivery | None:
    """Renew the claim right before sending. A round longer than STUCK_AFTER lets another
    worker's sweeper re-queue the rows it has not reached yet; those are that worker's now, and
    sending them here too would mail the customer twice. None when the row is no longer ours."""
    taken = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.IN_FLIGHT, claimed_at=claimed_at
    ).update(claimed_at=at)
    return Delivery.objects.get(pk=delivery_id) if taken else None


def _send_one(delivery: Delivery, mail: Any, now: datetime, result: SendResult) -> None:
    try:
        message = delivery_message(delivery, connection=mail)
        if not message.send():
            raise RuntimeError("the mail backend accepted no recipient")
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the delivery
        failure = classify_failure(exc)
        if not isinstance(exc, OSError | ValueError):
            logger.exception("delivery %s failed", delivery.pk)
        _close(mail)
        _record_failure(delivery, failure, now, result)
        return
    files = [name for name, _content, _type in message.attachments]
    with transaction.atomic():
        _record(
            delivery,
            DeliveryEventKind.SENT,
            message_id=message.extra_headers["Message-ID"],
            mode=delivery.mode,
            files=files,
        )
        Delivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SENT).update(
            status=DeliveryStatus.SENT, sent_at=clock.now(), last_error="", claimed_at=None
        )
    result.sent.append(delivery.pk)
    _archive_copy(delivery, mail)


def _record_failure(
    delivery: Delivery, failure: SendFailure, now: datetime, result: SendResult
) -> None:
    attempts = delivery.attempts  # counted when claimed
    give_up = failure.permanent or attempts >= settings.KONTOR_DELIVERY_MAX_ATTEMPTS
    changes: dict[str, Any] = {"last_error": failure.error[:2000], "claimed_at": None}
    with transaction.atomic():
        if give_up:
            changes.update(status=DeliveryStatus.FAILED, permanent=failure.permanent)
            _record(
                delivery,
                DeliveryEventKind.FAILED,
                error=failure.error,
                permanent=failure.permanent,
                attempt=attempts,
            )
            result.failed.append(delivery.pk)
        else:
            next_at = now + backoff(attempts)
            changes.update(status=DeliveryStatus.PENDING, next_attempt_at=next_at)
            _record(
                delivery,
                DeliveryEventKind.RETRY,
                error=failure.error,
                attempt=attempts,
                next_attempt_at=next_at.isoformat(),
            )
            result.retrying.append(delivery.pk)
        Delivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SENT).update(
            **changes
        )


def _archive_copy(delivery: Delivery, mail: Any) -> None:
    """A copy to the archive address, sent separately (see `ArchiveCopy`). A failure is
    logged on the delivery; the customer's mail is out, so it is not sent again."""
    archive = settings.KONTOR_MAIL_BCC_ARCHIVE
    if not archive:
        return
    try:
        delivery_message(delivery, connection=mail, archive_to=archive).send()
    except Exception as exc:  # noqa: BLE001 - logged, never blocks the delivery
        _close(mail)
        _record(
            delivery,
            DeliveryEventKind.ARCHIVE_FAILED,
            to=archive,
            error=classify_failure(exc).error,
        )


def _record(delivery: Delivery, kind: str, **detail: Any) -> None:
    detail = {"to": delivery.recipient, **detail} if delivery.recipient else detail
    DeliveryEvent.objects.create(delivery=delivery, at=clock.now(), kind=kind, detail=detail)


def _close(mail: Any) -> None:
    with contextlib.suppress(Exception):
        mail.close()


def deliveries_sweep(now: datetime | None = None) -> list[int]:
    """Put deliveries in flight for longer than 15 minutes back to pending (their worker
    died or lost its connection); they are sent at the next run."""
    now = now or clock.now()
    with transaction.atomic():
        stuck = Delivery.objects.filter(
            status=DeliveryStatus.IN_FLIGHT, claimed_at__lt=now - STUCK_AFTER
        ).order_by("pk")
        rows = list(lock_rows(stuck).values_list("pk", "claimed_at"))
        Delivery.objects.filter(pk__in=[pk for pk, _since in rows]).update(
            status=DeliveryStatus.PENDING, next_attempt_at=now, claimed_at=None
        )
        at = clock.now()
        DeliveryEvent.objects.bulk_create(
            DeliveryEvent(
                delivery_id=pk,
                at=at,
                kind=DeliveryEventKind.REQUEUED,
                detail={"in_flight_since": since.isoformat()},
            )
            for pk, since in rows
        )
    return [pk for pk, _since in rows]


@transaction.atomic
def delivery_retry(*, actor: Any, delivery_id: int, invoice_id: int | None = None) -> Delivery:
    """Queue a failed delivery again now, with a fresh count of attempts (staff). With
    `invoice_id`, a delivery of another invoice counts as not found."""
    require(actor, Action.INVOICE_FINALIZE)
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None or invoice_id not in (None, delivery.invoice_id):
        raise NotFound(_("Delivery %s does not exist.") % delivery_id)
    if delivery.status != DeliveryStatus.FAILED:
        raise Conflict(
            _("Only a failed delivery can be sent again (this one is %s).")
            % delivery.get_status_display(),
            code="delivery_not_failed",
            field="status",
        )
    delivery.status, delivery.attempts, delivery.permanent = DeliveryStatus.PENDING, 0, False
    delivery.next_attempt_at = clock.now()
    delivery.save(update_fields=["status", "attempts", "permanent", "next_attempt_at"])
    _record(delivery, DeliveryEventKind.RETRIED, by=getattr(actor, "username", ""))
    audit(actor, "delivery.retried", delivery, invoice=delivery.invoice_id)
    return delivery
