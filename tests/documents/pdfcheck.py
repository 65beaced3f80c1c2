"""What a Factur-X PDF must be, checked with pypdf and the factur-x library."""

from __future__ import annotations

import io

import facturx
from lxml import etree
from pypdf import PdfReader


def embedded_xml(pdf: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(pdf))
    return reader.attachments["factur-x.xml"][0]


def assert_facturx_pdf(pdf: bytes, xml: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert pdf.startswith(b"%PDF-")
    assert embedded_xml(pdf) == xml
    spec = root["/AF"][0].get_object()
    assert spec["/F"] == "factur-x.xml"
    assert spec["/AFRelationship"] == "/Alternative"
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/text/xml"
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    assert "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>" in xmp
    assert "<pdfaSchema:prefix>fx</pdfaSchema:prefix>" in xmp
    filename, read_back = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    assert read_back == xml
    assert facturx.get_level(etree.fromstring(read_back)) == "en16931"
    return reader


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)
