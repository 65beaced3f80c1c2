"""The JSON the Typst template receives: every printed string, already formatted for the
buyer's language (Babel), plus the provider's theme. Documented in docs/documents.md."""

from __future__ import annotations

from typing import Any

from kontor.documents.texts import Formatter, texts_for
from kontor.documents.types import InvoiceDocumentData, SellerData

DEFAULT_THEME: dict[str, Any] = {
    "primary": "#1b2f4b",
    "accent": "#00796b",
    "muted": "#6b7280",
    "stripe": "#f1f3f4",
    "text": "#1f2328",
    "font": "DejaVu Sans",
    "tagline": "",
    "website": "",
    "logo": None,
}


def template_payload(
    data: InvoiceDocumentData, *, theme: dict[str, Any] | None = None, has_qr: bool = False
) -> dict[str, Any]:
    theme = {**DEFAULT_THEME, **(theme or {})}
    texts = texts_for(data.language, theme.get("texts"))
    fmt = Formatter(data.language, data.currency)
    credit = data.kind == "credit_note"
    kind_label = texts["credit_note" if credit else "invoice"]
    return {
        "lang": fmt.language,
        "texts": texts,
        "theme": {k: v for k, v in theme.items() if k not in {"texts", "logo"}},
        "logo": theme.get("logo") or None,
        "seller": {
            "name": data.seller.name,
            "sender_line": " · ".join(
                x
                for x in (
                    data.seller.name,
                    data.seller.street,
                    f"{data.seller.postal_code} {data.seller.city}".strip(),
                )
                if x
            ),
        },
        "buyer": {"address": data.buyer.address_lines()},
        "document": {
            "title": texts["title"].format(kind=kind_label, number=data.number),
            "number": data.number,
            "is_test": data.is_test,
            "header_text": data.header_text,
            "footer_text": data.footer_text,
        },
        "info": _info(data, texts, fmt),
        "greeting": texts["greeting"],
        "intro": _intro(data, texts, fmt),
        "lines": [
            {
                "pos": str(line.position),
                "description": line.description,
                "period": _period(line.period_start, line.period_end, fmt),
                "quantity": fmt.number(line.quantity),
                "unit": fmt.unit(line.unit),
                "unit_price": fmt.price(line.unit_price),
                "vat": fmt.percent(line.tax_rate) if line.tax_category not in {"O"} else "–",
                "net": fmt.money(line.net_amount),
            }
            for line in data.lines
        ],
        "vat_summary": [
            {
                "rate": fmt.percent(tax.rate) if tax.category != "O" else "–",
                "net": fmt.money(tax.basis),
                "vat": fmt.money(tax.amount),
                "gross": fmt.money(tax.basis + tax.amount),
            }
            for tax in data.taxes
        ],
        "totals": {
            "net": fmt.money(data.net_total),
            "taxes": [
                [texts["plus_vat"].format(rate=fmt.percent(tax.rate)), fmt.money(tax.amount)]
                for tax in data.taxes
                if tax.category not in {"O", "AE"}
            ],
            "gross_label": texts["total_credit_note" if credit else "total_invoice"],
            "gross": fmt.money(data.gross_total),
        },
        "notes": _notes(data, texts),
        "payment": _payment(data, texts, fmt, has_qr),
        "closing": texts["closing"],
        "footer": _footer(data.seller, texts, theme),
    }


def _info(data: InvoiceDocumentData, texts: dict[str, str], fmt: Formatter) -> list[list[str]]:
    credit = data.kind == "credit_note"
    rows = [
        [texts["credit_note_number" if credit else "invoice_number"], data.number],
        [texts["invoice_date"], fmt.date(data.issue_date)],
        [texts["customer_number"], data.buyer.customer_number],
    ]
    period = _period(data.period_start, data.period_end, fmt).replace("\u2009", "")
    if period:
        rows.append([texts["service_period"], period])
    if credit and data.corrects_number:
        rows.append([texts["corrects"], data.corrects_number])
    if data.po_number:
        rows.append([texts["po_number"], data.po_number])
    if data.buyer.leitweg_id:
        rows.append([texts["leitweg_id"], data.buyer.leitweg_id])
    if data.buyer.vat_id and data.vat_treatment != "domestic":
        rows.append([texts["vat_id"], data.buyer.vat_id])
    if data.due_date and not credit:
        rows.append([texts["due_date"], fmt.date(data.due_date)])
    if data.seller.phone:
        rows.append([texts["phone"], data.seller.phone])
    return rows


