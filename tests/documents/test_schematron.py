"""The prepared schematron stylesheet (code list as a parameter, no-op walks and fired-rule
output dropped) reports exactly the failed assertions of the published one, on valid and on
broken invoices."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from kontor.documents.schematron import (
    SCHEMATRON_PATH,
    _may_match_attributes,
    prepared_stylesheet,
)
from kontor.documents.validation import SVRL, schematron_results

GOLDEN = Path(__file__).parent / "golden"
SAMPLES = Path("/work/shared/samples/cii")
TWO_RATES = (GOLDEN / "two_rates.xml").read_text(encoding="utf-8")

# Broken copies of a golden invoice: code lists (looked up in the code list document),
# arithmetic rules and the Factur-X profile structure.
BROKEN = {
    "currency": (">EUR</ram:InvoiceCurrencyCode>", ">EUX</ram:InvoiceCurrencyCode>"),
    "unit": ('unitCode="KGM"', 'unitCode="Q9Q"'),
    "type_code": ("<ram:TypeCode>380</ram:TypeCode>", "<ram:TypeCode>999</ram:TypeCode>"),
    "date_format": ('format="102"', 'format="999"'),
    "category": ("<ram:CategoryCode>S<", "<ram:CategoryCode>Q<"),
    "country": ("<ram:CountryID>DE</ram:CountryID>", "<ram:CountryID>XX</ram:CountryID>"),
    "total": ("<ram:GrandTotalAmount>669.84", "<ram:GrandTotalAmount>669.85"),
    "profile": ("<ram:TypeCode>380</ram:TypeCode>", "<ram:TypeCode>380</ram:TypeCode>" * 2),
}


def published_results(xml: bytes) -> list[tuple[str, str, str, str]]:
    """The failed assertions of the unmodified stylesheet, run from its file."""
    processor, executable = published()
    node = processor.parse_xml(xml_text=xml.decode("utf-8"))
    report = etree.fromstring(executable.transform_to_string(xdm_node=node).encode("utf-8"))
    return [
        (
            failed.get("id") or "?",
            " ".join((failed.findtext(f"{SVRL}text") or "").split()),
            failed.get("location") or "",
            failed.get("flag") or "fatal",
        )
        for failed in report.iter(f"{SVRL}failed-assert")
    ]


@functools.cache
def published() -> tuple[Any, Any]:
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    return processor, compiler.compile_stylesheet(stylesheet_file=str(SCHEMATRON_PATH))


def documents() -> dict[str, bytes]:
    found = {f"golden/{p.name}": p.read_bytes() for p in sorted(GOLDEN.glob("*.xml"))}
    for name, (old, new) in BROKEN.items():
        assert old in TWO_RATES, name
        found[f"broken/{name}"] = TWO_RATES.replace(old, new).encode("utf-8")
    if SAMPLES.is_dir():
        for path in sorted(SAMPLES.glob("*/*.xml")):
            found[f"samples/{path.parent.name}/{path.name}"] = path.read_bytes()
    return found


DOCUMENTS = documents()


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_prepared_stylesheet_reports_what_the_published_one_reports(name):
    xml = DOCUMENTS[name]
    ours = [(v.rule, v.message, v.location, v.flag) for v in schematron_results(xml)]
    assert ours == published_results(xml)
    if name.startswith("broken/"):
        assert ours, "a broken invoice must fail at least one rule"


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("currency", "FX-SCH-A-000595"),
        ("unit", "FX-SCH-A-000613"),
        ("type_code", "FX-SCH-A-000555"),
        ("country", "FX-SCH-A-000580"),
    ],
)
def test_values_missing_from_the_code_list_fail(name, rule):
    failed = {v.rule: v.message for v in schematron_results(DOCUMENTS[f"broken/{name}"])}
    assert failed[rule].endswith("is not allowed.")


def test_a_stylesheet_with_other_default_mode_templates_is_refused():
    text = SCHEMATRON_PATH.read_text(encoding="utf-8")
    extra = '<xsl:template match="*"><x/></xsl:template>\n'
    with pytest.raises(RuntimeError, match="default mode"):
        prepared_stylesheet(text.replace("<!--SCHEMA SETUP-->", extra, 1))


def test_a_stylesheet_without_code_list_lookups_is_refused():
    text = SCHEMATRON_PATH.read_text(encoding="utf-8")
    with pytest.raises(RuntimeError, match="code list"):
        prepared_stylesheet(text.replace("document('FACTUR-X_EN16931_codedb.xml')", "()"))


@pytest.mark.parametrize(
    ("pattern", "may_match_attributes"),
    [
        ("//ram:ApplicableTradeTax", False),
        ("/rsm:A/ram:B[ram:ID/@schemeID='VA']/ram:ID", False),
        ('ram:B[ram:C="]|@x"]', False),
        ("text()", False),
        ("//ram:B/@currencyID", True),
        ("ram:A|@*", True),
        ("attribute(currencyID)", True),
        ("element(ram:A)", True),  # not understood here: treated as possible
    ],
)
def test_which_rules_may_match_attributes(pattern, may_match_attributes):
    assert _may_match_attributes(pattern) is may_match_attributes


def test_a_pattern_with_an_attribute_rule_still_visits_attributes():
    text = SCHEMATRON_PATH.read_text(encoding="utf-8")
    rule = '<xsl:template match="//ram:BilledQuantity/@unitCode" mode="M7" priority="999" />\n'
    prepared = prepared_stylesheet(text.replace("<!--SCHEMA SETUP-->", rule, 1))
    assert '<xsl:apply-templates mode="M7" select="@*|*" />' in prepared
    assert '<xsl:apply-templates mode="M8" select="*" />' in prepared


def test_a_pattern_whose_fallback_writes_something_still_visits_attributes():
    text = SCHEMATRON_PATH.read_text(encoding="utf-8")
    silent = '<xsl:template match="@*|node()" mode="M7" priority="-2">'
    assert text.count(silent) == 1
    prepared = prepared_stylesheet(text.replace(silent, silent + "<fallback/>", 1))
    assert '<xsl:apply-templates mode="M7" select="@*|*" />' in prepared
    assert '<xsl:apply-templates mode="M8" select="*" />' in prepared


def test_fired_rule_elements_are_no_longer_written():
    prepared = prepared_stylesheet(SCHEMATRON_PATH.read_text(encoding="utf-8"))
    assert "svrl:fired-rule" not in prepared
    assert "svrl:failed-assert" in prepared


@pytest.mark.parametrize(
    "changed",
    [
        '<svrl:fired-rule context="{name()}" />',  # a value template: not a literal
        '<svrl:fired-rule context="x"><xsl:attribute name="id">R</xsl:attribute></svrl:fired-rule>',
    ],
)
def test_a_fired_rule_that_is_not_a_literal_empty_element_is_refused(changed):
    text = SCHEMATRON_PATH.read_text(encoding="utf-8")
    first = '<svrl:fired-rule context="//ram:AdditionalReferencedDocument" />'
    assert first in text
    with pytest.raises(RuntimeError, match="fired-rule"):
        prepared_stylesheet(text.replace(first, changed, 1))
