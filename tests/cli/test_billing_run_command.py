"""`kontor billing-run`: preview table, execution with progress and report, resume, errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kontor.billing.charges import charge_create
from kontor.billing.models import BillingRun, BillingSettings, Charge, RunStatus
from kontor.billing.run_start import billing_run_start
from kontor.catalog.models import TaxCategory
from kontor.invoicing.models import Invoice
from tests.billing_world import AS_OF, billing_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(manager, clerk, accountant):
    return billing_world(manager)


def run_command(*args: str, as_user: str = "manager") -> str:
    """Run the command with English messages (German is the default language)."""
    out = StringIO()
    with translation.override("en"):
        call_command("billing_run", *args, as_user=as_user, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_preview_prints_what_would_be_billed_and_bills_nothing(world):
    output = run_command("--date", "2026-12-01", "--preview")

    run = BillingRun.objects.get()
    assert f"Preview of billing run {run.pk} for 2026-12-01 (nothing billed)" in output
    rows = [line.split("│")[1:4] for line in output.splitlines() if "K-0000" in line]
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["K-00001", "2", "25.80"],
        ["K-00002", "2", "30.00"],
    ]
    assert "2 account(s)" in output
    assert "55.80" in output
    assert "Refusals: 0" in output
    assert Charge.objects.count() == 0
    assert Invoice.objects.count() == 0
    assert BillingRun.objects.get().status == RunStatus.PREVIEW


def test_execute_bills_shows_progress_and_reports_counts(world):
    output = run_command("--date", "2026-12-01")

    assert "Billing accounts" in output
    assert "2/2" in output
    run = BillingRun.objects.get()
    assert f"Billing run {run.pk} for 2026-12-01: done, 2/2 account(s)" in output
    summary = next(line for line in output.splitlines() if line.count("│") == 4)
    assert [cell.strip() for cell in summary.split("│")[1:4]] == ["4", "2", "2"]
    assert "Refused: 0, failed: 0" in output
    assert sorted(Invoice.objects.values_list("number", "gross_total")) == [
        ("RE-2026-000001", Decimal("30.70")),
        ("RE-2026-000002", Decimal("35.70")),
    ]


def test_no_finalize_leaves_drafts_without_numbers(world):
    output = run_command("--date", "2026-12-01", "--no-finalize")

    summary = next(line for line in output.splitlines() if line.count("│") == 4)
    assert [cell.strip() for cell in summary.split("│")[1:4]] == ["4", "2", "0"]
    assert list(Invoice.objects.values_list("status", "number")) == [("draft", None)] * 2


def test_report_lists_refused_subscriptions_with_the_reason(world):
    settings = BillingSettings.load()
    settings.max_periods_per_run = 1
    settings.save()

    output = run_command("--date", "2026-12-01")

    assert "Refused (safety bound)" in output
    assert "2 Abrechnungszeiträume sind erstmals fällig" in output  # the provider's language
    assert "Refused: 2, failed: 0" in output
    assert Charge.objects.count() == 0


def test_report_lists_failed_accounts_and_bills_the_others(world):
    no_rate = TaxCategory.objects.create(code="X", name="without a rate")
    charge_create(
        actor=world.manager,
        account_id=world.muster.pk,
        description="Setup",
        unit_price="50.00",
        tax_category_id=no_rate.pk,
        service_date=date(2026, 11, 20),
    )

    output = run_command("--date", "2026-12-01")

    assert "Failed" in output
    failed = next(line for line in output.splitlines() if "K-00001" in line)
    assert f"no VAT rate for tax category {no_rate.pk}" in failed
    assert "Refused: 0, failed: 1" in output
    assert list(Invoice.objects.values_list("account__customer_number", flat=True)) == ["K-00002"]


def test_resume_executes_an_existing_run(world):
    run = billing_run_start(actor=world.manager, as_of=AS_OF, execute=False)

    output = run_command("--run", str(run.pk))

    assert f"Billing run {run.pk} for 2026-12-01: done, 2/2 account(s)" in output
    assert Invoice.objects.count() == 2


def test_resuming_a_done_run_exits_1(world):
    run_command("--date", "2026-12-01")

    with pytest.raises(CommandError, match="This run is done") as caught:
        run_command("--run", str(BillingRun.objects.get().pk))

    assert caught.value.returncode == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-13-01"], "--date: '2026-13-01' is not a date; use YYYY-MM-DD"),
        (["--date", "tomorrow", "--preview"], "--date: 'tomorrow' is not a date"),
        ([], "Give either --date (a new run) or --run ID (resume)."),
        (["--date", "2026-12-01", "--run", "7"], "Give either --date"),
        (["--run", "999999"], "Billing run 999999 does not exist."),
    ],
)
def test_bad_input_exits_1_and_writes_nothing(world, args, message):
    with pytest.raises(CommandError) as caught:
        run_command(*args)

    assert caught.value.returncode == 1
    assert message in str(caught.value)
    assert BillingRun.objects.count() == 0
    assert Charge.objects.count() == 0


def test_accountant_may_not_bill(world):
    with pytest.raises(CommandError, match=r"\(billing_run\.start\)") as caught:
        run_command("--date", "2026-12-01", as_user="accountant")

    assert caught.value.returncode == 1
    assert BillingRun.objects.count() == 0


def test_clerk_may_bill(world):
    run_command("--date", "2026-12-01", as_user="clerk")

    assert Invoice.objects.count() == 2
