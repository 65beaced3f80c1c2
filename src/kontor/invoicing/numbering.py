"""Number series: invoices, credit notes and test accounts each get their own gapless series,
optionally one per branch. Numbers are taken at finalization, in the finalizing
transaction, under the series counter's row lock."""

from __future__ import annotations

from datetime import date

from kontor.billing.models import BillingSettings
from kontor.core.sequences import format_number, sequence_take
from kontor.invoicing.models import InvoiceKind, NumberSeries


def series_for(
    kind: str, *, is_test: bool, branch_code: str, settings: BillingSettings
) -> NumberSeries:
    if is_test:
        code, fmt = "TEST", settings.test_number_format
    elif kind == InvoiceKind.CREDIT_NOTE:
        code, fmt = "GS", settings.credit_note_number_format
    else:
        code, fmt = "RE", settings.invoice_number_format
    if settings.numbers_per_branch and branch_code and not is_test:
        code = f"{code}-{branch_code}"
    series, _created = NumberSeries.objects.get_or_create(
        code=code, defaults={"name": code, "format": fmt}
    )
    return series


def take_numbers(series: NumberSeries, issue_date: date, count: int) -> list[str]:
    """`count` consecutive numbers of the series for documents issued on `issue_date`."""
    yearly = "{year" in series.format
    counter = f"invoice:{series.code}:{issue_date.year}" if yearly else f"invoice:{series.code}"
    branch = series.code.split("-", 1)[1] if "-" in series.code else ""
    return [
        format_number(series.format, value, year=issue_date.year, branch=branch)
        for value in sequence_take(counter, count)
    ]
