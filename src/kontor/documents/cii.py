"""The e-invoice XML (UN/CEFACT CII D16B) of an invoice, built with drafthorse.

Two guidelines: Factur-X / ZUGFeRD EN 16931 (embedded in the PDF) and XRechnung 3.0 (standalone,
for public-sector buyers with a Leitweg-ID, which goes into BT-10). A credit note is type 381
with positive amounts. Validation is separate (`kontor.documents.validation`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: N817 - what drafthorse builds its tree with
from datetime import date
from decimal import Decimal

from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem
from lxml import etree

from kontor.documents.texts import payment_terms_text
from kontor.documents.types import BuyerData, InvoiceDocumentData, LineData, SellerData

FACTURX_EN16931 = "urn:cen.eu:en16931:2017"
XRECHNUNG_3 = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NO_RATE = {"O"}  # categories that carry no VAT rate (BR-O-05, BR-O-10)
# The namespaces drafthorse's Document.serialize declares on the root, used or not.
DRAFTHORSE_NAMESPACES: dict[str, str] = Document._Document__namespaces  # type: ignore[attr-defined]  # noqa: SLF001


def build_cii(data: InvoiceDocumentData, *, xrechnung: bool = False) -> bytes:
    """The CII XML of `data` (UTF-8 bytes, not yet validated)."""
    return serialize(cii_document(data, xrechnung=xrechnung))


def cii_document(data: InvoiceDocumentData, *, xrechnung: bool = False) -> Document:
    """The drafthorse document of `data`."""
    doc = Document()
    if xrechnung:
        doc.context.business_parameter.id = PEPPOL_BILLING
    doc.context.guideline_parameter.id = XRECHNUNG_3 if xrechnung else FACTURX_EN16931
    doc.header.id = data.number
    doc.header.type_code = data.type_code
    doc.header.issue_date_time = data.issue_date
    for text in (data.header_text, data.footer_text):
        if text.strip():
            doc.header.notes.add(IncludedNote(content=text.strip()))
    _agreement(doc, data, xrechnung)
    doc.trade.delivery.event.occurrence = _delivery_date(data)
    for line in data.lines:
        doc.trade.items.add(_line_item(line))
    _settlement(doc, data, xrechnung)
    return doc


def serialize(doc: Document) -> bytes:
    """The XML `doc.serialize(schema=None)` gives (the same after parsing), pretty-printed.

    drafthorse writes its ElementTree, parses and pretty-prints that with lxml, parses it again
    and writes it once more so that every namespace it knows is declared, used or not: about
    1.5 ms per invoice. Here the tree is written once (ElementTree declares every namespace on
    the root element), the missing declarations are added to the root's start tag, and lxml
    pretty-prints (≈ 0.7 ms). tests/documents/test_cii.py checks both are equal (C14N)."""
    body = ET.tostring(doc.to_etree(), "utf-8")  # no XML declaration for utf-8
    start_end = body.index(b">")  # the root has only namespace declarations, no attributes
    start = body[:start_end]
    missing = "".join(
        f' xmlns:{prefix}="{uri}"'
        for prefix, uri in DRAFTHORSE_NAMESPACES.items()
        if f" xmlns:{prefix}=".encode() not in start
    ).encode()
    tree = etree.fromstring(start + missing + body[start_end:])
    return etree.tostring(tree, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def _agreement(doc: Document, data: InvoiceDocumentData, xrechnung: bool) -> None:
    agreement = doc.trade.agreement
    if data.buyer.leitweg_id:
        agreement.buyer_reference = data.buyer.leitweg_id
    not_taxable = any(t.category in NO_RATE for t in data.taxes)
    _seller(agreement.seller, data.seller, with_vat_id=not not_taxable, xrechnung=xrechnung)
    _buyer(agreement.buyer, data.buyer, with_vat_id=not not_taxable)
    if data.po_number:
        agreement.buyer_order.issuer_assigned_id = data.po_number


def _delivery_date(data: InvoiceDocumentData) -> date:
    """BT-72: the end of the service period, or the invoice date when that is earlier (billing
    in advance) or there is no period."""
    if data.period_end and data.period_end < data.issue_date:
        return data.period_end
    return data.issue_date


def _seller(party, seller: SellerData, *, with_vat_id: bool, xrechnung: bool) -> None:  # noqa: ANN001
    party.name = seller.name
    if seller.register:
        party.legal_organization.id = seller.register
    if xrechnung:  # BR-DE-2: seller contact with name, phone and e-mail
        party.contact.person_name = seller.name
        party.contact.telephone.number = seller.phone
        party.contact.email.address = seller.email
    _address(party, seller.street, "", seller.postal_code, seller.city, seller.country)
    if seller.email:
        party.electronic_address.uri_ID = ("EM", seller.email)
    if seller.vat_id and with_vat_id:
        party.tax_registrations.add(TaxRegistration(id=("VA", seller.vat_id)))
    if seller.tax_number:
        party.tax_registrations.add(TaxRegistration(id=("FC", seller.tax_number)))


def _buyer(party, buyer: BuyerData, *, with_vat_id: bool) -> None:  # noqa: ANN001
    party.id = buyer.customer_number
    party.name = buyer.name
    _address(party, buyer.street, buyer.address_extra, buyer.postal_code, buyer.city, buyer.country)
    if buyer.email:
        party.electronic_address.uri_ID = ("EM", buyer.email)
    if buyer.vat_id and with_vat_id:
        party.tax_registrations.add(TaxRegistration(id=("VA", buyer.vat_id)))


def _address(party, street: str, extra: str, postcode: str, city: str, country: str) -> None:  # noqa: ANN001
    address = party.address
    if postcode:
        address.postcode = postcode
    if street:
        address.line_one = street
    if extra:
        address.line_two = extra
    if city:
        address.city_name = city
    address.country_id = country or "DE"


def _line_item(line: LineData) -> LineItem:
    item = LineItem()
    item.document.line_id = str(line.position)
    if line.article_number:
        item.product.seller_assigned_id = line.article_number
    item.product.name = line.description
    item.agreement.net.amount = line.unit_price
    item.delivery.billed_quantity = (line.quantity, line.unit)
    item.settlement.trade_tax.type_code = "VAT"
    item.settlement.trade_tax.category_code = line.tax_category
    if line.tax_category not in NO_RATE:
        item.settlement.trade_tax.rate_applicable_percent = line.tax_rate
    if line.period_start and line.period_end:
        item.settlement.period.start = line.period_start
        item.settlement.period.end = line.period_end
    item.settlement.monetary_summation.total_amount = line.net_amount
    return item


def _settlement(doc: Document, data: InvoiceDocumentData, xrechnung: bool) -> None:
    settlement = doc.trade.settlement
    settlement.currency_code = data.currency
    settlement.payment_reference = data.number
    _payment_means(doc, data)
    for tax in data.taxes:
        row = ApplicableTradeTax()
        row.calculated_amount = tax.amount
        row.type_code = "VAT"
        if tax.exemption_reason:
            row.exemption_reason = tax.exemption_reason
        row.basis_amount = tax.basis
        row.category_code = tax.category
        if tax.exemption_code:
            row.exemption_reason_code = tax.exemption_code
        if tax.category not in NO_RATE:
            row.rate_applicable_percent = tax.rate
        elif xrechnung:  # BR-DE-14: every VAT breakdown row has a rate, 0 where none applies
            row.rate_applicable_percent = Decimal("0.00")
        settlement.trade_tax.add(row)
    if data.period_start and data.period_end:
        settlement.period.start = data.period_start
        settlement.period.end = data.period_end
    settlement.terms.add(_terms(data))
    totals = settlement.monetary_summation
    totals.line_total = sum((x.net_amount for x in data.lines), Decimal("0.00"))
    totals.tax_basis_total = data.net_total
    totals.tax_total = (data.tax_total, data.currency)
    totals.grand_total = data.gross_total
    totals.due_amount = data.gross_total
    if data.corrects_number:
        settlement.invoice_referenced_document.issuer_assigned_id = data.corrects_number
        if data.corrects_issue_date:
            settlement.invoice_referenced_document.issue_date_time = data.corrects_issue_date


def _payment_means(doc: Document, data: InvoiceDocumentData) -> None:
    means = PaymentMeans()
    payment, seller = data.payment, data.seller
    if data.kind == "credit_note":
        # The seller refunds: to the buyer's account when known (credit transfer).
        if payment.debtor_iban:
            means.type_code = "58"
            means.payee_account.iban = payment.debtor_iban
        else:
            means.type_code = "1"
    elif payment.method == "sepa_dd":
        means.type_code = "59"
        if payment.debtor_iban:
            means.payer_account.iban = payment.debtor_iban
        if seller.creditor_id:
            doc.trade.settlement.creditor_reference_id = seller.creditor_id
    else:
        means.type_code = "58"
        if seller.iban:
            means.payee_account.iban = seller.iban
        if seller.iban and seller.bic:
            means.payee_institution.bic = seller.bic
    doc.trade.settlement.payment_means.add(means)


def _terms(data: InvoiceDocumentData) -> PaymentTerms:
    terms = PaymentTerms()
    terms.description = payment_terms_text(data)
    if data.due_date and data.kind != "credit_note":
        terms.due = data.due_date
    if data.payment.method == "sepa_dd" and data.kind != "credit_note":
        terms.debit_mandate_id = data.payment.mandate_reference
    return terms
