"""`kontor print-bundle --date 2026-12-01 --as USERNAME [--output FILE]`: one PDF with the
documents of every post delivery due up to that day, for printing; marks them sent."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kontor.core import clock
from kontor.core.errors import KontorError
from kontor.delivery.management import acting_user
from kontor.delivery.services import print_bundle_create


class Command(BaseCommand):
    help = "Write the day's print bundle (post deliveries) as one PDF and mark them sent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", dest="day", help="Print day (YYYY-MM-DD), default today.")
        parser.add_argument(
            "--as", dest="as_user", required=True, help="Username of a manager or clerk."
        )
        parser.add_argument("--output", help="Also write the bundle to this file.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["day"]) if options["day"] else clock.today()
        except ValueError as exc:
            raise CommandError(f"--date: give a date as YYYY-MM-DD ({exc})") from exc
        actor = acting_user(options["as_user"])
        try:
            bundle = print_bundle_create(actor=actor, day=day)
        except KontorError as exc:
            raise CommandError(str(exc)) from exc
        if not bundle.file:
            self.stdout.write(f"nothing to print for {day.isoformat()}")
            return
        if options["output"]:
            with default_storage.open(bundle.file, "rb") as source:
                Path(options["output"]).write_bytes(source.read())
        self.stdout.write(
            f"{bundle.file}: {len(bundle.deliveries)} invoice(s), {bundle.pages} page(s), "
            f"{len(bundle.charges)} postage charge(s)"
        )
