"""A collective draft goes out on its send date: `send-due` finalizes it, the documents are
rendered and the mail arrives at the SMTP server that day — not before, and only once."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from kontor.billing.charges import account_invoice_now, charge_create
from kontor.delivery.services import deliveries_run
from kontor.invoicing.collective import invoices_combine
from kontor.invoicing.models import InvoiceStatus
from tests.delivery.world import at, customer, standard_rate

pytestmark = pytest.mark.django_db
SEND = date(2027, 1, 4)


def test_combined_draft_is_finalized_and_mailed_on_its_send_date(
    manager, smtp, django_capture_on_commit_callbacks
):
    buyer = customer(manager, ("buchhaltung@muster.example", "attachment"))
    drafts = []
    for text, day in (("Wartung Dezember", date(2026, 12, 1)), ("Wartung Januar", SEND)):
        charge_create(
            actor=manager,
            account_id=buyer.pk,
            description=text,
            unit_price="80.00",
            tax_category_id=standard_rate(manager),
            service_date=day,
        )
        drafts += account_invoice_now(actor=manager, account_id=buyer.pk, as_of=day, finalize=False)
    combined = invoices_combine(actor=manager, invoice_ids=[d.pk for d in drafts], send_date=SEND)

    with time_machine.travel(at(date(2027, 1, 3)), tick=False):
        assert deliveries_run().finalized == 0
    assert smtp.received == []
    with (
        time_machine.travel(at(SEND), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = deliveries_run()
    combined.refresh_from_db()
    assert (result.finalized, combined.status, combined.issue_date) == (
        1,
        InvoiceStatus.FINALIZED,
        SEND,
    )
    with time_machine.travel(at(SEND, 10), tick=False):
        deliveries_run()  # documents rendered on commit: scheduled and sent now
        deliveries_run()
    (mail,) = smtp.to("buchhaltung@muster.example")
    assert combined.number in mail.message["Subject"]
    assert "190,40\xa0€" in mail.body  # 2 × 80.00 + 19 % VAT
