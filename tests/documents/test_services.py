"""Archive and outbox: every finalized invoice gets its validated documents exactly once."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from kontor.core.errors import PermissionDenied, ValidationFailed
from kontor.core.models import AuditEntry
from kontor.documents.data import document_data
from kontor.documents.models import Document, RenderFailure
from kontor.documents.selectors import document_content, invoice_documents
from kontor.documents.services import (
    invoice_document_rerender,
    invoice_documents_render,
    process_outbox,
)
from kontor.documents.tasks import render_invoice_documents
from kontor.invoicing.models import OutboxEntry
from kontor.invoicing.services import credit_note_create
from tests.documents.pdfcheck import assert_facturx_pdf, embedded_xml
from tests.documents.world import document_world, invoice_of

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def test_document_data_is_the_snapshot_as_printed(manager):
    world = document_world(manager)
    invoice = invoice_of(world.debit)
    data = document_data(invoice.pk)
    assert (data.number, data.type_code, data.language) == (invoice.number, "380", "de")
    assert data.seller.name == "Beispiel Hosting GmbH"
    assert data.buyer.name == "Muster GmbH"
    assert data.payment.method == "sepa_dd"
    assert data.payment.mandate_reference == "M-2026-0001"
    assert data.payment.debtor_iban == "DE89370400440532013000"
    # billed in advance on 1 December: November and December
    assert [(x.period_start.month, x.net_amount, x.tax_rate) for x in data.lines] == [
        (11, Decimal("12.90"), Decimal("19.00")),
        (12, Decimal("12.90"), Decimal("19.00")),
    ]
    assert (data.net_total, data.tax_total, data.gross_total) == (
        Decimal("25.80"),
        Decimal("4.90"),
        Decimal("30.70"),
    )


def test_outbox_renders_every_finalized_invoice_once(manager):
    world = document_world(manager)
    result = process_outbox(limit=100)
    assert len(result.processed) == 3 and result.failed == {}
    assert not OutboxEntry.objects.filter(topic="invoice.finalized", processed_at=None).exists()
    kinds = {
        customer.pk: sorted(
            Document.objects.filter(invoice__account=customer).values_list("kind", flat=True)
        )
        for customer in (world.debit, world.public, world.foreign)
    }
    assert kinds == {
        world.debit.pk: ["facturx_pdf"],
        world.public.pk: ["facturx_pdf", "xrechnung_xml"],
        world.foreign.pk: ["facturx_pdf"],
    }
    files = stored_files()
    assert len(files) == 4
    assert process_outbox(limit=100).processed == []  # second run: nothing to do
    assert Document.objects.count() == 4 and stored_files() == files


def test_stored_file_hash_matches_and_pdf_embeds_the_valid_xml(manager):
    world = document_world(manager)
    invoice = invoice_of(world.debit)
    [document] = invoice_documents_render(invoice.pk)
    path = Path(settings.MEDIA_ROOT) / document.file.name
    content = path.read_bytes()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    assert document.file.name.startswith(f"documents/2026/{invoice.number}/facturx_pdf-v1-")
    assert document_content(manager, document.pk) == content
    assert_facturx_pdf(content, embedded_xml(content))
    assert b"<ram:TypeCode>59</ram:TypeCode>" in embedded_xml(content)


def test_rendering_twice_changes_nothing(manager):
    world = document_world(manager)
    invoice = invoice_of(world.public)
    first = invoice_documents_render(invoice.pk)
    second = invoice_documents_render(invoice.pk)
    assert [d.pk for d in first] == [d.pk for d in second]
    assert AuditEntry.objects.filter(action="documents.rendered").count() == 1


def test_xrechnung_is_standalone_xml_with_the_leitweg_id(manager):
    world = document_world(manager)
    invoice = invoice_of(world.public)
    invoice_documents_render(invoice.pk)
    document = Document.objects.get(invoice=invoice, kind="xrechnung_xml")
    xml = (Path(settings.MEDIA_ROOT) / document.file.name).read_bytes()
    assert b"<ram:BuyerReference>04011000-1234512345-06</ram:BuyerReference>" in xml
    assert b"urn:xeinkauf.de:kosit:xrechnung_3.0" in xml


def test_credit_note_document_is_381_with_positive_amounts(manager):
    world = document_world(manager)
    original = invoice_of(world.debit)
    note = credit_note_create(actor=manager, invoice_id=original.pk, reason="Kulanz")
    data = document_data(note.pk)
    assert data.type_code == "381"
    assert data.gross_total == Decimal("30.70")
    assert data.lines[0].quantity > 0 and data.lines[0].net_amount == Decimal("12.90")
    assert data.corrects_number == original.number
    [document] = invoice_documents_render(note.pk)
    pdf = (Path(settings.MEDIA_ROOT) / document.file.name).read_bytes()
    xml = embedded_xml(pdf)
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml
    assert b"<ram:GrandTotalAmount>30.70</ram:GrandTotalAmount>" in xml
    assert f"<ram:IssuerAssignedID>{original.number}</ram:IssuerAssignedID>".encode() in xml


def test_invalid_e_invoice_leaves_the_entry_pending_and_records_the_rules(manager):
    world = document_world(manager, seller_changes={"name": ""})  # BR-06: seller name
    result = process_outbox(limit=100)
    assert result.processed == [] and len(result.failed) == 3
    assert Document.objects.count() == 0 and stored_files() == []
    assert OutboxEntry.objects.filter(processed_at=None).count() == 3
    failure = RenderFailure.objects.get(invoice=invoice_of(world.debit))
    assert failure.code == "einvoice_invalid"
    assert "BR-06" in [rule["rule"] for rule in failure.rules]
    assert "BR-06" in failure.message
    process_outbox(limit=100)
    failure.refresh_from_db()
    assert failure.attempts == 2


def test_failure_is_cleared_once_rendering_succeeds(manager):
    world = document_world(manager, seller_changes={"name": ""})
    process_outbox(limit=100)
    from tests.documents.world import seller

    seller(name="Beispiel Hosting GmbH")
    invoice = invoice_of(world.debit)
    invoice.snapshot["seller"]["name"] = "Beispiel Hosting GmbH"  # a corrected snapshot
    invoice.save(update_fields=["snapshot"])
    render_invoice_documents.delay(invoice.pk)
    assert not RenderFailure.objects.filter(invoice=invoice).exists()
    assert OutboxEntry.objects.get(key=str(invoice.pk)).processed_at is not None


def test_rerender_by_manager_creates_version_2_with_reason(manager):
    world = document_world(manager)
    invoice = invoice_of(world.debit)
    invoice_documents_render(invoice.pk)
    [v2] = invoice_document_rerender(actor=manager, invoice_id=invoice.pk, reason="Logo fixed")
    assert (v2.version, v2.reason, v2.created_by) == (2, "Logo fixed", manager)
    assert [d.version for d in invoice_documents(manager, invoice.pk)] == [2, 1]
    entry = AuditEntry.objects.get(action="documents.rerendered")
    assert entry.data["reason"] == "Logo fixed"
    assert entry.data["versions"] == {"facturx_pdf": 2}
    assert len(stored_files()) == 2


@pytest.mark.parametrize(
    ("who", "reason", "error"),
    [("clerk", "Logo", PermissionDenied), ("manager", "  ", ValidationFailed)],
)
def test_rerender_refused_writes_nothing(manager, clerk, who, reason, error):
    world = document_world(manager)
    invoice = invoice_of(world.debit)
    invoice_documents_render(invoice.pk)
    actor = {"manager": manager, "clerk": clerk}[who]
    with pytest.raises(error):
        invoice_document_rerender(actor=actor, invoice_id=invoice.pk, reason=reason)
    assert list(Document.objects.values_list("version", flat=True)) == [1]
    assert not AuditEntry.objects.filter(action="documents.rerendered").exists()
    assert len(stored_files()) == 1


def test_command_renders_pending_entries(manager, capsys):
    document_world(manager)
    call_command("render_documents")
    assert "rendered: 3, failed: 0" in capsys.readouterr().out
    assert Document.objects.count() == 4


def test_command_fails_loudly_on_invalid_invoices(manager):
    document_world(manager, seller_changes={"name": ""})
    with pytest.raises(CommandError, match="3 invoice"):
        call_command("render_documents")
    assert Document.objects.count() == 0
