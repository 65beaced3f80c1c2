"""EN 16931 tax rules: VAT per rate on the sum of line nets; totals from rounded parts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontor.invoicing.taxes import TaxableLine, compute_totals, line_category

D = Decimal


def test_vat_is_computed_on_the_sum_of_line_nets_not_per_line():
    # per line: 0.03 × 19 % = 0.0057 → 0.01 each, 0.03 in all;
    # on the sum: 0.09 × 19 % = 0.0171 → 0.02
    totals = compute_totals([TaxableLine("S", D("19.00"), D("0.03"))] * 3)
    assert (totals.net, totals.tax, totals.gross) == (D("0.09"), D("0.02"), D("0.11"))


def test_two_rates_give_two_groups_and_totals_from_rounded_parts():
    totals = compute_totals([
        TaxableLine("S", D("19.00"), D("12.90")),
        TaxableLine("AA", D("7.00"), D("4.99")),
        TaxableLine("S", D("19.00"), D("0.15")),
    ])
    assert [(g.category, g.rate, g.basis, g.amount) for g in totals.groups] == [
        ("AA", D("7.00"), D("4.99"), D("0.35")),
        ("S", D("19.00"), D("13.05"), D("2.48")),
    ]
    assert (totals.net, totals.tax, totals.gross) == (D("18.04"), D("2.83"), D("20.87"))


@pytest.mark.parametrize(("treatment", "article", "expected"), [
    ("domestic", "S", "S"), ("domestic", "AA", "AA"),
    ("reverse_charge", "S", "AE"), ("not_taxable", "S", "O"),
])
def test_line_category_follows_the_accounts_vat_treatment(treatment, article, expected):
    assert line_category(treatment, article) == expected


cents = st.integers(min_value=-10_000_00, max_value=10_000_00).map(lambda c: D(c) / 100)
rates = st.sampled_from([D("0.00"), D("7.00"), D("19.00"), D("25.00")])


@given(st.lists(st.tuples(rates, cents), min_size=1, max_size=30))
def test_totals_invariants(items):
    lines = [TaxableLine("S" if rate else "Z", rate, net) for rate, net in items]
    totals = compute_totals(lines)
    assert totals.net == sum((line.net for line in lines), D("0.00"))
    assert totals.net + totals.tax == totals.gross
    assert totals.tax == sum((g.amount for g in totals.groups), D("0.00"))
    negated = compute_totals([TaxableLine(x.category, x.rate, -x.net) for x in lines])
    assert (negated.net + totals.net, negated.tax + totals.tax, negated.gross + totals.gross) == (
        0, 0, 0)
