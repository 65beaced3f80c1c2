"""Text the letter's font cannot show (an emoji in a line description or a customer name)
must not leave a finalized invoice without documents: the PDF shows a replacement character
there, and the embedded XML keeps the text as it was entered."""

from __future__ import annotations

import dataclasses

from kontor.documents.cii import build_cii
from kontor.documents.pdf import render_pdf
from tests.documents import samples
from tests.documents.pdfcheck import assert_facturx_pdf, pdf_text


def test_text_the_font_cannot_show_is_replaced_in_the_pdf_only():
    base = samples.xrechnung()
    buyer = dataclasses.replace(base.buyer, name="Stadt Lübeck 🏛️ Bauamt")
    (line,) = base.lines
    line = dataclasses.replace(line, description="Wartung 🔥 Heizung & <Rathaus> 👍🏽 漢字")
    data = dataclasses.replace(base, buyer=buyer, lines=(line,))
    xml = build_cii(data)

    pdf = render_pdf(data, xml)

    assert_facturx_pdf(pdf, xml)
    text = pdf_text(pdf)
    assert "Stadt Lübeck" in text and "Bauamt" in text
    assert "Wartung" in text and "Heizung & <Rathaus>" in text
    assert "\ufffd" in text
    assert "🔥" not in text
    assert "Wartung 🔥 Heizung &amp; &lt;Rathaus&gt; 👍🏽 漢字" in xml.decode()
