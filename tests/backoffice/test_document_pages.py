"""Documents and deliveries in the back office: the invoice page lists the archived files
(download, render again), render failures, every delivery and the delivery log; the start
page lists failed deliveries and failed renders, each linking to its invoice."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from kontor.core.models import AuditEntry
from kontor.delivery.models import Delivery
from kontor.delivery.services import deliveries_run
from kontor.documents.models import Document, RenderFailure
from kontor.documents.services import process_outbox
from kontor.invoicing.models import Invoice
from tests.backoffice.conftest import login
from tests.delivery.smtp import SmtpServer
from tests.delivery.world import DAY, at, customer, finalized_invoice
from tests.documents.world import document_world, invoice_of

pytestmark = pytest.mark.django_db

M, C, A = "manager", "clerk", "accountant"
REJECTED, ACCEPTED = "weg@muster.example", "da@muster.example"


@pytest.fixture(autouse=True)
def mail_settings(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KONTOR_MAIL_FROM = "Beispiel Hosting <rechnung@beispiel.example>"
    settings.KONTOR_MAIL_REPLY_TO = ""
    settings.KONTOR_MAIL_BCC_ARCHIVE = ""
    settings.KONTOR_PUBLIC_URL = "https://kontor.example"
    settings.KONTOR_POSTAL_SURCHARGE = ""
    settings.KONTOR_DELIVERY_MAX_ATTEMPTS = 8


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 that rejects REJECTED with 550."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    server.recorder.reject.add(REJECTED)
    server.start()
    yield server
    server.stop()


@dataclass
class Delivered:
    invoice: Invoice
    pdf: Document
    sent: Delivery  # to ACCEPTED
    failed: Delivery  # to REJECTED, permanent


def delivered_invoice(manager, **account_fields) -> Delivered:
    """A finalized invoice with its archived PDF, mailed to two recipients on its send date:
    one accepted, one rejected for good (550)."""
    buyer = customer(manager, (REJECTED, "attachment"), (ACCEPTED, "link"), **account_fields)
    invoice = finalized_invoice(manager, buyer)
    with time_machine.travel(at(DAY), tick=False):
        deliveries_run()
    by_recipient = {d.recipient: d for d in Delivery.objects.filter(invoice=invoice)}
    return Delivered(
        invoice,
        invoice.documents.get(kind="facturx_pdf"),
        by_recipient[ACCEPTED],
        by_recipient[REJECTED],
    )


@pytest.fixture
def delivered(manager, smtp) -> Delivered:
    return delivered_invoice(manager)


@pytest.fixture
def users(manager, clerk, accountant):
    return {M: manager, C: clerk, A: accountant}


def page(user, invoice: Invoice) -> str:
    response = login(user).get(reverse("admin:invoicing_invoice_change", args=[invoice.pk]))
    assert response.status_code == 200
    return response.content.decode()


def download_url(document: Document) -> str:
    return reverse(
        "admin:invoicing_invoice_document_download", args=[document.invoice_id, document.pk]
    )


def rerender_url(invoice: Invoice) -> str:
    return reverse("admin:invoicing_invoice_document_rerender", args=[invoice.pk])


@pytest.mark.parametrize("role", [M, C, A])
def test_invoice_page_lists_documents_deliveries_and_log(users, delivered, role):
    html = page(users[role], delivered.invoice)
    pdf = delivered.pdf
    assert f'<tr id="document-{pdf.pk}"><td>Factur-X PDF (EN 16931)</td><td class="num">1</td>' in (
        html
    )
    assert f'<code title="{pdf.sha256}">{pdf.sha256[:12]}</code>' in html
    assert download_url(pdf) in html
    sent, failed = delivered.sent, delivered.failed
    assert sent.message_id and f"<code>{escape(sent.message_id)}</code>" in html
    assert (
        f'<tr id="delivery-{failed.pk}"><td>e-mail</td><td>{REJECTED}</td><td>PDF attached</td>'
    ) in html
    assert "<td>failed (permanent)</td>" in html
    assert f'<tr id="delivery-{sent.pk}"><td>e-mail</td><td>{ACCEPTED}</td>' in html
    assert "550 5.1.1 Recipient address rejected" in html
    assert '<table id="delivery-log">' in html
    sent_row = f"<td>{ACCEPTED}</td><td>sent</td><td>message_id: "
    assert f"{sent_row}{escape(sent.message_id)}; mode: link; to: {ACCEPTED}</td>" in html
    assert f"<td>{REJECTED}</td><td>failed</td>" in html


@pytest.mark.parametrize("role", [M, C, A])
def test_download_streams_the_archived_file(users, delivered, role):
    response = login(users[role]).get(download_url(delivered.pdf))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == delivered.pdf.sha256
    assert len(content) == delivered.pdf.size
    assert response["Content-Type"] == "application/pdf"
    number = delivered.invoice.number
    assert response["Content-Disposition"] == f'attachment; filename="{number}.pdf"'


def test_download_under_another_invoice_is_not_found(manager, delivered):
    other = finalized_invoice(manager, delivered.invoice.account)
    url = reverse("admin:invoicing_invoice_document_download", args=[other.pk, delivered.pdf.pk])
    assert login(manager).get(url).status_code == 404


@pytest.mark.parametrize(("role", "shown"), [(M, True), (C, False), (A, False)])
def test_only_managers_see_the_render_again_form(users, delivered, role, shown):
    assert ('id="document-rerender"' in page(users[role], delivered.invoice)) is shown


def test_manager_renders_again_with_a_reason(manager, delivered):
    response = login(manager).post(
        rerender_url(delivered.invoice), {"reason": "Logo korrigiert"}, follow=True
    )
    assert response.status_code == 200
    v2 = Document.objects.get(invoice=delivered.invoice, kind="facturx_pdf", version=2)
    assert (v2.reason, v2.created_by) == ("Logo korrigiert", manager)
    html = response.content.decode()
    assert "The documents were rendered again: Factur-X PDF (EN 16931) v2." in html
    assert f'<tr id="document-{v2.pk}"><td>Factur-X PDF (EN 16931)</td><td class="num">2</td>' in (
        html
    )
    assert "<td>Logo korrigiert</td>" in html


@pytest.mark.parametrize(
    ("role", "reason", "status"),
    [(C, "Logo korrigiert", 403), (A, "Logo korrigiert", 403), (M, "  ", 302)],
)
def test_render_again_refused_writes_nothing(users, delivered, role, reason, status):
    before = set(Document.objects.values_list("pk", flat=True))
    client = login(users[role])
    response = client.post(rerender_url(delivered.invoice), {"reason": reason})
    assert response.status_code == status
    assert set(Document.objects.values_list("pk", flat=True)) == before
    assert not AuditEntry.objects.filter(action="documents.rerendered").exists()
    if status == 302:
        html = client.get(response["Location"]).content.decode()
        assert "Not rendered again: Give the reason for rendering the document again." in html


def test_render_again_needs_post(manager, delivered):
    response = login(manager).get(rerender_url(delivered.invoice))
    assert response.status_code == 405
    assert Document.objects.filter(version=2).count() == 0


@pytest.mark.parametrize("role", [M, C, A])
def test_dashboard_lists_a_permanently_failed_delivery(users, delivered, role):
    html = login(users[role]).get(reverse("admin:index")).content.decode()
    invoice_link = reverse("admin:invoicing_invoice_change", args=[delivered.invoice.pk])
    assert "1 failed delivery" in html
    assert f'<a href="{invoice_link}#invoice-deliveries">{delivered.invoice}</a>' in html
    assert f"<td>{REJECTED}</td>\n<td>rejected</td>" in html
    assert ACCEPTED not in html


def test_render_failures_show_on_the_dashboard_and_the_invoice(manager, accountant):
    world = document_world(manager, seller_changes={"name": ""})  # BR-06: no seller name
    process_outbox(limit=100)
    assert RenderFailure.objects.count() == 3
    invoice = invoice_of(world.debit)
    dashboard = login(accountant).get(reverse("admin:index")).content.decode()
    assert "3 invoices whose documents failed to render" in dashboard
    invoice_link = reverse("admin:invoicing_invoice_change", args=[invoice.pk])
    assert f'<a href="{invoice_link}#invoice-documents">{invoice}</a>' in dashboard
    assert "<code>BR-06</code>" in dashboard
    html = page(accountant, invoice)
    assert '<div id="render-failures">' in html
    assert "<li><code>BR-06</code> " in html
    assert "No documents archived yet." in html


def test_dashboard_without_problems_shows_no_notice(manager):
    html = login(manager).get(reverse("admin:index")).content.decode()
    assert 'id="delivery-problems"' not in html
