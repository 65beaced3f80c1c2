"""The German rules for XRechnung 3.0 (CIUS XRechnung: BR-DE-*, BR-TMP-*, and the Peppol rules
PEPPOL-EN16931-R* that XRechnung adopts), from KoSIT's compiled schematron for CII.

The stylesheet is vendored in `resources/xrechnung/` (origin, version, checksum and how to
update it: the README.md there) and run with saxonche, compiled once per process. It checks
only the national rules: the EN 16931 rules come from `kontor.documents.schematron`. Run it for
XRechnung documents only: a plain Factur-X invoice breaks BR-DE rules by design (no Leitweg-ID,
no seller contact, no Peppol process id).

Each failed assertion keeps its flag: `fatal` and `error` make the document invalid
(`is_violation`), `warning` and `information` are for the caller to show or ignore.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from pathlib import Path
from typing import Any

from kontor.documents import validation  # the module: validation imports this one too

RESOURCES = Path(__file__).parent / "resources" / "xrechnung"
STYLESHEET_PATH = RESOURCES / "XRechnung-CII-validation.xsl"
# KoSIT validator-configuration-xrechnung 2026-08-31, schematron 2.6.0 (see the README.md).
STYLESHEET_SHA256 = "ec54f662803a87f527ec606d1320bc404f1657a848af6a76f37f32905e4aac40"
VIOLATION_FLAGS = frozenset({"fatal", "error"})


def xrechnung_results(xml: bytes) -> list[validation.RuleViolation]:
    """Every failed assertion of the KoSIT XRechnung rules, each with its flag."""
    processor, executable, lock = compiled()
    with lock:
        node = processor.parse_xml(xml_text=xml.decode("utf-8"))
        report = executable.transform_to_string(xdm_node=node)
    return validation.svrl_failures(report)


def is_violation(result: validation.RuleViolation) -> bool:
    """Whether a result makes the document invalid (flag `fatal` or `error`)."""
    return result.flag in VIOLATION_FLAGS


@functools.cache
def compiled() -> tuple[Any, Any, threading.Lock]:
    """(processor, executable, lock): compiled once per process (≈ 0.2 s)."""
    from saxonche import PySaxonProcessor

    text = STYLESHEET_PATH.read_bytes()
    if hashlib.sha256(text).hexdigest() != STYLESHEET_SHA256:
        raise RuntimeError(f"xrechnung: {STYLESHEET_PATH} is not the vendored KoSIT stylesheet")
    processor = PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    executable = compiler.compile_stylesheet(stylesheet_text=text.decode("utf-8"))
    if executable is None:  # pragma: no cover - broken installation
        raise RuntimeError(f"cannot compile the XRechnung rules {STYLESHEET_PATH}")
    # A compiled Saxon executable is not safe to share between threads.
    return processor, executable, threading.Lock()
