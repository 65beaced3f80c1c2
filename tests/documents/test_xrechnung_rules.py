"""The German XRechnung rules (KoSIT): official samples give the results KoSIT expects, and the
XRechnung Kontor makes for a Leitweg-ID account breaks none of them."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from kontor.documents.cii import build_cii
from kontor.documents.models import Document
from kontor.documents.services import invoice_documents_render
from kontor.documents.validation import validate_cii
from kontor.documents.xrechnung_rules import is_violation, xrechnung_results
from kontor.invoicing.services import credit_note_create
from tests.documents.samples import CASES
from tests.documents.world import document_world, invoice_of

SAMPLES = Path("/work/shared/samples/cii")
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not present")
LEITWEG_ID = "04011000-1234512345-06"
OFFICIAL_VALID = sorted(SAMPLES.glob("valid/xrts_*.xml"))


def violations(xml: bytes) -> list[str]:
    return [v.rule for v in xrechnung_results(xml) if is_violation(v)]


@needs_samples
@pytest.mark.parametrize("path", OFFICIAL_VALID, ids=lambda p: p.name)
def test_official_xrechnung_samples_break_no_rule(path):
    assert violations(path.read_bytes()) == []


@needs_samples
def test_official_samples_are_all_found():
    assert len(OFFICIAL_VALID) >= 5


@needs_samples
@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("kosit_cii-br-de-18-wrong-numeric-seperator.xml", "BR-DE-18"),
        ("kosit_cii-br-tmp-3-negative-test.xml", "BR-TMP-3"),
        ("kosit_cii-peppol-en16931-r053-2-negative-test.xml", "PEPPOL-EN16931-R053"),
    ],
)
def test_kosit_negative_samples_break_their_rule(name, rule):
    assert rule in violations((SAMPLES / "invalid" / name).read_bytes())


@needs_samples
def test_a_violation_says_where_and_what():
    xml = (SAMPLES / "invalid" / "kosit_cii-br-de-18-wrong-numeric-seperator.xml").read_bytes()
    [skonto] = [v for v in xrechnung_results(xml) if v.rule == "BR-DE-18"]
    assert skonto.flag == "fatal"
    assert skonto.location.endswith("}CrossIndustryInvoice[1]")  # the rule's context: the root
    assert "Skonto" in skonto.message and "\n" not in skonto.message


@needs_samples
def test_information_and_warnings_are_returned_with_their_flag():
    xml = (SAMPLES / "valid" / "xrts_01.01a-INVOICE_uncefact.xml").read_bytes()
    [note] = xrechnung_results(xml)
    assert (note.rule, note.flag, is_violation(note)) == ("BR-DE-TMP-32", "information", False)
    # A Factur-X sample is no XRechnung: it breaks fatal rules and draws warnings.
    factur_x = xrechnung_results((SAMPLES / "valid" / "cen_CII_example4.xml").read_bytes())
    assert {"BR-DE-15", "PEPPOL-EN16931-R001"} <= {v.rule for v in factur_x if is_violation(v)}
    assert ("BR-DE-21", "warning") in {(v.rule, v.flag) for v in factur_x}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_kontor_sample_as_xrechnung_passes_both_rule_sets(case):
    """Every case Kontor prints, sent to a public buyer: standard and reduced rates, reverse
    charge, not taxable (BR-DE-14: its VAT breakdown has rate 0), credit note."""
    data = CASES[case]()
    data = dataclasses.replace(data, buyer=dataclasses.replace(data.buyer, leitweg_id=LEITWEG_ID))
    xml = build_cii(data, xrechnung=True)
    assert xrechnung_results(xml) == []  # not even warnings
    validate_cii(xml, number=case, xrechnung=True)


@pytest.mark.django_db
def test_xrechnung_rendered_for_a_leitweg_account_passes(manager):
    world = document_world(manager)
    invoice = invoice_of(world.public)
    note = credit_note_create(actor=manager, invoice_id=invoice.pk, reason="Kulanz")
    for finalized in (invoice, note):
        invoice_documents_render(finalized.pk)
        document = Document.objects.get(invoice=finalized, kind="xrechnung_xml")
        xml = (Path(settings.MEDIA_ROOT) / document.file.name).read_bytes()
        assert xrechnung_results(xml) == []


@needs_samples
def test_threads_share_the_compiled_rules_safely():
    broken = (SAMPLES / "invalid" / "kosit_cii-br-de-18-wrong-numeric-seperator.xml").read_bytes()
    valid = OFFICIAL_VALID[-1].read_bytes()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(violations, [broken, valid] * 8))
    assert results == [["BR-DE-18"], []] * 8
