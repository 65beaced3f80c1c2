"""The validator against official examples: valid ones pass, broken ones fail loudly with
their rule ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from kontor.documents.validation import EInvoiceInvalid, validate_cii

NS_RSM = b"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
SAMPLES = Path("/work/shared/samples/cii")
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not present")


@needs_samples
@pytest.mark.parametrize(
    ("name", "xrechnung"),
    [
        ("cen_CII_business_example_01.xml", False),
        ("corpus_EN16931_Einfach.cii.xml", False),
        ("corpus_EN16931_Innergemeinschaftliche_Lieferungen.cii.xml", False),
        ("xrts_01.01a-INVOICE_uncefact.xml", True),
        ("xrts_03.06a-INVOICE_uncefact.xml", True),
    ],
)
def test_official_valid_examples_pass(name, xrechnung):
    validate_cii((SAMPLES / "valid" / name).read_bytes(), xrechnung=xrechnung)


@needs_samples
def test_broken_totals_fail_with_rule_ids_and_messages():
    xml = (SAMPLES / "invalid" / "kosit_cii-br-tmp-3-negative-test.xml").read_bytes()
    with pytest.raises(EInvoiceInvalid) as caught:
        validate_cii(xml, number="X-1", xrechnung=True)
    # the EN 16931 rules first, then the German (KoSIT) rules of XRechnung
    assert caught.value.rule_ids == [
        "BR-42",
        "BR-CO-23",
        "BR-44",
        "BR-CO-24",
        "PEPPOL-EN16931-R046",
        "BR-TMP-3",
    ]
    assert str(caught.value).startswith("xml: E-invoice X-1 is invalid: [BR-42]")


@needs_samples
def test_xrechnung_guideline_is_refused_as_factur_x():
    xml = (SAMPLES / "valid" / "xrts_01.01a-INVOICE_uncefact.xml").read_bytes()
    with pytest.raises(EInvoiceInvalid) as caught:
        validate_cii(xml, xrechnung=False)
    assert caught.value.rule_ids == ["FX-SCH-A-000556"]


def test_schema_error_is_reported_before_the_rules():
    xml = b"<rsm:CrossIndustryInvoice xmlns:rsm='%s'/>" % NS_RSM
    with pytest.raises(EInvoiceInvalid) as caught:
        validate_cii(xml)
    assert caught.value.rule_ids[0] == "XSD"


def test_malformed_xml_is_reported():
    with pytest.raises(EInvoiceInvalid) as caught:
        validate_cii(b"<not-closed>")
    assert caught.value.rule_ids == ["XML-WELLFORMED"]


@needs_samples
def test_xrechnung_is_checked_against_the_german_rules():
    """BR-DE-18: the KoSIT rules run for XRechnung, not for Factur-X."""
    xml = (SAMPLES / "invalid" / "kosit_cii-br-de-18-wrong-numeric-seperator.xml").read_bytes()
    with pytest.raises(EInvoiceInvalid) as caught:
        validate_cii(xml, number="X-2", xrechnung=True)
    assert "BR-DE-18" in caught.value.rule_ids
    assert not any(r.startswith("BR-DE") for r in _factur_x_rules(xml))


def _factur_x_rules(xml: bytes) -> list[str]:
    try:
        return [v.rule for v in validate_cii(xml)]
    except EInvoiceInvalid as exc:
        return exc.rule_ids
