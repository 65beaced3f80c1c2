"""Writes on documents: render and archive once, re-render only as a new version with a reason,
and consume the `invoice.finalized` outbox.

Rendering (XML, validation, Typst) happens outside the database transaction; archiving takes
the invoice row lock, and the unique (invoice, kind, version) constraint makes a second run,
or a concurrent one, change nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.errors import KontorError, invalid
from kontor.core.permissions import Action, require
from kontor.documents.data import document_data
from kontor.documents.models import Document, RenderFailure
from kontor.documents.render import RenderedDocument, kinds_for, render_documents
from kontor.documents.validation import EInvoiceInvalid
from kontor.invoicing.models import Invoice, OutboxEntry

logger = logging.getLogger(__name__)
TOPIC = "invoice.finalized"
ARCHIVE_FIELDS = ("pk", "number", "issue_date")  # what archiving reads of the locked invoice


def invoice_documents_render(invoice_id: int) -> list[Document]:
    """Render, validate and archive version 1 of every document the invoice needs. Does
    nothing for documents that already exist (safe to run twice, also concurrently)."""
    data = document_data(invoice_id)
    existing = Document.objects.filter(invoice_id=invoice_id, version=1).order_by()
    done = set(existing.values_list("kind", flat=True))  # unordered: no join to the invoice
    missing = [kind for kind in kinds_for(data) if kind not in done]
    if missing:
        rendered = render_documents(data, missing)
        try:
            with transaction.atomic():
                invoice = (
                    Invoice.objects.select_for_update().only(*ARCHIVE_FIELDS).get(pk=invoice_id)
                )
                stored = [_archive(invoice, doc, version=1) for doc in rendered]
                audit(
                    None,
                    "documents.rendered",
                    invoice,
                    documents={d.kind: d.sha256 for d in stored},
                )
        except IntegrityError:
            logger.info("documents of invoice %s were archived concurrently", invoice_id)
        else:
            if not done:  # what we stored is all there is: no need to read it back
                return sorted(stored, key=lambda document: document.kind)
    return list(Document.objects.filter(invoice_id=invoice_id, version=1))


@transaction.atomic
def invoice_document_rerender(*, actor: Any, invoice_id: int, reason: str) -> list[Document]:
    """Render the invoice's documents again as new versions (Manager only). The old versions
    stay archived; the reason goes into the audit log."""
    require(actor, Action.DOCUMENT_RERENDER)
    if not reason.strip():
        raise invalid("reason", _("Give the reason for rendering the document again."), "required")
    data = document_data(invoice_id)
    rendered = render_documents(data, kinds_for(data))
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    latest = dict(
        Document.objects.filter(invoice=invoice)
        .values_list("kind")
        .annotate(version=Max("version"))
    )
    stored = [
        _archive(invoice, doc, version=latest.get(doc.kind, 0) + 1, actor=actor, reason=reason)
        for doc in rendered
    ]
    audit(
        actor,
        "documents.rerendered",
        invoice,
        reason=reason.strip(),
        versions={d.kind: d.version for d in stored},
        documents={d.kind: d.sha256 for d in stored},
    )
    return stored


def _archive(
    invoice: Invoice,
    doc: RenderedDocument,
    *,
    version: int,
    actor: Any = None,
    reason: str = "",
) -> Document:
    digest = hashlib.sha256(doc.content).hexdigest()
    number = re.sub(r"[^A-Za-z0-9._-]+", "_", invoice.number or str(invoice.pk))
    year = invoice.issue_date.year if invoice.issue_date else "undated"
    name = f"documents/{year}/{number}/{doc.kind}-v{version}-{digest[:16]}.{doc.extension}"
    stored_name = default_storage.save(name, ContentFile(doc.content))
    return Document.objects.create(
        invoice=invoice,
        kind=doc.kind,
        version=version,
        file=stored_name,
        sha256=digest,
        size=len(doc.content),
        created_at=clock.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason.strip(),
    )


@dataclass
class OutboxResult:
    processed: list[int] = field(default_factory=list)  # invoice ids
    failed: dict[int, str] = field(default_factory=dict)  # invoice id -> error


def process_outbox(limit: int = 100) -> OutboxResult:
    """Render the documents of up to `limit` pending `invoice.finalized` entries, oldest
    first. A failure leaves its entry pending and records why (`RenderFailure`)."""
    result = OutboxResult()
    pending = OutboxEntry.objects.filter(topic=TOPIC, processed_at=None).order_by("pk")
    for entry_id in pending.values_list("pk", flat=True)[:limit]:
        outbox_entry_process(entry_id, result)
    return result


def outbox_entry_process(entry_id: int, result: OutboxResult | None = None) -> bool:
    """Render one outbox entry's invoice and mark the entry processed; True when done."""
    result = result if result is not None else OutboxResult()
    entry = OutboxEntry.objects.get(pk=entry_id)
    if entry.processed_at is not None:
        return True
    invoice_id = int(entry.payload.get("invoice_id") or entry.key)
    try:
        invoice_documents_render(invoice_id)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded loudly, none lost
        _record_failure(entry, invoice_id, exc)
        result.failed[invoice_id] = str(exc)
        return False
    with transaction.atomic():
        OutboxEntry.objects.filter(pk=entry_id, processed_at=None).update(processed_at=clock.now())
        RenderFailure.objects.filter(entry_id=entry_id).delete()
    result.processed.append(invoice_id)
    return True


def _record_failure(entry: OutboxEntry, invoice_id: int, exc: Exception) -> None:
    if isinstance(exc, EInvoiceInvalid):
        rules = [{"rule": v.rule, "message": v.message} for v in exc.violations]
    else:
        rules = []
    code = exc.code if isinstance(exc, KontorError) else type(exc).__name__
    logger.error("documents of invoice %s failed: %s", invoice_id, exc, exc_info=exc)
    with transaction.atomic():
        failure, created = RenderFailure.objects.select_for_update().get_or_create(
            entry=entry,
            defaults={
                "invoice_id": Invoice.objects.filter(pk=invoice_id)
                .values_list("pk", flat=True)
                .first(),
                "code": code,
                "message": str(exc),
                "rules": rules,
                "last_failed_at": clock.now(),
            },
        )
        if not created:
            failure.code, failure.message, failure.rules = code, str(exc), rules
            failure.attempts += 1
            failure.last_failed_at = clock.now()
            failure.save()
