"""Build the plain document data of a finalized invoice: the only place rendering reads the
database. Everything printed comes from the invoice's snapshot, lines and VAT rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from kontor.core.errors import Conflict
from kontor.customers.types import AccountSnapshot
from kontor.documents.types import (
    BuyerData,
    InvoiceDocumentData,
    LineData,
    PaymentData,
    SellerData,
    TaxData,
)
from kontor.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from kontor.invoicing.taxes import EXEMPTION_REASONS

EXEMPTION_CODES = {"AE": "VATEX-EU-AE", "O": "VATEX-EU-O", "K": "VATEX-EU-IC", "G": "VATEX-EU-G"}
SELLER_FIELDS = tuple(SellerData.__dataclass_fields__)


def document_data(invoice_id: int) -> InvoiceDocumentData:
    """The printed facts of finalized invoice `invoice_id` as plain, frozen data."""
    invoice = Invoice.objects.annotate(
        corrected_number=F("corrects__number"), corrected_issue_date=F("corrects__issue_date")
    ).get(pk=invoice_id)
    if invoice.status != InvoiceStatus.FINALIZED or not invoice.snapshot:
        raise Conflict(_("Only finalized invoices have documents."), code="invoice_not_finalized")
    buyer = AccountSnapshot.from_dict(invoice.snapshot["buyer"])
    sign = Decimal(-1) if invoice.kind == InvoiceKind.CREDIT_NOTE else Decimal(1)
    language = buyer.language if buyer.language in EXEMPTION_REASONS["AE"] else "de"
    lines = tuple(_line(row, sign) for row in invoice.lines.order_by("position").values())
    taxes = tuple(
        _tax(row, sign, language) for row in invoice.taxes.order_by("category", "-rate").values()
    )
    return InvoiceDocumentData(
        invoice_id=invoice.pk,
        number=invoice.number or "",
        kind=invoice.kind,
        issue_date=invoice.issue_date or date.min,
        due_date=invoice.due_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        currency=invoice.currency,
        language=language,
        seller=_seller(invoice.snapshot.get("seller", {})),
        buyer=_buyer(buyer),
        lines=lines,
        taxes=taxes,
        net_total=invoice.net_total * sign,
        tax_total=invoice.tax_total * sign,
        gross_total=invoice.gross_total * sign,
        payment=PaymentData(
            method=buyer.payment_method,
            mandate_reference=buyer.mandate_reference,
            debtor_iban=buyer.iban,
        ),
        payment_term_days=buyer.payment_term_days,
        vat_treatment=buyer.vat_treatment,
        po_number=buyer.po_number,
        corrects_number=invoice.corrected_number or "",
        corrects_issue_date=invoice.corrected_issue_date,
        header_text=invoice.header_text,
        footer_text=invoice.footer_text,
        is_test=invoice.is_test,
    )


def _seller(values: dict[str, Any]) -> SellerData:
    return SellerData(**{name: str(values.get(name) or "") for name in SELLER_FIELDS})


def _buyer(snapshot: AccountSnapshot) -> BuyerData:
    address = snapshot.billing_address
    emails = [email for email, _mode in snapshot.invoice_emails]
    return BuyerData(
        customer_number=snapshot.customer_number,
        name=address.name,
        street=address.street,
        postal_code=address.postal_code,
        city=address.city,
        country=address.country or "DE",
        address_extra=address.address_extra,
        contact_person=address.contact_person,
        vat_id=snapshot.vat_id,
        leitweg_id=snapshot.leitweg_id,
        email=emails[0] if emails else "",
    )


def _line(row: dict[str, Any], sign: Decimal) -> LineData:
    quantity, price = row["quantity"] * sign, row["unit_price"]
    if quantity < 0 and price < 0:
        quantity, price = -quantity, -price
    return LineData(
        position=row["position"],
        description=row["description"],
        quantity=quantity,
        unit=row["unit"] or "C62",
        unit_price=price,
        net_amount=row["net_amount"] * sign,
        tax_category=row["tax_category"],
        tax_rate=row["tax_rate"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        article_number=row["article_number"],
    )


def _tax(row: dict[str, Any], sign: Decimal, language: str) -> TaxData:
    category = row["category"]
    reasons = EXEMPTION_REASONS.get(category, {})
    return TaxData(
        category=category,
        rate=row["rate"],
        basis=row["basis"] * sign,
        amount=row["amount"] * sign,
        exemption_reason=reasons.get(language) or row["exemption_reason"],
        exemption_code=EXEMPTION_CODES.get(category, ""),
    )
