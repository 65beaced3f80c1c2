"""The outbox state machine around sending: what an SMTP error means, the backoff, the sweeper
for deliveries stuck in flight, a staff retry, and (PostgreSQL) two workers never claiming the
same delivery."""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta

import pytest
from django.db import connection

from kontor.core.errors import Conflict, PermissionDenied
from kontor.core.models import AuditEntry
from kontor.delivery.mail import InvalidRecipient, classify_failure
from kontor.delivery.models import Delivery, DeliveryEvent
from kontor.delivery.services import (
    backoff,
    deliveries_schedule,
    deliveries_send_due,
    deliveries_sweep,
    delivery_retry,
)
from tests.delivery.world import DAY, at, customer, finalized_invoice


def refused(code: int) -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({"a@x.example": (code, b"5.1.1 no such user")})


@pytest.mark.parametrize(
    ("error", "permanent", "text"),
    [
        (refused(550), True, "a@x.example: 550 5.1.1 no such user"),
        (refused(452), False, "a@x.example: 452 5.1.1 no such user"),
        (smtplib.SMTPDataError(554, b"spam"), True, "554 spam"),
        (smtplib.SMTPDataError(451, b"try later"), False, "451 try later"),
        (smtplib.SMTPSenderRefused(553, b"not ours", "k@x"), False, "553 not ours"),
        (smtplib.SMTPAuthenticationError(535, b"bad login"), False, "535 bad login"),
        (smtplib.SMTPConnectError(554, b"go away"), False, "554 go away"),
        (ConnectionRefusedError(111, "Connection refused"), False, "ConnectionRefusedError: "),
        (smtplib.SMTPServerDisconnected("gone"), False, "SMTPServerDisconnected: gone"),
        (TimeoutError("timed out"), False, "TimeoutError: timed out"),
        (InvalidRecipient("invalid address: 'x'"), True, "invalid address: 'x'"),
    ],
)
def test_what_an_smtp_error_means(error, permanent, text):
    failure = classify_failure(error)
    assert failure.permanent is permanent
    assert failure.error.startswith(text)


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(1, 1), (2, 5), (3, 30), (4, 120), (5, 360), (6, 720), (7, 1440), (12, 1440)],
)
def test_backoff(attempts, minutes):
    assert backoff(attempts) == timedelta(minutes=minutes)


@pytest.fixture
def scheduled(manager):
    invoice = finalized_invoice(manager, customer(manager, ("a@x.example", "attachment")))
    (delivery,) = deliveries_schedule(invoice.pk)
    return delivery


@pytest.mark.django_db
def test_the_sweeper_requeues_deliveries_stuck_in_flight(scheduled, smtp):
    claimed = at(DAY, 9)
    Delivery.objects.filter(pk=scheduled.pk).update(
        status="in_flight", attempts=1, claimed_at=claimed
    )
    assert deliveries_sweep(claimed + timedelta(minutes=15)) == []
    assert deliveries_send_due(claimed + timedelta(minutes=15)).sent == []
    assert deliveries_sweep(claimed + timedelta(minutes=15, seconds=1)) == [scheduled.pk]
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.claimed_at) == ("pending", None)
    (event,) = DeliveryEvent.objects.filter(delivery=scheduled)
    assert (event.kind, event.detail) == (
        "requeued",
        {"in_flight_since": "2026-12-01T08:00:00+00:00"},
    )
    deliveries_send_due(claimed + timedelta(minutes=16))
    assert [r.message["Message-ID"] for r in smtp.received] == [scheduled.message_id]
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_staff_send_a_failed_delivery_again(scheduled, manager, accountant):
    Delivery.objects.filter(pk=scheduled.pk).update(
        status="failed", attempts=8, permanent=True, last_error="550"
    )
    with pytest.raises(PermissionDenied):
        delivery_retry(actor=accountant, delivery_id=scheduled.pk)
    retried = delivery_retry(actor=manager, delivery_id=scheduled.pk)
    assert (retried.status, retried.attempts, retried.permanent) == ("pending", 0, False)
    assert [e.kind for e in DeliveryEvent.objects.filter(delivery=scheduled)] == ["retried"]
    assert AuditEntry.objects.filter(action="delivery.retried").count() == 1
    with pytest.raises(Conflict) as error:
        delivery_retry(actor=manager, delivery_id=scheduled.pk)
    assert (error.value.code, error.value.field) == ("delivery_not_failed", "status")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_claim_the_same_delivery(manager):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from kontor.delivery.services.send import _claim

    buyer = customer(manager, *[(f"r{n}@x.example", "attachment") for n in range(40)])
    invoice = finalized_invoice(manager, buyer)
    deliveries_schedule(invoice.pk)
    claims: list[list[int]] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        try:
            claims.append(_claim(at(DAY), 15))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [pk for claim in claims for pk in claim]
    assert len(claimed) == len(set(claimed)) == 40
    assert Delivery.objects.filter(status="in_flight", attempts=1).count() == 40
