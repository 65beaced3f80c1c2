"""`kontor export accounts --format json [--output FILE] --as USERNAME`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kontor.cli.management.commands.load import acting_user
from kontor.core.errors import KontorError
from kontor.exchange.exporter import accounts_export


class Command(BaseCommand):
    help = "Export catalog, customer groups, branches and accounts in the import format."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["accounts"], help="What to export.")
        parser.add_argument("--format", dest="fmt", choices=["json"], default="json")
        parser.add_argument("--output", help="File to write; default: standard output.")
        parser.add_argument(
            "--as", dest="as_user", required=True, help="Username of a manager or accountant."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = acting_user(options["as_user"])
        try:
            data = accounts_export(actor=actor)
        except KontorError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"{len(data['accounts'])} account(s) written to {options['output']}.")
        else:
            self.stdout.write(text, ending="")
