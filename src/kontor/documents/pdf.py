"""The Factur-X PDF: a Typst letter (PDF/A-3b) with the CII XML attached as /factur-x.xml,
then a small incremental update that adds the Factur-X XMP extension schema (Typst 0.15 cannot
write custom XMP yet).

One Typst compiler per template directory and process; compiling a one-page invoice takes
≈ 15 ms once warm.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import typst
from django.conf import settings
from lxml import etree
from pypdf import PdfReader

from kontor.documents.girocode import epc_qr, epc_qr_svg_text
from kontor.documents.payload import template_payload
from kontor.documents.types import InvoiceDocumentData

logger = logging.getLogger(__name__)
BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
REPLACEMENT = "\ufffd"
MAX_REPLACEMENT_ROUNDS = 4  # the replacement itself may be missing from a provider's font
# Typst's PDF/A error for a glyph missing from the font; the text as a Typst string literal
# (a text with quotes or backslashes is escaped there and is left alone)
_UNSHOWABLE = re.compile(r'the text `"([^"`\\]+)"` could not be displayed with font')
TEMPLATE_NAME = "invoice.typ"
FACTURX_URN = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
FX_PROPERTIES = {
    "DocumentFileName": "The name of the embedded XML document",
    "DocumentType": "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER",
    "Version": "The actual version of the standard applying to the embedded XML document",
    "ConformanceLevel": "The conformance level of the embedded XML document",
}


def render_pdf(data: InvoiceDocumentData, xml: bytes) -> bytes:
    """The PDF/A-3b letter of `data` with `xml` embedded as a Factur-X EN 16931 invoice."""
    directory = template_directory()
    theme = load_theme(directory)
    qr = epc_qr_svg(data)
    payload = template_payload(data, theme=theme, has_qr=qr is not None)
    compiler, lock = _compiler(str(directory))
    inputs = {"data": json.dumps(payload, ensure_ascii=False), "xml": xml.decode("utf-8")}
    if qr is not None:
        inputs["qr"] = qr
    timestamp = int(datetime.combine(data.issue_date, time(), UTC).timestamp())
    with lock:
        pdf = _compile_showable(compiler, inputs, timestamp, number=data.number)
    return add_facturx_xmp(pdf, conformance="EN 16931")


def _compile_showable(
    compiler: typst.Compiler, inputs: dict[str, str], timestamp: int, *, number: str
) -> bytes:
    """Compile; text the font cannot show (an emoji in a description or a customer name) is
    an error under PDF/A, and the snapshot cannot change, so a finalized invoice would never
    get its documents. Such text is printed as U+FFFD instead (the XML keeps it)."""
    for _attempt in range(MAX_REPLACEMENT_ROUNDS):
        try:
            return compiler.compile(
                format="pdf", sys_inputs=inputs, pdf_standards=["a-3b"], timestamp=timestamp
            )
        except typst.TypstError as exc:
            texts = set(_UNSHOWABLE.findall(getattr(exc, "diagnostic", "") or str(exc)))
            payload = inputs["data"]
            for text in texts:
                payload = payload.replace(text, "?" if text == REPLACEMENT else REPLACEMENT)
            if payload == inputs["data"]:
                raise
            logger.warning("invoice %s: the font cannot show %s", number, sorted(texts))
            inputs = {**inputs, "data": payload}
    raise ValueError(f"invoice {number}: too much text the font cannot show")


def template_directory() -> Path:
    """The provider's template directory (setting KONTOR_DOCUMENT_TEMPLATES) if it holds an
    invoice.typ, else the built-in one."""
    custom = getattr(settings, "KONTOR_DOCUMENT_TEMPLATES", "")
    if custom and (Path(custom) / TEMPLATE_NAME).is_file():
        return Path(custom)
    return BUILTIN_TEMPLATES


def load_theme(directory: Path) -> dict[str, Any]:
    """theme.json of the template directory: colours, font, tagline, logo, text overrides."""
    path = directory / "theme.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def epc_qr_svg(data: InvoiceDocumentData) -> str | None:
    """An EPC QR code (GiroCode) for bank transfers: payee, IBAN, BIC, amount, invoice number."""
    seller = data.seller
    if data.kind == "credit_note" or data.payment.method == "sepa_dd":
        return None
    if not seller.iban or data.gross_total <= 0 or data.currency != "EUR":
        return None
    qr = epc_qr(
        name=seller.name[:70],
        iban=seller.iban.replace(" ", ""),
        amount=data.gross_total,
        text=data.number,
        bic=seller.bic or None,
    )
    return epc_qr_svg_text(qr)  # segno's SVG (scale 4, no border, no XML declaration)


def add_facturx_xmp(pdf: bytes, *, conformance: str) -> bytes:
    """Add the Factur-X PDF/A extension schema and fx: properties to the XMP metadata, as an
    incremental update: the Typst bytes stay as they are, followed by the new metadata stream,
    a classic xref section for it and a trailer that keeps /Root, /Info and /ID.

    Typst's file ends in a classic xref table and trailer, and its metadata stream is not
    compressed: `_typst_tail` reads the few values needed straight from the bytes (≈ 0.05 ms).
    Anything else it does not recognise goes through pypdf's strict reader (≈ 0.6 ms); both
    give the same values."""
    tail = _typst_tail(pdf) or _pypdf_tail(pdf)
    xmp = facturx_xmp(tail.xmp, conformance=conformance)
    head = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    number, generation = tail.metadata
    body = (
        (
            f"{number} {generation} obj\n<</Type/Metadata/Subtype/XML/Length {len(xmp)}>>\nstream\n"
        ).encode()
        + xmp
        + b"\nendstream\nendobj\n"
    )
    references = [f"/Root {tail.root} 0 R"]
    if tail.info is not None:
        references.append(f"/Info {tail.info} 0 R")
    ids = "".join(f"<{value.hex()}>" for value in tail.ids)
    trailer = (
        f"xref\n0 1\n0000000000 65535 f\r\n{number} 1\n{len(head):010d} {generation:05d} n\r\n"
        f"trailer\n<</Size {tail.size} {' '.join(references)} /ID[{ids}]"
        f" /Prev {tail.startxref}>>\n"
        f"startxref\n{len(head) + len(body)}\n%%EOF\n"
    )
    return head + body + trailer.encode()


@dataclass(frozen=True)
class _Tail:
    """What the incremental update needs of the PDF it extends."""

    startxref: int
    size: int
    root: int
    info: int | None
    ids: tuple[bytes, ...]
    metadata: tuple[int, int]  # object number and generation of the XMP stream
    xmp: bytes


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_TYPST_TRAILER = re.compile(
    rb"trailer\n<</Size (\d+)/Root (\d+) 0 R(?:/Info (\d+) 0 R)?"
    rb"/ID\[\(([^()\\]*)\)\(([^()\\]*)\)\]>>"
    rb"\nstartxref\n(\d+)\n%%EOF\s*$"
)
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) n\r\n")
_CATALOG_METADATA = re.compile(rb"\d+ 0 obj\n<</Type/Catalog/[^\n]*?/Metadata (\d+) (\d+) R")
_METADATA_STREAM = re.compile(
    rb"\d+ \d+ obj\n<</Length (\d+)/Type/Metadata/Subtype/XML>>\nstream\n"
)


def _pypdf_tail(pdf: bytes) -> _Tail:
    """The strict reader: Typst's output needs no repair, and the lenient reader's check of
    every object's offset took half the time."""
    found = _STARTXREF.search(pdf)
    if found is None:
        raise ValueError("Typst output without a final startxref")
    trailer = PdfReader(io.BytesIO(pdf), strict=True).trailer
    metadata_ref = trailer["/Root"].raw_get("/Metadata")
    info = trailer.raw_get("/Info").idnum if "/Info" in trailer else None
    return _Tail(
        startxref=int(found.group(1)),
        size=int(trailer["/Size"]),
        root=trailer.raw_get("/Root").idnum,
        info=info,
        ids=tuple(_raw_bytes(value) for value in trailer["/ID"]),
        metadata=(metadata_ref.idnum, metadata_ref.generation),
        xmp=metadata_ref.get_object().get_data(),
    )


