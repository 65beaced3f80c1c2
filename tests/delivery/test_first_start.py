"""No flood on the first start: the first `send-due` on a database with older finalized
invoices mails none of them. Invoices finalized and due before the delivery start are held
back, reported by `send-due` and sent only when staff say so (`--send-held --as USERNAME`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command

from kontor.core.errors import Conflict, PermissionDenied
from kontor.core.models import AuditEntry
from kontor.delivery.models import Delivery, DeliveryStart
from kontor.delivery.outbox import held_invoices
from kontor.delivery.services import deliveries_release_held, deliveries_run
from kontor.invoicing.models import Invoice
from tests.delivery.world import DAY, at, customer, finalized_invoice

pytestmark = pytest.mark.django_db

START = DAY + timedelta(days=30)  # the day delivery first runs


def invoice_of(manager, day: date, address: str, **options) -> Invoice:
    """An invoice finalized on `day` (so its finalization lies in the past later on)."""
    with time_machine.travel(at(day, 10), tick=False):
        return finalized_invoice(
            manager, customer(manager, (address, "attachment"), company=address), day=day, **options
        )


@pytest.fixture
def history(manager) -> dict[str, Invoice]:
    """Two invoices from before delivery started, one finalized before it with a send date
    after it, and one finalized on the start day."""
    return {
        "old": invoice_of(manager, DAY, "alt@kunde.example"),
        "older": invoice_of(manager, DAY + timedelta(days=3), "aelter@kunde.example"),
        "ahead": invoice_of(
            manager, DAY + timedelta(days=5), "voraus@kunde.example", send_date=START
        ),
        "today": invoice_of(manager, START, "heute@kunde.example"),
    }


def mailed(smtp) -> list[str]:
    return sorted(rcpt for received in smtp.received for rcpt in received.rcpt_tos)


def test_the_first_run_sends_nothing_that_predates_it(manager, smtp, history, capsys):
    with time_machine.travel(at(START, 9), tick=False):
        call_command("send_due")
    assert mailed(smtp) == ["heute@kunde.example", "voraus@kunde.example"]
    assert DeliveryStart.objects.get().since == START
    assert capsys.readouterr().out.splitlines() == [
        "finalized: 0, scheduled: 2, requeued: 0, sent: 2, retrying: 0, failed: 0, held: 2",
        "not sent: 2 invoice(s) finalized and due before delivery start (2026-12-31); send "
        "them with `kontor send-due --send-held --as USERNAME`",
    ]
    assert not Delivery.objects.filter(invoice__in=[history["old"], history["older"]]).exists()
    assert sorted(held_invoices().values_list("pk", flat=True)) == [
        history["old"].pk,
        history["older"].pk,
    ]


def test_held_invoices_stay_held_on_later_runs_while_new_ones_go(manager, smtp, history):
    with time_machine.travel(at(START, 9), tick=False):
        deliveries_run()
    later = START + timedelta(days=2)
    invoice_of(manager, later, "neu@kunde.example")
    backdated = invoice_of(manager, later, "zurueck@kunde.example")
    Invoice.objects.filter(pk=backdated.pk).update(issue_date=DAY)  # finalized late, dated early
    with time_machine.travel(at(later, 9), tick=False):
        run = deliveries_run()
    assert (run.scheduled, len(run.sent.sent), run.held) == (2, 2, 2)
    assert {"neu@kunde.example", "zurueck@kunde.example"} <= set(mailed(smtp))
    assert DeliveryStart.objects.get().since == START


def test_staff_send_the_held_invoices_with_an_explicit_option(
    manager, clerk, accountant, smtp, history, capsys
):
    with time_machine.travel(at(START, 9), tick=False):
        deliveries_run()
    smtp.received.clear()
    with pytest.raises(CommandError, match="--send-held: give --as USERNAME"):
        call_command("send_due", "--send-held")
    with pytest.raises(CommandError, match=r"\(invoice\.finalize\)"):
        call_command("send_due", "--send-held", "--as", accountant.username)
    assert smtp.received == [] and held_invoices().count() == 2

    with time_machine.travel(at(START, 10), tick=False):
        call_command("send_due", "--send-held", "--as", clerk.username)
    assert mailed(smtp) == ["aelter@kunde.example", "alt@kunde.example"]
    assert capsys.readouterr().out.splitlines()[:2] == [
        "released: 2 invoice(s) held back before delivery start",
        "finalized: 0, scheduled: 0, requeued: 0, sent: 2, retrying: 0, failed: 0, held: 0",
    ]
    released = AuditEntry.objects.filter(action="delivery.released")
    assert sorted(int(e.target_id) for e in released) == [history["old"].pk, history["older"].pk]
    assert {e.actor for e in released} == {clerk}


def test_one_held_invoice_is_released_alone(clerk, accountant, smtp, history):
    with time_machine.travel(at(START, 9), tick=False):
        deliveries_run()
    with pytest.raises(PermissionDenied):
        deliveries_release_held(actor=accountant, invoice_id=history["old"].pk)
    assert deliveries_release_held(actor=clerk, invoice_id=history["old"].pk) == [history["old"].pk]
    assert list(held_invoices()) == [history["older"]]
    with pytest.raises(Conflict) as error:
        deliveries_release_held(actor=clerk, invoice_id=history["today"].pk)
    assert error.value.code == "not_held"
    with time_machine.travel(at(START, 10), tick=False):
        deliveries_run()
    assert "alt@kunde.example" in mailed(smtp) and "aelter@kunde.example" not in mailed(smtp)


def test_kontor_delivery_since_sets_the_start(manager, smtp, history, settings):
    settings.KONTOR_DELIVERY_SINCE = DAY + timedelta(days=1)
    with time_machine.travel(at(START, 9), tick=False):
        run = deliveries_run()
    assert (run.scheduled, run.held) == (3, 1)
    assert "alt@kunde.example" not in mailed(smtp)


def test_a_database_that_already_delivered_keeps_its_start(manager, smtp):
    """Deliveries made before the start was recorded: their first day counts as the start,
    so an invoice finalized since then is not held back."""
    invoice_of(manager, DAY, "alt@kunde.example")
    with time_machine.travel(at(DAY, 9), tick=False):
        deliveries_run()
    DeliveryStart.objects.all().delete()  # as before this rule existed
    invoice_of(manager, DAY + timedelta(days=3), "aelter@kunde.example")
    with time_machine.travel(at(START, 9), tick=False):
        run = deliveries_run()
    assert DeliveryStart.objects.get().since == DAY
    assert (run.scheduled, run.held) == (1, 0)
    assert mailed(smtp) == ["aelter@kunde.example", "alt@kunde.example"]
