"""`invoices_export`: finalized invoices and credit notes in the format `kontor-invoices/v1`
(docs/export-format.md), for accounting and archive systems.

Only finalized documents are exported (drafts are not accounting records). Every printed fact
comes from the invoice's frozen snapshot, so an export of last year's invoices shows the
addresses as they were printed. Money is written as strings, never as JSON numbers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kontor.core.errors import invalid
from kontor.core.permissions import Action, require
from kontor.invoicing.models import Invoice, InvoiceLine, InvoiceStatus, InvoiceTax

FORMAT = "kontor-invoices/v1"
CENT = Decimal("0.01")
BUYER_FIELDS = (
    "customer_number",
    "vat_treatment",
    "vat_id",
    "leitweg_id",
    "po_number",
    "payment_method",
    "payment_term_days",
    "language",
    "currency",
    "branch_code",
)
ADDRESS_FIELDS = (
    "name",
    "address_extra",
    "contact_person",
    "street",
    "postal_code",
    "city",
    "country",
)


def invoices_export(
    *, actor: Any, date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """Finalized invoices and credit notes issued from `date_from` to `date_to` (both
    included; either may be open), ordered by issue date and number."""
    require(actor, Action.DATA_EXPORT)
    if date_from and date_to and date_from > date_to:
        raise invalid("date_to", _("The end date lies before the start date."), "invalid_range")
    invoices = Invoice.objects.filter(status=InvoiceStatus.FINALIZED)
    if date_from:
        invoices = invoices.filter(issue_date__gte=date_from)
    if date_to:
        invoices = invoices.filter(issue_date__lte=date_to)
    invoices = (
        invoices.select_related("account", "corrects")
        .prefetch_related("lines", "taxes")
        .order_by("issue_date", "number", "id")
    )
    documents = [_invoice(invoice) for invoice in invoices]
    return {
        "format": FORMAT,
        "date_from": _day(date_from),
        "date_to": _day(date_to),
        "count": len(documents),
        "invoices": documents,
    }


def amount(value: Decimal) -> str:
    """A money amount with exactly two places: 12.9 → "12.90"."""
    return str(value.quantize(CENT))


def unit_price(value: Decimal) -> str:
    """Two places, up to four when the price has them: 12.9000 → "12.90", 0.1234 → "0.1234"."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        return amount(value)
    return format(normalized, "f")


def quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _invoice(invoice: Invoice) -> dict[str, Any]:
    snapshot = invoice.snapshot or {}
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "issue_date": _day(invoice.issue_date),
        "due_date": _day(invoice.due_date),
        "send_date": _day(invoice.send_date),
        "period_start": _day(invoice.period_start),
        "period_end": _day(invoice.period_end),
        "currency": invoice.currency,
        "is_test": invoice.is_test,
        "corrects": invoice.corrects.number if invoice.corrects else None,
        "account": {"customer_number": invoice.account.customer_number},
        "buyer": _buyer(snapshot.get("buyer") or {}),
        "seller": snapshot.get("seller") or {},
        "header_text": invoice.header_text,
        "footer_text": invoice.footer_text,
        "lines": [_line(line) for line in sorted(invoice.lines.all(), key=_position)],
        "vat_breakdown": [_tax(tax) for tax in sorted(invoice.taxes.all(), key=_tax_key)],
        "totals": {
            "net": amount(invoice.net_total),
            "vat": amount(invoice.tax_total),
            "gross": amount(invoice.gross_total),
        },
    }


def _buyer(buyer: dict[str, Any]) -> dict[str, Any]:
    result = {name: buyer.get(name, "") for name in BUYER_FIELDS}
    for part in ("contract_party", "billing_address"):
        address = buyer.get(part) or {}
        result[part] = {name: address.get(name, "") for name in ADDRESS_FIELDS}
    return result


def _position(line: InvoiceLine) -> int:
    return line.position


def _tax_key(tax: InvoiceTax) -> tuple[str, Decimal]:
    return (tax.category, tax.rate)


def _line(line: InvoiceLine) -> dict[str, Any]:
    return {
        "position": line.position,
        "description": line.description,
        "article_number": line.article_number,
        "period_start": _day(line.period_start),
        "period_end": _day(line.period_end),
        "quantity": quantity(line.quantity),
        "unit": line.unit,
        "unit_price": unit_price(line.unit_price),
        "net_amount": amount(line.net_amount),
        "vat_category": line.tax_category,
        "vat_rate": amount(line.tax_rate),
    }


def _tax(tax: InvoiceTax) -> dict[str, Any]:
    return {
        "vat_category": tax.category,
        "vat_rate": amount(tax.rate),
        "basis": amount(tax.basis),
        "amount": amount(tax.amount),
        "exemption_reason": tax.exemption_reason,
    }
