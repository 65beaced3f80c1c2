"""The XML Kontor writes is the XML drafthorse writes, only faster: equal after parsing (C14N),
for every sample invoice and both guidelines, with every namespace drafthorse declares."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from kontor.documents.cii import DRAFTHORSE_NAMESPACES, build_cii, cii_document, serialize
from tests.documents.samples import CASES


def canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("xrechnung", [False, True])
def test_serialize_is_what_drafthorse_writes(case, xrechnung):
    data = CASES[case]()
    theirs = cii_document(data, xrechnung=xrechnung).serialize(schema=None)
    ours = serialize(cii_document(data, xrechnung=xrechnung))
    assert canonical(ours) == canonical(theirs)
    assert ours == build_cii(data, xrechnung=xrechnung)


def test_unused_namespaces_are_declared_on_the_root_as_drafthorse_does():
    root = etree.fromstring(build_cii(CASES["two_rates"]()))
    assert {"xs", "xsi", "qdt"} <= set(root.nsmap)
    assert root.nsmap == {**root.nsmap, **DRAFTHORSE_NAMESPACES}


def test_text_that_looks_like_markup_stays_text():
    data = CASES["two_rates"]()
    data = dataclasses.replace(data, header_text='Kunde <A&B> "Müller" > 5', po_number="PO>1")
    root = etree.fromstring(build_cii(data))
    assert root.xpath("string(//*[local-name()='IncludedNote']/*[local-name()='Content'])") == (
        'Kunde <A&B> "Müller" > 5'
    )
    theirs = cii_document(data).serialize(schema=None)
    assert canonical(build_cii(data)) == canonical(theirs)
