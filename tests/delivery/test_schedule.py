"""Scheduling: one delivery per invoice e-mail of the snapshot (with its mode) plus post, due
at the start of the send date, created once however often and however concurrently asked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kontor.core.errors import Conflict
from kontor.delivery.models import Delivery, DeliverySchedule
from kontor.delivery.selectors import invoice_deliveries, invoices_without_delivery
from kontor.delivery.services import (
    deliveries_schedule,
    delivery_outbox_process,
    planned_deliveries,
)
from kontor.invoicing.models import Invoice
from tests.delivery.world import DAY, at, customer, finalized_invoice

E, P = "email", "post"


@pytest.mark.parametrize(
    ("emails", "by_post", "planned"),
    [
        ([], False, []),
        ([], True, [(P, "", "attachment")]),
        ([("a@x.example", "link")], False, [(E, "a@x.example", "link")]),
        (
            [("a@x.example", "attachment"), ("A@X.example", "link"), ("b@x.example", "link")],
            True,
            [(E, "a@x.example", "attachment"), (E, "b@x.example", "link"), (P, "", "attachment")],
        ),
        ([(" c@x.example ", "fax"), ("", "link")], False, [(E, "c@x.example", "attachment")]),
    ],
    ids=["nothing", "post-only", "link", "duplicates-and-post", "blank-and-unknown-mode"],
)
def test_planned_deliveries(emails, by_post, planned):
    assert planned_deliveries(emails, by_post=by_post) == planned


@pytest.mark.django_db
def test_every_recipient_and_the_deviating_email_get_a_delivery_due_on_the_send_date(manager):
    buyer = customer(
        manager,
        ("buchhaltung@muster.example", "attachment"),
        ("chef@muster.example", "link"),
        deviating_invoice_email="rechnungen@muster.example",
    )
    invoice = finalized_invoice(manager, buyer, send_date=DAY + timedelta(days=2), by_post=True)
    created = deliveries_schedule(invoice.pk)
    assert [(d.channel, d.recipient, d.mode, d.status, d.next_attempt_at) for d in created] == [
        (E, "buchhaltung@muster.example", "attachment", "pending", at(DAY + timedelta(days=2), 0)),
        (E, "chef@muster.example", "link", "pending", at(DAY + timedelta(days=2), 0)),
        (E, "rechnungen@muster.example", "attachment", "pending", at(DAY + timedelta(days=2), 0)),
        (P, "", "attachment", "pending", at(DAY + timedelta(days=2), 0)),
    ]
    assert all(d.message_id.endswith("@beispiel.example>") for d in created[:3])
    assert len({d.message_id for d in created[:3]}) == 3
    assert list(invoice_deliveries(manager, invoice.pk)) == sorted(
        created, key=lambda d: (d.channel, d.recipient)
    )


@pytest.mark.django_db
def test_scheduling_twice_creates_nothing_new(manager):
    invoice = finalized_invoice(manager, customer(manager, ("a@x.example", "attachment")))
    first = deliveries_schedule(invoice.pk)
    assert deliveries_schedule(invoice.pk) == first
    assert delivery_outbox_process() == 0
    assert Delivery.objects.count() == 1 and DeliverySchedule.objects.count() == 1


@pytest.mark.django_db
def test_the_outbox_picks_each_invoice_with_documents_once(manager):
    with_documents = finalized_invoice(manager, customer(manager, ("a@x.example", "link")))
    nobody = finalized_invoice(manager, customer(manager, company="Stumm GmbH", party_email=""))
    assert delivery_outbox_process() == 2
    assert delivery_outbox_process() == 0
    assert [d.invoice_id for d in Delivery.objects.all()] == [with_documents.pk]
    assert [s.invoice_id for s in invoices_without_delivery(manager)] == [nobody.pk]


@pytest.mark.django_db
def test_an_invoice_without_documents_is_not_scheduled(manager):
    invoice = finalized_invoice(manager, customer(manager, ("a@x.example", "attachment")))
    invoice.documents.all().delete()
    with pytest.raises(Conflict) as error:
        deliveries_schedule(invoice.pk)
    assert error.value.code == "documents_missing"
    assert delivery_outbox_process() == 0
    assert not Delivery.objects.exists() and not DeliverySchedule.objects.exists()


@pytest.mark.django_db
def test_a_draft_is_not_delivered(manager):
    from kontor.billing.charges import account_invoice_now, charge_create
    from tests.delivery.world import standard_rate

    buyer = customer(manager, ("a@x.example", "attachment"))
    charge_create(
        actor=manager,
        account_id=buyer.pk,
        description="Einrichtung",
        unit_price="10",
        tax_category_id=standard_rate(manager),
        service_date=DAY,
    )
    (draft,) = account_invoice_now(actor=manager, account_id=buyer.pk, as_of=DAY, finalize=False)
    with pytest.raises(Conflict) as error:
        deliveries_schedule(draft.pk)
    assert error.value.code == "invoice_not_finalized"
    assert Invoice.objects.get(pk=draft.pk).status == "draft"
    assert not Delivery.objects.exists()
