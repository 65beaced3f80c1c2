"""E-mail delivery through a real SMTP server on 127.0.0.1: the right attachment or link per
recipient, on the send date, exactly once, across an outage, and 550 as a permanent failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from kontor.core.errors import PermissionDenied
from kontor.delivery.models import Delivery, DeliveryEvent
from kontor.delivery.selectors import deliveries_failed, invoice_delivery_log
from kontor.delivery.services import (
    deliveries_run,
    deliveries_schedule,
    deliveries_send_due,
)
from kontor.documents.selectors import document_content
from tests.delivery.world import DAY, LEITWEG_ID, at, customer, finalized_invoice

pytestmark = pytest.mark.django_db


def deliveries(invoice) -> dict[str, tuple[str, int, str]]:
    return {
        d.recipient: (d.status, d.attempts, d.last_error)
        for d in Delivery.objects.filter(invoice=invoice)
    }


def events(invoice) -> list[tuple[str, str]]:
    return [
        (e.kind, e.delivery.recipient)
        for e in DeliveryEvent.objects.filter(delivery__invoice=invoice).select_related("delivery")
    ]


def test_each_recipient_gets_its_own_mail_with_attachment_or_link(manager, smtp):
    buyer = customer(
        manager,
        ("buchhaltung@muster.example", "attachment"),
        ("chef@muster.example", "link"),
        deviating_invoice_email="rechnungen@muster.example",
    )
    invoice = finalized_invoice(manager, buyer)
    with time_machine.travel(at(DAY), tick=False):
        result = deliveries_run()
    assert (result.scheduled, len(result.sent.sent)) == (1, 3)
    pdf = document_content(manager, invoice.documents.get(kind="facturx_pdf").pk)

    (attached,) = smtp.to("buchhaltung@muster.example")
    assert attached.rcpt_tos == ["buchhaltung@muster.example"]
    assert attached.message["Subject"] == f"Rechnung {invoice.number} von Beispiel Hosting GmbH"
    assert attached.message["From"] == "Beispiel Hosting <rechnung@beispiel.example>"
    assert attached.message["Reply-To"] == "rechnung@beispiel.example"
    assert attached.attachments == [(f"{invoice.number}.pdf", "application/pdf", pdf)]
    assert "anbei erhalten Sie unsere Rechnung" in attached.body
    assert "119,00\xa0€" in attached.body

    (deviating,) = smtp.to("rechnungen@muster.example")
    assert deviating.attachments == [(f"{invoice.number}.pdf", "application/pdf", pdf)]

    (linked,) = smtp.to("chef@muster.example")
    assert linked.attachments == []
    assert "https://kontor.example/d/" in linked.body
    assert "Der Link ist bis zum 31.12.2026 gültig." in linked.body

    sent = {d.recipient: d for d in Delivery.objects.filter(invoice=invoice)}
    assert {r: (d.status, d.mode, d.attempts) for r, d in sent.items()} == {
        "buchhaltung@muster.example": ("sent", "attachment", 1),
        "chef@muster.example": ("sent", "link", 1),
        "rechnungen@muster.example": ("sent", "attachment", 1),
    }
    assert attached.message["Message-ID"] == sent["buchhaltung@muster.example"].message_id
    log = list(invoice_delivery_log(manager, invoice.pk))
    assert sorted((e.kind, e.detail["to"], e.detail["message_id"]) for e in log) == sorted(
        ("sent", r, d.message_id) for r, d in sent.items()
    )


def test_nothing_goes_out_before_the_send_date_and_nothing_twice(manager, smtp, capsys):
    buyer = customer(manager, ("buchhaltung@muster.example", "attachment"))
    invoice = finalized_invoice(manager, buyer, send_date=DAY + timedelta(days=3))
    with time_machine.travel(at(DAY + timedelta(days=2), 23, 59), tick=False):
        early = deliveries_run()
    assert (early.scheduled, early.sent.sent) == (1, [])
    assert smtp.received == []
    assert deliveries(invoice) == {"buchhaltung@muster.example": ("pending", 0, "")}
    with time_machine.travel(at(DAY + timedelta(days=3), 0, 5), tick=False):
        call_command("send_due")
        call_command("send_due")
    assert capsys.readouterr().out.splitlines() == [
        "finalized: 0, scheduled: 0, requeued: 0, sent: 1, retrying: 0, failed: 0, held: 0",
        "finalized: 0, scheduled: 0, requeued: 0, sent: 0, retrying: 0, failed: 0, held: 0",
    ]
    assert [r.rcpt_tos for r in smtp.received] == [["buchhaltung@muster.example"]]
    assert deliveries(invoice) == {"buchhaltung@muster.example": ("sent", 1, "")}


def test_server_down_then_up_the_mail_arrives_once(manager, smtp_down):
    buyer = customer(manager, ("buchhaltung@muster.example", "attachment"))
    invoice = finalized_invoice(manager, buyer)
    deliveries_schedule(invoice.pk)
    first = at(DAY, 9)
    result = deliveries_send_due(first)
    assert result.retrying == [Delivery.objects.get(invoice=invoice).pk]
    delivery = Delivery.objects.get(invoice=invoice)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "pending",
        1,
        first + timedelta(minutes=1),
    )
    assert delivery.last_error.startswith("ConnectionRefusedError")
    (retry,) = DeliveryEvent.objects.filter(delivery=delivery)
    assert retry.kind == "retry" and retry.detail["attempt"] == 1
    assert retry.detail["error"].startswith("ConnectionRefusedError")

    assert deliveries_send_due(first + timedelta(seconds=59)).retrying == []  # backoff holds
    second = first + timedelta(minutes=1)
    deliveries_send_due(second)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "pending",
        2,
        second + timedelta(minutes=5),
    )

    smtp_down.start()
    assert deliveries_send_due(second + timedelta(minutes=4)).sent == []
    assert smtp_down.received == []
    deliveries_send_due(second + timedelta(minutes=5))
    deliveries_send_due(second + timedelta(hours=1))
    assert [r.rcpt_tos for r in smtp_down.received] == [["buchhaltung@muster.example"]]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    assert [e.kind for e in DeliveryEvent.objects.filter(delivery=delivery)] == [
        "retry",
        "retry",
        "sent",
    ]


def test_a_550_rejection_is_a_permanent_failure_shown_to_staff(manager, clerk, smtp):
    smtp.recorder.reject.add("weg@muster.example")
    buyer = customer(
        manager, ("weg@muster.example", "attachment"), ("da@muster.example", "attachment")
    )
    invoice = finalized_invoice(manager, buyer)
    with time_machine.travel(at(DAY), tick=False):
        deliveries_run()
        deliveries_run()
    assert [r.rcpt_tos for r in smtp.received] == [["da@muster.example"]]
    status = deliveries(invoice)
    assert status["da@muster.example"] == ("sent", 1, "")
    assert status["weg@muster.example"][:2] == ("failed", 1)
    assert "550 5.1.1 Recipient address rejected" in status["weg@muster.example"][2]
    (failed,) = deliveries_failed(clerk)
    assert (failed.recipient, failed.permanent, failed.invoice_id) == (
        "weg@muster.example",
        True,
        invoice.pk,
    )
    assert ("failed", "weg@muster.example") in events(invoice)


def test_customers_do_not_see_failed_deliveries(manager, accountant):
    from kontor.core.permissions import Role
    from tests.conftest import make_user

    assert list(deliveries_failed(accountant)) == []
    with pytest.raises(PermissionDenied):
        deliveries_failed(make_user("kunde", Role.CUSTOMER))


def test_an_invalid_address_fails_for_good_without_bothering_the_server(manager, smtp):
    buyer = customer(manager, ("ok@muster.example", "attachment"))
    invoice = finalized_invoice(manager, buyer)
    deliveries_schedule(invoice.pk)
    Delivery.objects.filter(invoice=invoice).update(recipient="kein-at-zeichen")
    deliveries_send_due(at(DAY))
    assert smtp.received == []
    assert deliveries(invoice) == {
        "kein-at-zeichen": ("failed", 1, "invalid address: 'kein-at-zeichen'")
    }
    assert Delivery.objects.get(invoice=invoice).permanent is True


def test_after_the_last_attempt_the_delivery_fails_but_not_permanently(
    manager, smtp_down, settings
):
    settings.KONTOR_DELIVERY_MAX_ATTEMPTS = 2
    buyer = customer(manager, ("buchhaltung@muster.example", "attachment"))
    invoice = finalized_invoice(manager, buyer)
    deliveries_schedule(invoice.pk)
    deliveries_send_due(at(DAY))
    deliveries_send_due(at(DAY) + timedelta(minutes=1))
    delivery = Delivery.objects.get(invoice=invoice)
    assert (delivery.status, delivery.attempts, delivery.permanent) == ("failed", 2, False)
    assert list(deliveries_failed(manager)) == [delivery]


def test_xrechnung_customers_get_the_xml_attached_too(manager, smtp):
    buyer = customer(
        manager,
        ("rechnung@stadt.example", "attachment"),
        company="Stadt Lübeck",
        leitweg_id=LEITWEG_ID,
        payment_method="transfer",
    )
    invoice = finalized_invoice(manager, buyer)
    with time_machine.travel(at(DAY), tick=False):
        deliveries_run()
    (mail,) = smtp.received
    assert [(name, kind) for name, kind, _content in mail.attachments] == [
        (f"{invoice.number}.pdf", "application/pdf"),
        (f"{invoice.number}-xrechnung.xml", "application/xml"),
    ]
    assert "XRechnung" in mail.body


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("de", "Rechnung {} von Beispiel Hosting GmbH", "Guten Tag Erika Muster,"),
        ("en", "Invoice {} from Beispiel Hosting GmbH", "Dear Erika Muster,"),
        ("sv", "Faktura {} från Beispiel Hosting GmbH", "Hej Erika Muster,"),
    ],
)
def test_texts_follow_the_buyer_language(manager, smtp, language, subject, greeting):
    buyer = customer(manager, ("a@muster.example", "attachment"), language=language)
    invoice = finalized_invoice(manager, buyer)
    with time_machine.travel(at(DAY), tick=False):
        deliveries_run()
    (mail,) = smtp.received
    assert mail.message["Subject"] == subject.format(invoice.number)
    assert mail.body.startswith(greeting)


def test_the_archive_copy_goes_separately_and_hides_no_rejection(manager, smtp, settings):
    settings.KONTOR_MAIL_BCC_ARCHIVE = "archiv@beispiel.example"
    smtp.recorder.reject.add("weg@muster.example")
    buyer = customer(
        manager, ("da@muster.example", "attachment"), ("weg@muster.example", "attachment")
    )
    invoice = finalized_invoice(manager, buyer)
    with time_machine.travel(at(DAY), tick=False):
        deliveries_run()
    assert [r.rcpt_tos for r in smtp.received] == [
        ["da@muster.example"],
        ["archiv@beispiel.example"],
    ]
    customer_mail, archive_copy = smtp.received
    assert archive_copy.message["To"] == "da@muster.example"
    assert archive_copy.message["Bcc"] is None
    assert archive_copy.message["Message-ID"] == customer_mail.message["Message-ID"]
    assert deliveries(invoice)["weg@muster.example"][0] == "failed"


def test_after_a_rejection_staff_send_the_invoice_to_a_corrected_address(manager, clerk, smtp):
    from kontor.core.errors import Conflict, ValidationFailed
    from kontor.delivery.services import delivery_add

    smtp.recorder.reject.add("weg@muster.example")
    invoice = finalized_invoice(manager, customer(manager, ("weg@muster.example", "link")))
    with time_machine.travel(at(DAY), tick=False):
        deliveries_run()
        added = delivery_add(
            actor=clerk, invoice_id=invoice.pk, recipient="neu@muster.example", mode="attachment"
        )
        with pytest.raises(Conflict) as taken:
            delivery_add(
                actor=clerk, invoice_id=invoice.pk, recipient="NEU@muster.example", mode="link"
            )
        with pytest.raises(ValidationFailed) as bad:
            delivery_add(actor=clerk, invoice_id=invoice.pk, recipient="neu", mode="link")
        deliveries_run()
    assert (taken.value.code, bad.value.field) == ("delivery_exists", "recipient")
    assert [r.rcpt_tos for r in smtp.received] == [["neu@muster.example"]]
    added.refresh_from_db()
    assert (added.status, added.mode) == ("sent", "attachment")
    assert Delivery.objects.filter(invoice=invoice).count() == 2
