"""`kontor billing-run --date 2026-12-01 --as USERNAME [--preview] [--no-finalize]` and
`kontor billing-run --run ID --as USERNAME` (resume a run)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kontor.billing.models import BillingRun
from kontor.billing.run_start import billing_run_start
from kontor.billing.runs import billing_run_execute
from kontor.billing.selectors import billing_run_entries
from kontor.cli.management.commands.export import parse_day
from kontor.cli.management.commands.load import acting_user
from kontor.core.errors import KontorError


class Command(BaseCommand):
    help = "Bill every account up to a date (or preview what would be billed, or resume a run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", dest="as_of", help="Billing date (YYYY-MM-DD).")
        parser.add_argument("--run", dest="run_id", type=int, help="Resume this billing run.")
        parser.add_argument(
            "--preview", action="store_true", help="Only show what would be billed."
        )
        parser.add_argument(
            "--no-finalize",
            dest="finalize",
            action="store_false",
            help="Leave the invoices as drafts (no numbers yet).",
        )
        parser.add_argument(
            "--as", dest="as_user", required=True, help="Username of a manager or clerk."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["as_of"]) == bool(options["run_id"]):
            raise CommandError("Give either --date (a new run) or --run ID (resume).", returncode=1)
        actor = acting_user(options["as_user"])
        as_of = parse_day("--date", options["as_of"])
        console = Console(file=self.stdout, width=120)
        try:
            if options["preview"]:
                assert as_of is not None
                run = billing_run_start(
                    actor=actor, as_of=as_of, preview=True, finalize=options["finalize"]
                )
                print_preview(console, run)
                return
            with billing_progress(console) as advance:
                if options["run_id"]:
                    run = billing_run_execute(
                        actor=actor, run_id=options["run_id"], progress=advance
                    )
                else:
                    assert as_of is not None
                    run = billing_run_start(
                        actor=actor, as_of=as_of, finalize=options["finalize"], progress=advance
                    )
            print_report(console, run, list(billing_run_entries(actor, run.pk)))
        except KontorError as exc:
            raise CommandError(str(exc), returncode=1) from exc


@contextmanager
def billing_progress(console: Console) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar (accounts done of accounts total) and the callback that moves it."""
    progress = Progress(
        TextColumn("[bold]Billing accounts"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    task = progress.add_task("billing", total=None)
    with progress:
        yield lambda done, total: progress.update(task, completed=done, total=total)


def print_preview(console: Console, run: BillingRun) -> None:
    report = run.report
    console.print(f"Preview of billing run {run.pk} for {run.as_of.isoformat()} (nothing billed)")
    table = Table("account", "lines", "net", title="Would be billed")
    for row in report.get("per_account", []):
        table.add_row(row["account"], str(row["lines"]), row["net"])
    table.add_section()
    table.add_row(
        f"{report.get('accounts', 0)} account(s)",
        str(report.get("lines", 0)),
        report.get("net_total", "0"),
    )
    console.print(table)
    refused = report.get("refused", [])
    if refused:
        refusals = Table("subscription", "reason", title="Refused (safety bound)")
        for item in refused:
            refusals.add_row(str(item["subscription"]), item["reason"])
        console.print(refusals)
    console.print(f"Refusals: {len(refused)}")


def print_report(console: Console, run: BillingRun, entries: list[Any]) -> None:
    console.print(
        f"Billing run {run.pk} for {run.as_of.isoformat()}: {run.status}, "
        f"{run.accounts_done}/{run.accounts_total} account(s)"
    )
    summary = Table("charges", "invoices", "finalized", title="Billed")
    summary.add_row(
        str(run.charges_created), str(run.invoices_created), str(run.invoices_finalized)
    )
    console.print(summary)
    for kind, title in (("refused", "Refused (safety bound)"), ("failed", "Failed")):
        rows = [entry for entry in entries if entry.kind == kind]
        if not rows:
            continue
        table = Table("account", "subscription", "reason", title=title)
        for entry in rows:
            table.add_row(
                entry.account.customer_number,
                str(entry.subscription_id_ref or "—"),
                entry.message,
            )
        console.print(table)
    refused = sum(1 for e in entries if e.kind == "refused")
    failed = sum(1 for e in entries if e.kind == "failed")
    console.print(f"Refused: {refused}, failed: {failed}")
