"""Two staff send an invoice to one more address at the same moment, the address typed in
different case: one delivery is added, the other is refused with a clear error (PostgreSQL:
real concurrent connections and row locks)."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from kontor.core.errors import Conflict
from kontor.delivery.models import Delivery
from kontor.delivery.services import delivery_add
from kontor.delivery.services import schedule as schedule_module
from tests.billing.test_numbering_concurrency import in_threads
from tests.delivery.world import customer, finalized_invoice

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_the_same_address_added_twice_at_once_is_added_once(manager, clerk, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers)")
    invoice = finalized_invoice(manager, customer(manager, ("buchhaltung@muster.example", "link")))
    message_id = schedule_module.new_message_id

    def slow_message_id() -> str:  # both requests are past the duplicate check by now
        time.sleep(0.5)
        return message_id()

    monkeypatch.setattr(schedule_module, "new_message_id", slow_message_id)
    errors = in_threads(
        [
            lambda address=address: delivery_add(
                actor=clerk, invoice_id=invoice.pk, recipient=address, mode="attachment"
            )
            for address in ("Neu@Muster.example", "neu@muster.example")
        ]
    )
    added = Delivery.objects.filter(invoice=invoice, recipient__iexact="neu@muster.example")
    assert added.count() == 1
    assert [(type(e), e.code, e.field) for e in errors] == [
        (Conflict, "delivery_exists", "recipient")
    ]
