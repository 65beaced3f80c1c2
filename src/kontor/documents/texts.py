"""Printed texts of invoice documents in German, English and Swedish, and Babel formatting for
the buyer's language. A provider overrides any text in `theme.json` (see docs/documents.md).

Documents are printed in the buyer's language whatever the staff user's language is, so the
texts live here per language instead of in the gettext catalogues.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

if TYPE_CHECKING:
    from kontor.documents.types import InvoiceDocumentData

LOCALES = {"de": "de_DE", "en": "en_GB", "sv": "sv_SE"}

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "invoice": "Rechnung",
        "credit_note": "Gutschrift",
        "title": "{kind} Nr. {number}",
        "invoice_number": "Rechnungsnummer",
        "credit_note_number": "Gutschriftsnummer",
        "invoice_date": "Datum",
        "customer_number": "Kundennummer",
        "service_period": "Leistungszeitraum",
        "po_number": "Ihre Bestellnummer",
        "leitweg_id": "Leitweg-ID",
        "corrects": "Zu Rechnung",
        "due_date": "Fällig am",
        "greeting": "Sehr geehrte Damen und Herren,",
        "intro_invoice": "für unsere Leistungen im Zeitraum {start} bis {end} berechnen wir Ihnen:",
        "intro_invoice_no_period": "für unsere Leistungen berechnen wir Ihnen:",
        "intro_credit_note": "zu unserer Rechnung {number} vom {date} schreiben wir Ihnen gut:",
        "pos": "Pos.",
        "description": "Beschreibung",
        "quantity": "Menge",
        "unit": "Einheit",
        "unit_price": "Einzelpreis",
        "vat": "USt",
        "net": "Netto",
        "gross": "Brutto",
        "rate": "Satz",
        "vat_summary": "USt-Übersicht",
        "total_net": "Summe netto",
        "plus_vat": "zzgl. USt {rate}",
        "total_invoice": "Rechnungsbetrag",
        "total_credit_note": "Gutschriftsbetrag",
        "reverse_charge": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge). "
        "USt-IdNr. des Leistungsempfängers: {vat_id}",
        "not_taxable": "Nicht steuerbare Leistung: Es wird keine Umsatzsteuer berechnet.",
        "heading_sepa": "Zahlungsbedingungen – SEPA-Lastschrift",
        "heading_transfer": "Zahlungsbedingungen – Überweisung",
        "heading_refund": "Erstattung",
        "sepa": "Der Rechnungsbetrag von {amount} wird gemäß dem uns erteilten "
        "SEPA-Lastschriftmandat am {date} von Ihrem Konto IBAN {iban} eingezogen. "
        "Mandatsreferenz: {mandate}, Gläubiger-Identifikationsnummer: {creditor}. Bitte sorgen "
        "Sie für ausreichende Deckung Ihres Kontos.",
        "transfer": "Bitte überweisen Sie den Rechnungsbetrag von {amount} bis zum {date} ohne "
        "Abzug unter Angabe der Rechnungsnummer {number} auf das folgende Konto:",
        "refund_iban": "Wir überweisen den Gutschriftsbetrag von {amount} auf Ihr Konto "
        "IBAN {iban}.",
        "refund": "Wir erstatten Ihnen den Gutschriftsbetrag von {amount}.",
        "terms_sepa": "Einzug per SEPA-Lastschrift am {date}.",
        "terms_transfer": "Zahlbar bis {date} ohne Abzug.",
        "terms_credit_note": "Gutschrift zu Rechnung {number}.",
        "terms_credit_note_no_ref": "Gutschrift.",
        "recipient": "Empfänger",
        "iban": "IBAN",
        "bic": "BIC",
        "bank": "Bank",
        "reference": "Verwendungszweck",
        "amount": "Betrag",
        "girocode": "Mit GiroCode bezahlen: QR-Code in der Banking-App scannen.",
        "closing": "Vielen Dank für Ihren Auftrag.",
        "phone": "Telefon",
        "vat_id": "USt-IdNr.",
        "tax_number": "St.-Nr.",
        "creditor_id": "Gläubiger-ID",
        "managing_directors": "Geschäftsführung",
        "page": "Seite {page} von {total}",
        "test": "TESTBELEG – nicht buchen",
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "title": "{kind} no. {number}",
        "invoice_number": "Invoice number",
        "credit_note_number": "Credit note number",
        "invoice_date": "Date",
        "customer_number": "Customer number",
        "service_period": "Service period",
        "po_number": "Your order number",
        "leitweg_id": "Buyer reference",
        "corrects": "Corrects invoice",
        "due_date": "Due date",
        "greeting": "Dear Sir or Madam,",
        "intro_invoice": "for our services from {start} to {end} we invoice you as follows:",
        "intro_invoice_no_period": "for our services we invoice you as follows:",
        "intro_credit_note": "for our invoice {number} of {date} we credit you as follows:",
        "pos": "No.",
        "description": "Description",
        "quantity": "Qty",
        "unit": "Unit",
        "unit_price": "Unit price",
        "vat": "VAT",
        "net": "Net",
        "gross": "Gross",
        "rate": "Rate",
        "vat_summary": "VAT summary",
        "total_net": "Total net",
        "plus_vat": "VAT {rate}",
        "total_invoice": "Invoice total",
        "total_credit_note": "Credit total",
        "reverse_charge": "Reverse charge: VAT to be accounted for by the recipient. "
        "Recipient's VAT ID: {vat_id}",
        "not_taxable": "Not subject to VAT: no VAT is charged.",
        "heading_sepa": "Payment terms – SEPA direct debit",
        "heading_transfer": "Payment terms – bank transfer",
        "heading_refund": "Refund",
        "sepa": "The invoice amount of {amount} will be collected by SEPA direct debit on "
        "{date} from your account IBAN {iban} under the mandate you gave us. Mandate "
        "reference: {mandate}, creditor identifier: {creditor}. Please make sure your account "
        "has sufficient funds.",
        "transfer": "Please transfer the invoice amount of {amount} without deduction by "
        "{date} to the following account, quoting invoice number {number}:",
        "refund_iban": "We will transfer the credit amount of {amount} to your account "
        "IBAN {iban}.",
        "refund": "We will refund the credit amount of {amount} to you.",
        "terms_sepa": "Collected by SEPA direct debit on {date}.",
        "terms_transfer": "Payable by {date} without deduction.",
        "terms_credit_note": "Credit note for invoice {number}.",
        "terms_credit_note_no_ref": "Credit note.",
        "recipient": "Payee",
        "iban": "IBAN",
        "bic": "BIC",
        "bank": "Bank",
        "reference": "Reference",
        "amount": "Amount",
        "girocode": "Pay with GiroCode: scan the QR code in your banking app.",
        "closing": "Thank you for your business.",
        "phone": "Phone",
        "vat_id": "VAT ID",
        "tax_number": "Tax no.",
        "creditor_id": "Creditor ID",
        "managing_directors": "Managing directors",
        "page": "Page {page} of {total}",
        "test": "TEST DOCUMENT – do not book",
    },
    "sv": {
        "invoice": "Faktura",
        "credit_note": "Kreditfaktura",
        "title": "{kind} nr {number}",
        "invoice_number": "Fakturanummer",
        "credit_note_number": "Kreditfakturanummer",
        "invoice_date": "Datum",
        "customer_number": "Kundnummer",
        "service_period": "Period",
        "po_number": "Ert ordernummer",
        "leitweg_id": "Köparens referens",
        "corrects": "Avser faktura",
        "due_date": "Förfallodag",
        "greeting": "Hej,",
        "intro_invoice": "för våra tjänster under perioden {start} till {end} fakturerar vi:",
        "intro_invoice_no_period": "för våra tjänster fakturerar vi:",
        "intro_credit_note": "för vår faktura {number} av den {date} krediterar vi:",
        "pos": "Pos.",
        "description": "Beskrivning",
        "quantity": "Antal",
        "unit": "Enhet",
        "unit_price": "À-pris",
        "vat": "Moms",
        "net": "Netto",
        "gross": "Brutto",
        "rate": "Sats",
        "vat_summary": "Momsspecifikation",
        "total_net": "Summa netto",
        "plus_vat": "Moms {rate}",
        "total_invoice": "Att betala",
        "total_credit_note": "Kreditbelopp",
        "reverse_charge": "Omvänd skattskyldighet. Köparens momsregistreringsnummer: {vat_id}",
        "not_taxable": "Ej föremål för mervärdesskatt: ingen moms debiteras.",
        "heading_sepa": "Betalningsvillkor – SEPA-autogiro",
        "heading_transfer": "Betalningsvillkor – banköverföring",
        "heading_refund": "Återbetalning",
        "sepa": "Fakturabeloppet {amount} dras den {date} från ert konto IBAN {iban} enligt "
        "det SEPA-autogiromedgivande ni har lämnat. Medgivandereferens: {mandate}, "
        "borgenärs-id: {creditor}. Se till att det finns täckning på kontot.",
        "transfer": "Betala fakturabeloppet {amount} utan avdrag senast {date} till följande "
        "konto och ange fakturanummer {number}:",
        "refund_iban": "Vi överför kreditbeloppet {amount} till ert konto IBAN {iban}.",
        "refund": "Vi återbetalar kreditbeloppet {amount} till er.",
        "terms_sepa": "Dras via SEPA-autogiro den {date}.",
        "terms_transfer": "Betalas senast {date} utan avdrag.",
        "terms_credit_note": "Kreditfaktura för faktura {number}.",
        "terms_credit_note_no_ref": "Kreditfaktura.",
        "recipient": "Mottagare",
        "iban": "IBAN",
        "bic": "BIC",
        "bank": "Bank",
        "reference": "Referens",
        "amount": "Belopp",
        "girocode": "Betala med GiroCode: skanna QR-koden i er bankapp.",
        "closing": "Tack för ert förtroende.",
        "phone": "Telefon",
        "vat_id": "Momsreg.nr",
        "tax_number": "Skattenr.",
        "creditor_id": "Borgenärs-id",
        "managing_directors": "Verkställande direktör",
        "page": "Sida {page} av {total}",
        "test": "TESTDOKUMENT – bokför inte",
    },
}

UNITS: dict[str, dict[str, str]] = {
    "C62": {"de": "Stück", "en": "pcs", "sv": "st"},
    "H87": {"de": "Stück", "en": "pcs", "sv": "st"},
    "MON": {"de": "Monat", "en": "month", "sv": "mån"},
    "DAY": {"de": "Tag", "en": "day", "sv": "dag"},
    "HUR": {"de": "Std.", "en": "h", "sv": "tim"},
    "ANN": {"de": "Jahr", "en": "year", "sv": "år"},
    "LS": {"de": "Pausch.", "en": "lump sum", "sv": "klumpsumma"},
    "KGM": {"de": "kg", "en": "kg", "sv": "kg"},
    "KWH": {"de": "kWh", "en": "kWh", "sv": "kWh"},
}


class Formatter:
    """Babel formatting of money, numbers and dates for one language.

    The results are cached per process (`_formatted`): a billing run prints the same few
    prices, totals and dates on many invoices, and each Babel call costs 0.05–0.2 ms. The
    cache key holds the Decimal as text, so 1.5 and 1.50 stay apart."""

    def __init__(self, language: str, currency: str) -> None:
        self.language = language if language in LOCALES else "de"
        self.locale = LOCALES[self.language]
        self.currency = currency

    def money(self, value: Decimal) -> str:
        return _formatted("money", str(value), self.locale, self.currency)

    def price(self, value: Decimal) -> str:
        """Unit prices keep up to 4 places (0,312 €)."""
        return _formatted("price", str(value), self.locale, self.currency)

    def number(self, value: Decimal) -> str:
        return _formatted("number", str(value), self.locale, "")

    def percent(self, rate: Decimal) -> str:
        sep = "" if self.language == "en" else "\u00a0"
        return f"{self.number(rate)}{sep}%"

    def date(self, day: date | None) -> str:
        return _formatted_date(day, self.locale) if day else ""

    def unit(self, code: str) -> str:
        return UNITS.get(code, {}).get(self.language, code)


@functools.lru_cache(maxsize=8192)
def _formatted(kind: str, value: str, locale: str, currency: str) -> str:
    number = Decimal(value)
    if kind == "money":
        return format_currency(number, currency, locale=locale)
    if kind == "price":
        return format_currency(
            number.normalize(), currency, locale=locale, decimal_quantization=False
        )
    return format_decimal(number.normalize(), locale=locale)


@functools.lru_cache(maxsize=4096)
def _formatted_date(day: date, locale: str) -> str:
    return format_date(day, "medium", locale=locale)


def texts_for(language: str, overrides: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    """The texts of `language`, with a provider's overrides from theme.json on top."""
    language = language if language in TEXTS else "de"
    result = dict(TEXTS[language])
    result.update((overrides or {}).get(language, {}))
    return result


def payment_terms_text(data: InvoiceDocumentData) -> str:
    """BT-20 in the buyer's language."""
    texts, fmt = texts_for(data.language), Formatter(data.language, data.currency)
    if data.kind == "credit_note":
        if data.corrects_number:
            return texts["terms_credit_note"].format(number=data.corrects_number)
        return texts["terms_credit_note_no_ref"]
    key = "terms_sepa" if data.payment.method == "sepa_dd" else "terms_transfer"
    return texts[key].format(date=fmt.date(data.due_date))
