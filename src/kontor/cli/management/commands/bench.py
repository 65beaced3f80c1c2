"""`kontor bench billing --accounts N [--accounts M …] [--database-url URL]`: the billing
benchmark (bench/billing_run.py) from a source checkout.

It never touches the configured database: every measurement runs on a fresh benchmark
database — an SQLite file under /tmp, or a PostgreSQL database whose name contains
"bench" (dropped and created), given with `--database-url`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser

CHECKOUT = Path(__file__).resolve().parents[5]


class Command(BaseCommand):
    help = "Benchmarks (not tests): `kontor bench billing --accounts 10000`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("suite", choices=["billing"], help="what to measure")
        parser.add_argument(
            "--accounts",
            type=int,
            action="append",
            help="number of accounts (repeat for several sizes; default 10000)",
        )
        parser.add_argument(
            "--database-url",
            default="",
            help="postgres://…/kontor_bench for PostgreSQL (the database name must contain "
            "'bench'; it is dropped and created); default: an SQLite file under /tmp",
        )
        parser.add_argument("--json", help="where to write the figures as JSON")
        parser.add_argument("--profile", help="write cProfile stats to PREFIX-….prof")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (CHECKOUT / "bench" / "billing_run.py").exists():
            raise CommandError("The benchmarks need a source checkout (bench/ next to src/).")
        sys.path.insert(0, str(CHECKOUT))
        from bench.billing_run import DEFAULT_PG, RESULTS, run_benchmark

        url = options["database_url"]
        backend = "postgresql" if urlsplit(url).scheme.startswith("postgres") else "sqlite"
        if url and backend == "sqlite":
            raise CommandError("--database-url takes a PostgreSQL URL; SQLite runs in /tmp.")
        run_benchmark(
            options["accounts"] or [10_000],
            [backend],
            pg_url=url or DEFAULT_PG,
            output=Path(options["json"]) if options["json"] else RESULTS,
            profile=options["profile"],
        )
