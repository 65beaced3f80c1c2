"""`kontor load FILE.json --as USERNAME`: load an import file (kontor/v1), all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kontor.core.errors import KontorError
from kontor.exchange.loader import data_import


class Command(BaseCommand):
    help = "Load catalog, customer groups, branches and accounts from a kontor/v1 JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The JSON file (see docs/import-format.md).")
        parser.add_argument(
            "--as", dest="as_user", required=True, help="Username of the acting manager."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and roll back; nothing is kept."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = acting_user(options["as_user"])
        payload = read_json(options["path"])
        try:
            report = data_import(actor=actor, payload=payload, dry_run=options["dry_run"])
        except KontorError as exc:
            for error in exc.errors:
                self.stderr.write(f"{error.field or '(file)'}: {error.message}")
            raise CommandError(
                f"Nothing was imported: {len(exc.errors)} problem(s).", returncode=1
            ) from exc
        verb = "Would import" if report.dry_run else "Imported"
        summary = ", ".join(f"{count} {name}" for name, count in report.counts.items() if count)
        self.stdout.write(f"{verb}: {summary or 'nothing'}.")


def acting_user(username: str) -> Any:
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"No user {username!r}.", returncode=1) from exc


def read_json(path: str) -> Any:
    try:
        with Path(path).open(encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}", returncode=1) from exc
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}",
            returncode=1,
        ) from exc
