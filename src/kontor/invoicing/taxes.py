"""VAT and totals per EN 16931. Pure: no Django.

- Line net amounts are rounded to cents before they get here (BT-131).
- VAT is computed per (category, rate) on the SUM of the line nets (BG-23), rounded half up.
- Totals are sums of rounded parts: net (BT-109) + VAT (BT-110) = gross (BT-112).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kontor.core.money import round_money

ZERO = Decimal("0.00")

# Texts EN 16931 wants for zero-rated categories (BT-120), German first.
EXEMPTION_REASONS = {
    "AE": {
        "de": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)",
        "en": "Reverse charge: VAT to be accounted for by the recipient",
        "sv": "Omvänd skattskyldighet",
    },
    "O": {
        "de": "Nicht steuerbar",
        "en": "Not subject to VAT",
        "sv": "Ej föremål för mervärdesskatt",
    },
}


@dataclass(frozen=True)
class TaxableLine:
    category: str
    rate: Decimal
    net: Decimal


@dataclass(frozen=True)
class TaxGroup:
    category: str
    rate: Decimal
    basis: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    gross: Decimal
    groups: tuple[TaxGroup, ...]


def compute_totals(lines: Iterable[TaxableLine]) -> Totals:
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        key = (line.category, line.rate)
        bases[key] = bases.get(key, ZERO) + line.net
    groups = tuple(
        TaxGroup(category, rate, basis, round_money(basis * rate / 100))
        for (category, rate), basis in sorted(bases.items())
    )
    net = sum((g.basis for g in groups), ZERO)
    tax = sum((g.amount for g in groups), ZERO)
    return Totals(net=net, tax=tax, gross=net + tax, groups=groups)


def line_category(vat_treatment: str, article_category: str) -> str:
    """The VAT category of a line for the account's VAT treatment."""
    if vat_treatment == "reverse_charge":
        return "AE"
    if vat_treatment == "not_taxable":
        return "O"
    return article_category
