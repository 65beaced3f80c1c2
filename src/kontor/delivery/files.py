"""The archived documents a delivery carries: the newest version of each kind, with the file
name and content type the customer sees."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django.utils import timezone

from kontor.documents.models import Document, DocumentKind

CONTENT_TYPES = {
    DocumentKind.FACTURX_PDF.value: "application/pdf",
    DocumentKind.XRECHNUNG_XML.value: "application/xml",
}
ORDER = [DocumentKind.FACTURX_PDF.value, DocumentKind.XRECHNUNG_XML.value]


def latest_documents(invoice_id: int, kinds: list[str] | None = None) -> list[Document]:
    """The newest archived version of each document kind, the PDF first."""
    newest: dict[str, Document] = {}
    for document in Document.objects.filter(invoice_id=invoice_id).order_by("kind", "version"):
        newest[document.kind] = document
    wanted = kinds or ORDER
    return [newest[kind] for kind in ORDER if kind in newest and kind in wanted]


def file_name(number: str, kind: str) -> str:
    """`RE-2026-000042.pdf`, `RE-2026-000042-xrechnung.xml`."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", number).strip("._") or "invoice"
    if kind == DocumentKind.XRECHNUNG_XML:
        return f"{stem}-xrechnung.xml"
    return f"{stem}.pdf"


def download_name(document: Document) -> str:
    """`RE-2026-000042.pdf`; later versions `RE-2026-000042-v2.pdf`."""
    name = file_name(document.invoice.number or str(document.invoice_id), document.kind)
    if document.version > 1:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem}-v{document.version}{dot}{extension}"
    return name


def content_type(kind: str) -> str:
    return CONTENT_TYPES.get(kind, "application/octet-stream")


def read(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def start_of_day(day: date) -> datetime:
    """Midnight of a business date in the provider's time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())
