"""The safety-bound refusal reads in the user's language, with local dates."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from kontor.billing.engine import Refusal
from kontor.billing.runs import refusal_message


def test_safety_bound_refusal_is_translated() -> None:
    refusal = Refusal(7, "61 billing periods due ...", 61, date(2021, 3, 1), date(2026, 3, 1), 24)
    with translation.override("de"):
        german = refusal_message(refusal)
    with translation.override("en"):
        english = refusal_message(refusal)
    assert german.startswith("61 Abrechnungszeiträume sind erstmals fällig (01.03.2021 bis")
    assert "mehr als die 24 je Lauf erlaubten" in german
    assert english.startswith("61 billing periods are due for the first time")


def test_other_refusals_keep_the_engine_text() -> None:
    refusal = Refusal(7, "timing must be 'advance' or 'arrears', got 'x'", 0)
    assert refusal_message(refusal) == refusal.reason
