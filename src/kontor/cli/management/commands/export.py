"""`kontor export accounts --format json [--output FILE] --as USERNAME` and
`kontor export invoices --format json [--from DATE --to DATE] [--output FILE] --as USERNAME`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kontor.cli.management.commands.load import acting_user
from kontor.core.errors import KontorError
from kontor.exchange.exporter import accounts_export
from kontor.invoicing.export import invoices_export


class Command(BaseCommand):
    help = (
        "Export accounts (catalog, customer groups, branches and accounts in the import "
        "format) or finalized invoices (kontor-invoices/v1, docs/export-format.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["accounts", "invoices"], help="What to export.")
        parser.add_argument("--format", dest="fmt", choices=["json"], default="json")
        parser.add_argument("--output", help="File to write; default: standard output.")
        parser.add_argument(
            "--from", dest="date_from", help="invoices: first issue date (YYYY-MM-DD)."
        )
        parser.add_argument("--to", dest="date_to", help="invoices: last issue date (YYYY-MM-DD).")
        parser.add_argument(
            "--as", dest="as_user", required=True, help="Username of a manager or accountant."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = acting_user(options["as_user"])
        try:
            if options["what"] == "invoices":
                data = invoices_export(
                    actor=actor,
                    date_from=parse_day("--from", options["date_from"]),
                    date_to=parse_day("--to", options["date_to"]),
                )
                count, noun = data["count"], "invoice(s)"
            else:
                data = accounts_export(actor=actor)
                count, noun = len(data["accounts"]), "account(s)"
        except KontorError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"{count} {noun} written to {options['output']}.")
        else:
            self.stdout.write(text, ending="")


def parse_day(option: str, value: str | None) -> date | None:
    """An ISO date from the command line; a bad one ends the command with exit code 1."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            f"{option}: {value!r} is not a date; use YYYY-MM-DD, e.g. 2026-12-01.", returncode=1
        ) from exc
