"""Render the documents of one invoice in memory: e-invoice XML (validated) and PDF.
Pure of database writes; `services.py` archives the result."""

from __future__ import annotations

from dataclasses import dataclass

from kontor.documents.cii import build_cii
from kontor.documents.models import DocumentKind
from kontor.documents.pdf import render_pdf
from kontor.documents.types import InvoiceDocumentData
from kontor.documents.validation import validate_cii


@dataclass(frozen=True)
class RenderedDocument:
    kind: str
    content: bytes
    extension: str


def kinds_for(data: InvoiceDocumentData) -> list[str]:
    """Every invoice gets a Factur-X PDF; a buyer with a Leitweg-ID also an XRechnung."""
    kinds = [DocumentKind.FACTURX_PDF.value]
    if data.is_xrechnung:
        kinds.append(DocumentKind.XRECHNUNG_XML.value)
    return kinds


def render_documents(data: InvoiceDocumentData, kinds: list[str]) -> list[RenderedDocument]:
    """Build, validate and render `kinds`; raises `EInvoiceInvalid` before anything exists."""
    result = []
    for kind in kinds:
        xrechnung = kind == DocumentKind.XRECHNUNG_XML
        xml = build_cii(data, xrechnung=xrechnung)
        validate_cii(xml, number=data.number, xrechnung=xrechnung)
        if xrechnung:
            result.append(RenderedDocument(kind, xml, "xml"))
        else:
            result.append(RenderedDocument(kind, render_pdf(data, xml), "pdf"))
    return result
