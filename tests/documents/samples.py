"""Fixed document data for golden tests: no database, every printed fact spelled out."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal as D

from kontor.documents.types import (
    BuyerData,
    InvoiceDocumentData,
    LineData,
    PaymentData,
    SellerData,
    TaxData,
)

SELLER = SellerData(
    name="Nordlicht Energie & Service GmbH",
    street="Hafenstraße 12",
    postal_code="20457",
    city="Hamburg",
    country="DE",
    vat_id="DE123456789",
    tax_number="27/123/45678",
    email="rechnung@nordlicht.example",
    phone="+49 40 1234567-0",
    bank_name="Hamburger Sparkasse",
    iban="DE02200505501015871393",
    bic="HASPDEHHXXX",
    creditor_id="DE98ZZZ09999999999",
    register="Amtsgericht Hamburg HRB 123456",
    managing_directors="Dr. Anna Beispiel, Jonas Muster",
)

BUYER = BuyerData(
    customer_number="K-98937",
    name="Tischlerei Hartmann AG",
    street="Friedrich-Ebert-Platz 37b",
    postal_code="23552",
    city="Lübeck",
    country="DE",
    contact_person="z. Hd. Herrn Noah Hartmann",
    vat_id="DE811569869",
    email="buchhaltung@hartmann.example",
)

NOV = (date(2026, 10, 1), date(2026, 10, 31))


def line(pos: int, text: str, qty: str, unit: str, price: str, net: str, cat: str, rate: str):
    return LineData(pos, text, D(qty), unit, D(price), D(net), cat, D(rate), *NOV, f"A-{pos}")


def two_rates() -> InvoiceDocumentData:
    """Domestic, 19 % and 7 %, SEPA direct debit (the reference letter)."""
    return InvoiceDocumentData(
        invoice_id=1,
        number="RE-2026-100000",
        kind="invoice",
        issue_date=date(2026, 11, 5),
        due_date=date(2026, 11, 19),
        period_start=NOV[0],
        period_end=NOV[1],
        currency="EUR",
        language="de",
        seller=SELLER,
        buyer=BUYER,
        lines=(
            line(1, "Wartungspauschale Wärmepumpe", "1", "LS", "129.00", "129.00", "S", "19"),
            line(2, "Entsorgung Altgeräte", "122", "KGM", "0.45", "54.90", "S", "19"),
            line(3, "Ersatzteil Umwälzpumpe UPM3 25-70", "1", "C62", "184.60", "184.60", "S", "19"),
            line(4, "Fachzeitschrift „Energie aktuell“", "1", "C62", "59.00", "59.00", "S", "7"),
            line(5, "Arbeitspreis Strom HT", "453", "KWH", "0.3120", "141.34", "S", "19"),
        ),
        taxes=(
            TaxData("S", D("19.00"), D("509.84"), D("96.87")),
            TaxData("S", D("7.00"), D("59.00"), D("4.13")),
        ),
        net_total=D("568.84"),
        tax_total=D("101.00"),
        gross_total=D("669.84"),
        payment=PaymentData("sepa_dd", "NL-825122-00", "DE34290501017445419017"),
        payment_term_days=14,
        po_number="PO-4711",
    )


def reverse_charge() -> InvoiceDocumentData:
    """EU reverse charge to an Austrian company, English, bank transfer."""
    buyer = dataclasses.replace(
        BUYER,
        name="Alpenholz GmbH",
        street="Mariahilfer Straße 1",
        postal_code="1060",
        city="Wien",
        country="AT",
        contact_person="",
        vat_id="ATU13585627",
    )
    return dataclasses.replace(
        two_rates(),
        number="RE-2026-100001",
        language="en",
        buyer=buyer,
        lines=(line(1, "Hosting Premium", "1", "MON", "250.00", "250.00", "AE", "0"),),
        taxes=(
            TaxData(
                "AE",
                D("0.00"),
                D("250.00"),
                D("0.00"),
                "Reverse charge: VAT to be accounted for by the recipient",
                "VATEX-EU-AE",
            ),
        ),
        net_total=D("250.00"),
        tax_total=D("0.00"),
        gross_total=D("250.00"),
        payment=PaymentData("transfer"),
        vat_treatment="reverse_charge",
        po_number="",
    )


def not_taxable() -> InvoiceDocumentData:
    """Not subject to VAT (Swiss customer), Swedish, bank transfer."""
    buyer = dataclasses.replace(
        BUYER,
        name="Fjällstuga AB",
        street="Storgatan 5",
        postal_code="111 51",
        city="Stockholm",
        country="SE",
        contact_person="",
        vat_id="SE556677889901",
    )
    return dataclasses.replace(
        two_rates(),
        number="RE-2026-100002",
        language="sv",
        buyer=buyer,
        lines=(
            line(1, "Webbhotell", "3", "MON", "12.90", "38.70", "O", "0"),
            line(2, "Support", "2", "HUR", "80.00", "160.00", "O", "0"),
        ),
        taxes=(
            TaxData(
                "O",
                D("0.00"),
                D("198.70"),
                D("0.00"),
                "Ej föremål för mervärdesskatt",
                "VATEX-EU-O",
            ),
        ),
        net_total=D("198.70"),
        tax_total=D("0.00"),
        gross_total=D("198.70"),
        payment=PaymentData("transfer"),
        vat_treatment="not_taxable",
        po_number="",
    )


def credit_note() -> InvoiceDocumentData:
    """Credit note (381) for part of the reference invoice: positive amounts."""
    return dataclasses.replace(
        two_rates(),
        number="GS-2026-000001",
        kind="credit_note",
        issue_date=date(2026, 11, 20),
        due_date=date(2026, 12, 4),
        lines=(line(1, "Entsorgung Altgeräte", "1", "C62", "54.90", "54.90", "S", "19"),),
        taxes=(TaxData("S", D("19.00"), D("54.90"), D("10.43")),),
        net_total=D("54.90"),
        tax_total=D("10.43"),
        gross_total=D("65.33"),
        corrects_number="RE-2026-100000",
        corrects_issue_date=date(2026, 11, 5),
        header_text="Entsorgung doppelt berechnet",
    )


def xrechnung() -> InvoiceDocumentData:
    """A public-sector buyer with a Leitweg-ID, bank transfer."""
    buyer = dataclasses.replace(
        BUYER,
        name="Stadt Lübeck, Bauamt",
        street="Breite Straße 62",
        contact_person="",
        vat_id="",
        leitweg_id="04011000-1234512345-06",
        email="erechnung@luebeck.example",
    )
    return dataclasses.replace(
        two_rates(),
        number="RE-2026-100003",
        buyer=buyer,
        lines=(line(1, "Wartung Heizung Rathaus", "4", "HUR", "85.00", "340.00", "S", "19"),),
        taxes=(TaxData("S", D("19.00"), D("340.00"), D("64.60")),),
        net_total=D("340.00"),
        tax_total=D("64.60"),
        gross_total=D("404.60"),
        payment=PaymentData("transfer"),
        po_number="BA-2026-17",
    )


CASES = {
    "two_rates": two_rates,
    "reverse_charge": reverse_charge,
    "not_taxable": not_taxable,
    "credit_note": credit_note,
    "xrechnung": xrechnung,
}
