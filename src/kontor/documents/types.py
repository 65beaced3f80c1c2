"""Plain, frozen data a document is rendered from. Built once per invoice from its snapshot
(`kontor.documents.data.document_data`); rendering never touches the ORM.

Amounts are as printed: a credit note (type 381) carries positive amounts even though Kontor
stores credit notes with negative ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class SellerData:
    name: str
    street: str
    postal_code: str
    city: str
    country: str
    vat_id: str = ""
    tax_number: str = ""
    email: str = ""
    phone: str = ""
    bank_name: str = ""
    iban: str = ""
    bic: str = ""
    creditor_id: str = ""
    register: str = ""
    managing_directors: str = ""


@dataclass(frozen=True)
class BuyerData:
    customer_number: str
    name: str
    street: str
    postal_code: str
    city: str
    country: str
    address_extra: str = ""
    contact_person: str = ""
    vat_id: str = ""
    leitweg_id: str = ""
    email: str = ""

    def address_lines(self) -> list[str]:
        """The address window as printed (DIN 5008 order)."""
        lines = [self.name]
        if self.contact_person:
            lines.append(self.contact_person)
        lines += [x for x in (self.address_extra, self.street) if x]
        lines.append(f"{self.postal_code} {self.city}".strip())
        return lines


@dataclass(frozen=True)
class LineData:
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    net_amount: Decimal
    tax_category: str
    tax_rate: Decimal
    period_start: date | None = None
    period_end: date | None = None
    article_number: str = ""


@dataclass(frozen=True)
class TaxData:
    """One row of the VAT breakdown (BG-23)."""

    category: str
    rate: Decimal
    basis: Decimal
    amount: Decimal
    exemption_reason: str = ""
    exemption_code: str = ""


@dataclass(frozen=True)
class PaymentData:
    """How the amount is settled: SEPA direct debit (`sepa_dd`) or bank transfer (`transfer`)."""

    method: str
    mandate_reference: str = ""
    debtor_iban: str = ""


@dataclass(frozen=True)
class InvoiceDocumentData:
    invoice_id: int
    number: str
    kind: str  # "invoice" | "credit_note"
    issue_date: date
    due_date: date | None
    period_start: date | None
    period_end: date | None
    currency: str
    language: str
    seller: SellerData
    buyer: BuyerData
    lines: tuple[LineData, ...]
    taxes: tuple[TaxData, ...]
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal
    payment: PaymentData
    payment_term_days: int
    vat_treatment: str = "domestic"
    po_number: str = ""
    corrects_number: str = ""
    corrects_issue_date: date | None = None
    header_text: str = ""
    footer_text: str = ""
    is_test: bool = False

    @property
    def type_code(self) -> str:
        """UNTDID 1001: 380 commercial invoice, 381 credit note."""
        return "381" if self.kind == "credit_note" else "380"

    @property
    def is_xrechnung(self) -> bool:
        return bool(self.buyer.leitweg_id)
