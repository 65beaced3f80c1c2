"""`kontor import-schema [--markdown] [--output FILE]`: the JSON Schema of the import format,
generated from the pydantic models (committed as docs/import-format.schema.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kontor.exchange.reference import field_reference_markdown
from kontor.exchange.schema import json_schema_text


class Command(BaseCommand):
    help = "Print (or write) the JSON Schema of the kontor/v1 import format."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="File to write; default: standard output.")
        parser.add_argument(
            "--markdown",
            action="store_true",
            help="Print the field reference of docs/import-format.md instead.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = field_reference_markdown() if options["markdown"] else json_schema_text()
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