def _typst_tail(pdf: bytes) -> _Tail | None:
    """The values of `_pypdf_tail`, read directly from Typst's layout of the file end (one
    xref section from object 0, the trailer on one line, literal IDs without escapes, the
    catalog with an indirect /Metadata, an unfiltered metadata stream); None if the bytes
    look any different."""
    trailer = _TYPST_TRAILER.search(pdf, max(0, len(pdf) - 512))
    if trailer is None:
        return None
    size, startxref = int(trailer.group(1)), int(trailer.group(6))
    if not pdf.startswith(f"xref\n0 {size}\n".encode(), startxref):
        return None
    entries = startxref + len(f"xref\n0 {size}\n")

    def offset(number: int) -> int | None:
        entry = _XREF_ENTRY.fullmatch(pdf, entries + 20 * number, entries + 20 * (number + 1))
        return int(entry.group(1)) if entry and entry.group(2) == b"00000" else None

    root = int(trailer.group(2))
    catalog_at = offset(root) if root < size else None
    catalog = None if catalog_at is None else _CATALOG_METADATA.match(pdf, catalog_at)
    if catalog is None or not pdf.startswith(f"{root} 0 obj".encode(), catalog_at):
        return None
    number, generation = int(catalog.group(1)), int(catalog.group(2))
    stream_at = offset(number) if number < size and generation == 0 else None
    stream = None if stream_at is None else _METADATA_STREAM.match(pdf, stream_at)
    if stream is None or not pdf.startswith(f"{number} 0 obj".encode(), stream_at):
        return None
    start, length = stream.end(), int(stream.group(1))
    if not pdf.startswith(b"\nendstream", start + length):
        return None
    return _Tail(
        startxref=startxref,
        size=size,
        root=root,
        info=int(trailer.group(3)) if trailer.group(3) else None,
        ids=(trailer.group(4), trailer.group(5)),
        metadata=(number, generation),
        xmp=pdf[start : start + length],
    )