def _intro(data: InvoiceDocumentData, texts: dict[str, str], fmt: Formatter) -> str:
    if data.kind == "credit_note":
        return texts["intro_credit_note"].format(
            number=data.corrects_number or "–", date=fmt.date(data.corrects_issue_date) or "–"
        )
    if data.period_start and data.period_end:
        return texts["intro_invoice"].format(
            start=fmt.date(data.period_start), end=fmt.date(data.period_end)
        )
    return texts["intro_invoice_no_period"]


def _period(start: Any, end: Any, fmt: Formatter) -> str:
    if not (start and end):
        return ""
    return f"{fmt.date(start)}\u2009–\u2009{fmt.date(end)}"


def _notes(data: InvoiceDocumentData, texts: dict[str, str]) -> list[str]:
    categories = {tax.category for tax in data.taxes}
    notes = []
    if "AE" in categories:
        notes.append(texts["reverse_charge"].format(vat_id=data.buyer.vat_id or "–"))
    if "O" in categories:
        notes.append(texts["not_taxable"])
    return notes


def _payment(
    data: InvoiceDocumentData, texts: dict[str, str], fmt: Formatter, has_qr: bool
) -> dict[str, Any]:
    amount, seller = fmt.money(data.gross_total), data.seller
    if data.kind == "credit_note":
        iban = data.payment.debtor_iban
        text = texts["refund_iban"].format(amount=amount, iban=format_iban(iban))
        return {
            "heading": texts["heading_refund"],
            "text": text if iban else texts["refund"].format(amount=amount),
            "bank": [],
            "qr": False,
        }
    if data.payment.method == "sepa_dd":
        text = texts["sepa"].format(
            amount=amount,
            date=fmt.date(data.due_date),
            iban=format_iban(data.payment.debtor_iban),
            mandate=data.payment.mandate_reference,
            creditor=seller.creditor_id,
        )
        return {"heading": texts["heading_sepa"], "text": text, "bank": [], "qr": False}
    bank = [
        [texts["recipient"], seller.name],
        [texts["iban"], format_iban(seller.iban)],
        [texts["bic"], seller.bic],
        [texts["bank"], seller.bank_name],
        [texts["amount"], amount],
        [texts["reference"], data.number],
    ]
    return {
        "heading": texts["heading_transfer"],
        "text": texts["transfer"].format(
            amount=amount, date=fmt.date(data.due_date), number=data.number
        ),
        "bank": [row for row in bank if row[1]],
        "qr": has_qr,
    }


def _footer(seller: SellerData, texts: dict[str, str], theme: dict[str, Any]) -> list[list[str]]:
    company = [seller.name, seller.street, f"{seller.postal_code} {seller.city}".strip()]
    if seller.managing_directors:
        company.append(f"{texts['managing_directors']}: {seller.managing_directors}")
    if seller.register:
        company.append(seller.register)
    contact = [f"{texts['phone']} {seller.phone}" if seller.phone else "", seller.email]
    contact.append(theme.get("website") or "")
    bank = [seller.bank_name, f"IBAN {format_iban(seller.iban)}" if seller.iban else ""]
    bank.append(f"BIC {seller.bic}" if seller.bic else "")
    tax = [
        f"{texts['vat_id']} {seller.vat_id}" if seller.vat_id else "",
        f"{texts['tax_number']} {seller.tax_number}" if seller.tax_number else "",
        f"{texts['creditor_id']} {seller.creditor_id}" if seller.creditor_id else "",
    ]
    return [[x for x in column if x] for column in (company, contact, bank, tax)]


def format_iban(iban: str) -> str:
    compact = iban.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
