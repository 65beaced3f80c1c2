"""KONTOR_SEND_HOUR: e-mails due on their send date go out from that hour of the provider's
time zone (Europe/Berlin), also on the days the clocks change; mails already late and staff
re-sends are not held back by it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from kontor.delivery.models import Delivery
from kontor.delivery.services import deliveries_run, delivery_retry
from kontor.settings import _env_hour
from tests.delivery.world import BERLIN, DAY, customer, finalized_invoice

pytestmark = pytest.mark.django_db

ADDRESS = "buchhaltung@muster.example"


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=BERLIN)


def run_at(moment: datetime) -> list[int]:
    with time_machine.travel(moment, tick=False):
        return deliveries_run().sent.sent


@pytest.mark.parametrize(
    "send_date",
    [
        DAY + timedelta(days=3),
        date(2027, 3, 28),  # clocks go forward at 02:00
        date(2027, 10, 31),  # clocks go back at 03:00
    ],
    ids=["winter", "summer-time-starts", "summer-time-ends"],
)
def test_mails_due_on_the_send_date_wait_for_the_send_hour(manager, smtp, settings, send_date):
    settings.KONTOR_SEND_HOUR = 8
    invoice = finalized_invoice(
        manager, customer(manager, (ADDRESS, "attachment")), send_date=send_date
    )
    assert run_at(local(send_date - timedelta(days=1), 23, 59)) == []
    assert run_at(local(send_date, 0, 0)) == []
    assert run_at(local(send_date, 7, 59, 59)) == []
    assert smtp.received == []
    (pending,) = Delivery.objects.filter(invoice=invoice)
    assert (pending.status, pending.attempts) == ("pending", 0)

    assert run_at(local(send_date, 8, 0)) == [pending.pk]
    assert [r.rcpt_tos for r in smtp.received] == [[ADDRESS]]
    pending.refresh_from_db()
    assert pending.sent_at == local(send_date, 8, 0)


def test_send_hour_zero_sends_from_midnight(manager, smtp):
    invoice = finalized_invoice(
        manager, customer(manager, (ADDRESS, "attachment")), send_date=DAY + timedelta(days=1)
    )
    assert run_at(local(DAY, 23, 59, 59)) == []
    (delivery,) = Delivery.objects.filter(invoice=invoice)
    assert run_at(local(DAY + timedelta(days=1), 0, 0)) == [delivery.pk]


def test_a_mail_whose_send_date_has_passed_goes_before_the_send_hour(manager, smtp, settings):
    """Kontor was down on the send date: the next morning the mail need not wait again."""
    settings.KONTOR_SEND_HOUR = 8
    invoice = finalized_invoice(manager, customer(manager, (ADDRESS, "attachment")))
    with time_machine.travel(local(DAY, 7, 0), tick=False):
        assert deliveries_run().scheduled == 1  # scheduled on its send date, then Kontor stopped
    (delivery,) = Delivery.objects.filter(invoice=invoice)
    assert run_at(local(DAY + timedelta(days=1), 6, 30)) == [delivery.pk]


def test_staff_resend_before_the_send_hour_goes_out_at_once(manager, smtp, settings):
    settings.KONTOR_SEND_HOUR = 8
    invoice = finalized_invoice(manager, customer(manager, (ADDRESS, "attachment")))
    run_at(local(DAY, 9, 0))
    (delivery,) = Delivery.objects.filter(invoice=invoice)
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=8)
    next_morning = local(DAY + timedelta(days=1), 6, 0)
    with time_machine.travel(next_morning, tick=False):
        delivery_retry(actor=manager, delivery_id=delivery.pk)
    assert run_at(next_morning + timedelta(minutes=1)) == [delivery.pk]
    assert len(smtp.received) == 2


@pytest.mark.parametrize("raw", ["24", "-1", "8am", "7.5"])
def test_a_send_hour_outside_0_to_23_stops_kontor(monkeypatch, raw):
    monkeypatch.setenv("KONTOR_SEND_HOUR", raw)
    with pytest.raises(ImproperlyConfigured, match="KONTOR_SEND_HOUR must be an hour from 0 to 23"):
        _env_hour("KONTOR_SEND_HOUR")


@pytest.mark.parametrize(("raw", "hour"), [("", 0), ("0", 0), ("8", 8), (" 23 ", 23)])
def test_send_hour_from_the_environment(monkeypatch, raw, hour):
    monkeypatch.setenv("KONTOR_SEND_HOUR", raw)
    assert _env_hour("KONTOR_SEND_HOUR") == hour
