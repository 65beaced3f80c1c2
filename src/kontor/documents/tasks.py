"""Celery tasks: thin wrappers that take ids and call one service; safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def render_invoice_documents(invoice_id: int) -> None:
    """Render the documents of a finalized invoice (through its outbox entry when it has one,
    so the entry is marked processed or its failure recorded)."""
    from kontor.documents.services import (
        TOPIC,
        invoice_documents_render,
        outbox_entry_process,
    )
    from kontor.invoicing.models import OutboxEntry

    entry_id = (
        OutboxEntry.objects.filter(topic=TOPIC, key=str(invoice_id))
        .values_list("pk", flat=True)
        .first()
    )
    if entry_id is None:
        invoice_documents_render(invoice_id)
    else:
        outbox_entry_process(entry_id)


@shared_task(acks_late=True)
def process_document_outbox(limit: int = 500) -> int:
    """Periodic sweeper: render whatever is pending. Returns how many were rendered."""
    from kontor.documents.services import process_outbox

    return len(process_outbox(limit).processed)
