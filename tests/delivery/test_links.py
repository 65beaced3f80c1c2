"""Signed download links: a valid one streams the document and is logged; a guessed, tampered
with or expired one gets the same neutral 404 and leaves no trace."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import signing

from kontor.delivery.links import SALT, link_token, link_url
from kontor.delivery.models import Delivery, DeliveryEvent
from kontor.delivery.services import deliveries_schedule
from kontor.documents.selectors import document_content
from tests.delivery.world import DAY, at, customer, finalized_invoice

pytestmark = pytest.mark.django_db

NEUTRAL = "Dieser Download-Link ist ungültig oder abgelaufen."


@pytest.fixture
def linked(manager):
    buyer = customer(manager, ("chef@muster.example", "link"))
    invoice = finalized_invoice(manager, buyer)
    (delivery,) = deliveries_schedule(invoice.pk)
    document = invoice.documents.get(kind="facturx_pdf")
    return invoice, delivery, document


def path_of(token: str) -> str:
    return f"/d/{token}/"


def test_a_valid_link_streams_the_pdf_and_logs_the_download(client, manager, linked):
    invoice, delivery, document = linked
    with time_machine.travel(at(DAY), tick=False):
        token = link_token(document_id=document.pk, delivery_id=delivery.pk)
    assert link_url(token) == f"https://kontor.example/d/{token}/"
    with time_machine.travel(at(DAY + timedelta(days=29)), tick=False):
        response = client.get(path_of(token), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == document_content(manager, document.pk)
    (event,) = DeliveryEvent.objects.filter(delivery=delivery)
    assert (event.kind, event.at, event.detail) == (
        "downloaded",
        at(DAY + timedelta(days=29)),
        {"ip": "203.0.113.7", "document": "facturx_pdf", "version": 1},
    )


def tampered(token: str) -> str:
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


def other_salt(token: str) -> str:
    value = signing.TimestampSigner(salt=SALT).unsign_object(token)
    return signing.TimestampSigner(salt="kontor.other").sign_object(value)


def raised_ids(token: str) -> str:
    value = signing.TimestampSigner(salt=SALT).unsign_object(token)
    payload = signing.b64_encode(
        f'{{"doc":{value["doc"]},"dlv":{value["dlv"] + 1}}}'.encode()
    ).decode()
    return payload + token[token.index(":") :]


@pytest.mark.parametrize(
    "forge",
    [tampered, other_salt, raised_ids, lambda token: "guessed", lambda token: token + "x"],
    ids=["tampered", "other-salt", "raised-ids", "guessed", "appended"],
)
def test_a_bad_link_is_a_neutral_404_and_logs_nothing(client, linked, forge):
    _invoice, delivery, document = linked
    token = forge(link_token(document_id=document.pk, delivery_id=delivery.pk))
    response = client.get(path_of(token), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert NEUTRAL in response.content.decode()
    assert str(document.invoice.number).encode() not in response.content
    assert not DeliveryEvent.objects.exists()


def test_an_expired_link_is_a_neutral_404(client, linked):
    _invoice, delivery, document = linked
    with time_machine.travel(at(DAY), tick=False):
        token = link_token(document_id=document.pk, delivery_id=delivery.pk)
    with time_machine.travel(at(DAY + timedelta(days=31), 0, 0), tick=False):
        response = client.get(path_of(token), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 404
    assert NEUTRAL in response.content.decode()
    assert not DeliveryEvent.objects.exists()


def test_a_link_to_another_invoices_document_is_refused(client, manager, linked):
    _invoice, delivery, _document = linked
    other = finalized_invoice(manager, customer(manager, ("x@andere.example", "link")))
    foreign = other.documents.get(kind="facturx_pdf")
    token = link_token(document_id=foreign.pk, delivery_id=delivery.pk)
    assert client.get(path_of(token)).status_code == 404
    assert not DeliveryEvent.objects.exists()


def test_the_link_in_the_mail_opens_the_document(client, manager, smtp):
    from kontor.delivery.services import deliveries_send_due

    buyer = customer(manager, ("chef@muster.example", "link"))
    invoice = finalized_invoice(manager, buyer)
    deliveries_schedule(invoice.pk)
    with time_machine.travel(at(DAY), tick=False):
        deliveries_send_due()
    (mail,) = smtp.received
    (url,) = [line for line in mail.body.splitlines() if line.startswith("https://")]
    with time_machine.travel(at(DAY, 10), tick=False):
        response = client.get(url.removeprefix("https://kontor.example"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    delivery = Delivery.objects.get(invoice=invoice)
    assert [e.kind for e in DeliveryEvent.objects.filter(delivery=delivery)] == [
        "sent",
        "downloaded",
    ]


def test_a_link_to_a_version_rendered_again_names_that_version(client, manager, linked):
    from kontor.documents.services import invoice_document_rerender

    invoice, delivery, _document = linked
    stored = invoice_document_rerender(
        actor=manager, invoice_id=invoice.pk, reason="Logo getauscht"
    )
    (second,) = [d for d in stored if d.kind == "facturx_pdf"]
    with time_machine.travel(at(DAY), tick=False):
        token = link_token(document_id=second.pk, delivery_id=delivery.pk)
        response = client.get(path_of(token))
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}-v2.pdf"'
    assert response.content == document_content(manager, second.pk)
