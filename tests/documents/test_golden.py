"""Golden tests: fixed invoices give the XML in golden/ (schema- and schematron-valid) and a
Factur-X PDF/A-3 with exactly that XML embedded. `UPDATE_GOLDEN=1` rewrites the files after a
deliberate change; review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from kontor.documents.cii import FACTURX_EN16931, XRECHNUNG_3, build_cii
from kontor.documents.pdf import render_pdf
from kontor.documents.validation import validate_cii
from tests.documents.pdfcheck import assert_facturx_pdf, pdf_text
from tests.documents.samples import CASES

GOLDEN = Path(__file__).parent / "golden"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def normalised(xml: bytes) -> str:
    """Pretty-printed canonical form: independent of the serializer's whitespace."""
    parser = etree.XMLParser(remove_blank_text=True)
    tree = etree.fromstring(xml, parser)
    return etree.tostring(tree, pretty_print=True, encoding="unicode")


def compare_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", sorted(CASES))
def test_xml_matches_golden_file_and_passes_xsd_and_schematron(case):
    xrechnung = case == "xrechnung"
    xml = build_cii(CASES[case](), xrechnung=xrechnung)
    assert validate_cii(xml, number=case, xrechnung=xrechnung) == []  # not even warnings
    compare_golden(f"{case}.xml", normalised(xml))


@pytest.mark.parametrize(
    ("case", "values"),
    [
        (
            "two_rates",
            {"TypeCode": "380", "GrandTotalAmount": "669.84", "TaxTotalAmount": "101.00"},
        ),
        (
            "credit_note",
            {"TypeCode": "381", "GrandTotalAmount": "65.33", "LineTotalAmount": "54.90"},
        ),
        ("reverse_charge", {"CategoryCode": "AE", "ExemptionReasonCode": "VATEX-EU-AE"}),
        ("not_taxable", {"CategoryCode": "O", "ExemptionReasonCode": "VATEX-EU-O"}),
        ("xrechnung", {"BuyerReference": "04011000-1234512345-06", "ID": XRECHNUNG_3}),
    ],
)
def test_xml_carries_the_business_terms(case, values):
    xml = etree.fromstring(build_cii(CASES[case](), xrechnung=case == "xrechnung"))
    for tag, value in values.items():
        found = [e.text for e in xml.iter(f"{{{NS['ram']}}}{tag}")]
        assert value in found, (tag, found)


def test_sepa_direct_debit_has_mandate_creditor_id_and_debited_iban():
    xml = etree.fromstring(build_cii(CASES["two_rates"]()))
    settlement = xml.find(".//ram:ApplicableHeaderTradeSettlement", NS)
    assert settlement.findtext("ram:CreditorReferenceID", namespaces=NS) == "DE98ZZZ09999999999"
    means = settlement.find("ram:SpecifiedTradeSettlementPaymentMeans", NS)
    assert means.findtext("ram:TypeCode", namespaces=NS) == "59"
    assert (
        means.findtext("ram:PayerPartyDebtorFinancialAccount/ram:IBANID", namespaces=NS)
        == "DE34290501017445419017"
    )
    terms = settlement.find("ram:SpecifiedTradePaymentTerms", NS)
    assert terms.findtext("ram:DirectDebitMandateID", namespaces=NS) == "NL-825122-00"


def test_not_taxable_invoice_names_no_vat_ids_and_no_rates():
    xml = build_cii(CASES["not_taxable"]())
    assert b'schemeID="VA"' not in xml
    assert b"RateApplicablePercent" not in xml


def test_credit_note_references_the_corrected_invoice():
    xml = etree.fromstring(build_cii(CASES["credit_note"]()))
    ref = xml.find(".//ram:InvoiceReferencedDocument", NS)
    assert ref.findtext("ram:IssuerAssignedID", namespaces=NS) == "RE-2026-100000"


def test_factur_x_guideline_is_en16931():
    xml = etree.fromstring(build_cii(CASES["two_rates"]()))
    assert xml.findtext(
        ".//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", namespaces=NS
    ) == (FACTURX_EN16931)


@pytest.mark.parametrize("case", sorted(CASES))
def test_pdf_is_facturx_pdfa3_with_the_xml_embedded_and_text_matches_golden(case):
    data = CASES[case]()
    xml = build_cii(data)
    pdf = render_pdf(data, xml)
    assert_facturx_pdf(pdf, xml)
    compare_golden(f"{case}.txt", pdf_text(pdf))


def test_pdf_is_reproducible():
    data = CASES["two_rates"]()
    xml = build_cii(data)
    assert render_pdf(data, xml) == render_pdf(data, xml)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("two_rates", ["Rechnung Nr. RE-2026-100000", "669,84 €", "Mandatsreferenz: NL-825122-00"]),
        ("reverse_charge", ["Invoice no. RE-2026-100001", "€250.00", "Recipient's VAT ID:"]),
        ("not_taxable", ["Faktura nr RE-2026-100002", "198,70 €", "Ej föremål för mervärdesskatt"]),
        ("credit_note", ["Gutschrift Nr. GS-2026-000001", "65,33 €", "RE-2026-100000"]),
    ],
)
def test_pdf_speaks_the_buyers_language(case, expected):
    data = CASES[case]()
    text = pdf_text(render_pdf(data, build_cii(data)))
    for snippet in expected:
        assert snippet in " ".join(text.split()), snippet