def _raw_bytes(value: object) -> bytes:
    original = getattr(value, "original_bytes", None)
    return original if original is not None else bytes(value)  # type: ignore[call-overload]


def facturx_xmp(xmp: bytes, *, conformance: str) -> bytes:
    tree = etree.ElementTree(etree.fromstring(xmp))
    root = tree.getroot()
    bag = root.find(f".//{{{PDFA_EXTENSION}}}schemas/{{{RDF}}}Bag")
    if bag is None:
        raise ValueError("Typst wrote no PDF/A extension schemas into the XMP metadata")
    bag.append(_fx_schema())
    description = etree.SubElement(
        root.find(f"{{{RDF}}}RDF"), f"{{{RDF}}}Description", nsmap={"fx": FACTURX_URN}
    )
    description.set(f"{{{RDF}}}about", "")
    for name, value in (
        ("DocumentType", "INVOICE"),
        ("DocumentFileName", "factur-x.xml"),
        ("Version", "1.0"),
        ("ConformanceLevel", conformance),
    ):
        etree.SubElement(description, f"{{{FACTURX_URN}}}{name}").text = value
    body = etree.tostring(root, encoding="utf-8")
    return (
        b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        + body
        + b'<?xpacket end="w"?>'
    )


def _fx_schema() -> etree._Element:
    resource = {f"{{{RDF}}}parseType": "Resource"}
    item = etree.Element(f"{{{RDF}}}li", resource)
    for name, value in (
        ("schema", "Factur-X PDFA Extension Schema"),
        ("namespaceURI", FACTURX_URN),
        ("prefix", "fx"),
    ):
        etree.SubElement(item, f"{{{PDFA_SCHEMA}}}{name}").text = value
    seq = etree.SubElement(etree.SubElement(item, f"{{{PDFA_SCHEMA}}}property"), f"{{{RDF}}}Seq")
    for name, description in FX_PROPERTIES.items():
        prop = etree.SubElement(seq, f"{{{RDF}}}li", resource)
        for key, value in (
            ("name", name),
            ("valueType", "Text"),
            ("category", "external"),
            ("description", description),
        ):
            etree.SubElement(prop, f"{{{PDFA_PROPERTY}}}{key}").text = value
    return item


@functools.cache
def _compiler(directory: str) -> tuple[typst.Compiler, threading.Lock]:
    compiler = typst.Compiler(str(Path(directory) / TEMPLATE_NAME), root=directory)
    return compiler, threading.Lock()
