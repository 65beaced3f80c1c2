"""Billing benchmark: a full monthly run with finalization, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.billing_run --accounts 10000 100000 --backend sqlite postgresql

For every backend and size: a fresh database (an SQLite file under /tmp, or the PostgreSQL
database `kontor_bench`, dropped and created), migrated, filled with a synthetic provider
(bench/dataset.py), then two billing runs, each measured in its own fresh process so that
its peak RSS is its own:

* `first`   — 1 June 2026: the first bill of every subscription (setup fees, prorated May
  starts, quarters and years in advance), no history;
* `monthly` — 1 July 2026, after 10 % of the subscriptions changed tariff or were cancelled
  mid-July: a steady-state month with billed history, prorated parts and credits.

Each run is `billing_run_create` + `billing_run_execute` (finalize=True). Mode `inprocess`
(default): the chunks run one after the other in the benchmark process, exactly what
`kontor billing-run --date` does without a broker. Mode `celery`: the chunks are queued to
real Celery workers (bench/workers.py; `--workers` processes, broker `--broker`) and the
run is timed from execute until its status is done. Prints a table and writes the figures
as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/kontor_bench"
RESULTS = ROOT / "var" / "bench" / "billing.json"


# --- orchestration (parent process; no Django here) ---------------------------------------


def database_url(backend: str, accounts: int, pg_url: str) -> str:
    if backend == "sqlite":
        return f"sqlite:////tmp/kontor-bench-{accounts}.sqlite3"
    return pg_url


def fresh_database(url: str) -> None:
    """Drop and create the benchmark database (never the application's own)."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the benchmark database must contain 'bench'")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def step(url: str, *args: str, broker: str = "") -> dict[str, Any]:
    """Run one step in a fresh Python process; its last stdout line is a JSON object. With
    `broker`, the step queues chunks to the benchmark's Celery workers."""
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="kontor.settings")
    env.pop("KONTOR_BROKER_URL", None)  # in-process chunks unless a broker is given
    if broker:
        from bench.workers import QUEUE

        env.update(KONTOR_BROKER_URL=broker, KONTOR_CELERY_QUEUE=QUEUE)
    env.setdefault("KONTOR_DEBUG", "0")
    if not (ROOT / "var" / "secret_key").exists():
        env.setdefault("KONTOR_SECRET_KEY", "kontor-bench-only")  # a throwaway database
    done = subprocess.run(
        [sys.executable, "-m", "bench.billing_run", "--step", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"benchmark step {args} failed ({done.returncode})")
    if done.stderr.strip():
        sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(
    backend: str,
    accounts: int,
    pg_url: str = DEFAULT_PG,
    profile: str | None = None,
    mode: str = "inprocess",
    workers: int = 2,
    broker: str = "",
) -> dict[str, Any]:
    url = database_url(backend, accounts, pg_url)
    fresh_database(url)
    setup = step(url, "setup", str(accounts))
    prefix = f"{profile}-{backend}-{accounts}" if profile else ""

    def run(as_of: str, name: str) -> dict[str, Any]:
        args = ("run", as_of, f"{prefix}-{name}" if prefix else "")
        if mode == "inprocess":
            return step(url, *args)
        from bench.workers import DEFAULT_BROKER, Workers

        with Workers(url, broker or DEFAULT_BROKER, workers) as pool:
            result = step(url, *args, broker=broker or DEFAULT_BROKER)
            result["workers_peak_rss_mb"] = pool.peak_rss_mb()
        return result

    first = run("2026-06-01", "first")
    changes = step(url, "changes")
    monthly = run("2026-07-01", "monthly")
    return {
        "backend": backend,
        "mode": mode if mode == "inprocess" else f"celery x{workers}",
        "accounts": accounts,
        "setup": setup,
        "changes": changes,
        "runs": {"first": first, "monthly": monthly},
    }


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def versions(pg_url: str, backends: list[str]) -> dict[str, str]:
    import sqlite3

    import django

    found = {"django": django.get_version(), "sqlite": sqlite3.sqlite_version}
    if "postgresql" in backends:
        import psycopg

        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres") as conn:
            found["postgresql"] = conn.execute("show server_version").fetchone()[0]
        found["psycopg"] = psycopg.__version__
    return found


def print_table(results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Billing run benchmark (finalize=True)")
    for column in ("backend", "mode", "accounts", "run", "invoices", "charges", "seconds"):
        table.add_column(column, justify="left" if column in {"backend", "mode"} else "right")
    for column in ("accounts/s", "invoices/s", "peak RSS MB"):
        table.add_column(column, justify="right")
    for result in results:
        for name, run in result["runs"].items():
            rss = f"{run['peak_rss_mb']:.0f}"
            if "workers_peak_rss_mb" in run:
                rss += " / " + " / ".join(
                    "+".join(f"{mb:.0f}" for mb in w["processes_mb"])
                    for w in run["workers_peak_rss_mb"]
                )
            table.add_row(
                result["backend"],
                result.get("mode", "inprocess"),
                f"{result['accounts']:,}",
                name,
                f"{run['invoices']:,}",
                f"{run['charges']:,}",
                f"{run['seconds']:.1f}",
                f"{run['accounts_per_s']:,.0f}",
                f"{run['invoices_per_s']:,.0f}",
                rss,
            )
    Console(width=140).print(table)


def run_benchmark(
    accounts: list[int],
    backends: list[str],
    *,
    pg_url: str = DEFAULT_PG,
    output: Path = RESULTS,
    profile: str | None = None,
    modes: tuple[str, ...] = ("inprocess",),
    workers: int = 2,
    broker: str = "",
) -> list[dict[str, Any]]:
    results = []
    for backend in backends:
        for count in accounts:
            for mode in modes:
                started = time.monotonic()
                print(f"{backend}, {mode}, {count:,} accounts …", file=sys.stderr, flush=True)
                results.append(measure(backend, count, pg_url, profile, mode, workers, broker))
                print(f"  done in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print_table(results)
    output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(pg_url, backends),
        "results": results,
    }
    output.write_text(json.dumps(document, indent=2) + "\n")
    print(f"results written to {output}", file=sys.stderr)
    return results


# --- steps (child processes with Django) ---------------------------------------------------


def _django() -> None:
    import django

    django.setup()


def step_setup(accounts: int) -> dict[str, Any]:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    migrated = time.monotonic()
    from bench import dataset

    counts = dataset.build(accounts)
    analyze()
    return {
        "migrate_s": round(migrated - started, 1),
        "build_s": round(time.monotonic() - migrated, 1),
        **counts,
    }


def step_changes() -> dict[str, Any]:
    from bench import dataset

    started = time.monotonic()
    counts = dataset.apply_changes()
    analyze()
    return {"seconds": round(time.monotonic() - started, 1), **counts}


def analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum gives them a production
    database (PostgreSQL plans on stale row counts otherwise: sequential scans of a table
    it believes empty). SQLite plans from its indexes without statistics."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def step_run(as_of: date, profile: str | None) -> dict[str, Any]:
    import resource

    from django.db import connection

    from bench import dataset
    from kontor.billing.runs import billing_run_create, billing_run_execute

    actor = dataset.actor()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    load = os.getloadavg()[0]  # the machine is shared: what else was running
    started = time.perf_counter()
    run = billing_run_create(actor=actor, as_of=as_of)
    run = billing_run_execute(actor=actor, run_id=run.pk)
    deadline = time.monotonic() + 3600
    while run.status != "done":  # chunks queued to Celery workers: wait for them
        if time.monotonic() > deadline:
            raise SystemExit(f"run {run.pk} not done after an hour; see the worker logs")
        time.sleep(0.05)
        run.refresh_from_db()
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{profile}.prof")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    failed = run.entries.filter(kind="failed").count()
    return {
        "as_of": as_of.isoformat(),
        "vendor": connection.vendor,
        "status": run.status,
        "accounts": run.accounts_done,
        "charges": run.charges_created,
        "invoices": run.invoices_finalized,
        "failed": failed,
        "seconds": round(seconds, 2),
        "accounts_per_s": round(run.accounts_done / seconds, 1),
        "invoices_per_s": round(run.invoices_finalized / seconds, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "load_before": round(load, 2),
    }


def child(args: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    _django()
    name, *rest = args
    if name == "setup":
        result = step_setup(int(rest[0]))
    elif name == "changes":
        result = step_changes()
    elif name == "run":
        result = step_run(date.fromisoformat(rest[0]), rest[1] or None)
    else:
        raise SystemExit(f"unknown step {name}")
    print(json.dumps(result))


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--step"]:
        child(argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[10_000])
    parser.add_argument(
        "--backend", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"]
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="database name must contain 'bench'")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the figures")
    parser.add_argument("--profile", help="write cProfile stats to PREFIX-<backend>-<n>-<run>.prof")
    parser.add_argument(
        "--mode", nargs="+", choices=["inprocess", "celery"], default=["inprocess"],
        help="celery: chunks run by real Celery workers (bench/workers.py)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--broker", default="", help="default redis://127.0.0.1:6379/0")
    options = parser.parse_args(argv)
    run_benchmark(
        options.accounts,
        options.backend,
        pg_url=options.pg_url,
        output=options.json,
        profile=options.profile,
        modes=tuple(options.mode),
        workers=options.workers,
        broker=options.broker,
    )


if __name__ == "__main__":
    main()
