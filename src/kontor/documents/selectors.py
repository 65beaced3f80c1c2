"""Reads on archived documents, with the visibility of the invoice they belong to."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kontor.core.errors import NotFound, PermissionDenied
from kontor.core.permissions import is_staff_actor
from kontor.documents.models import Document, RenderFailure
from kontor.invoicing.selectors import invoice_for_actor, invoice_queryset


def invoice_documents(actor: Any, invoice_id: int) -> QuerySet[Document]:
    """Every archived version of the invoice's documents, newest version first per kind."""
    invoice = invoice_for_actor(actor, invoice_id)
    return Document.objects.filter(invoice=invoice).order_by("kind", "-version")


def document_for_actor(actor: Any, document_id: int) -> Document:
    try:
        return Document.objects.select_related("invoice").get(
            pk=document_id, invoice__in=invoice_queryset(actor)
        )
    except (Document.DoesNotExist, ValueError) as exc:
        raise NotFound(_("Document %s does not exist.") % document_id) from exc


def document_content(actor: Any, document_id: int) -> bytes:
    document = document_for_actor(actor, document_id)
    with document.file.open("rb") as handle:
        return handle.read()


def render_failures(actor: Any) -> QuerySet[RenderFailure]:
    """Invoices whose documents could not be rendered (staff only)."""
    if not is_staff_actor(actor):
        raise PermissionDenied(_("Only staff see document failures."))
    return RenderFailure.objects.select_related("entry", "invoice").order_by("-last_failed_at")
