"""A worker whose round takes longer than the sweeper's 15 minutes (a slow mail server, a long
batch) must not send a mail that another worker's sweeper already took over and sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from kontor.delivery import mail as mail_module
from kontor.delivery.models import Delivery
from kontor.delivery.services import deliveries_run, deliveries_schedule, deliveries_send_due
from kontor.delivery.services import send as send_module
from tests.delivery.world import DAY, at, customer, finalized_invoice

pytestmark = pytest.mark.django_db

RECIPIENTS = [f"r{n}@muster.example" for n in range(3)]


def test_a_slow_round_does_not_resend_what_another_worker_took_over(manager, smtp, monkeypatch):
    buyer = customer(manager, *[(address, "attachment") for address in RECIPIENTS])
    invoice = finalized_invoice(manager, buyer)
    deliveries_schedule(invoice.pk)
    start = at(DAY, 9)
    calls = []

    with time_machine.travel(start, tick=False) as traveller:

        def slow_message(delivery, **kwargs):
            calls.append(delivery.recipient)
            if len(calls) == 3:  # the first worker reaches its third mail 20 minutes in
                deliveries_run(start + timedelta(minutes=20))  # a second worker's round
            message = mail_module.delivery_message(delivery, **kwargs)
            traveller.shift(timedelta(minutes=10))  # each mail takes the server 10 minutes
            return message

        monkeypatch.setattr(send_module, "delivery_message", slow_message)
        deliveries_send_due(start)

    assert sorted(address for r in smtp.received for address in r.rcpt_tos) == RECIPIENTS
    assert set(Delivery.objects.filter(invoice=invoice).values_list("status", flat=True)) == {
        "sent"
    }
