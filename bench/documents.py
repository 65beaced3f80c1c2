"""Documents benchmark: render, validate and archive the Factur-X PDFs of N invoices.

    .venv/bin/python -m bench.documents --invoices 200 --processes 1 2 [--database postgresql]

Setup (its own process): a fresh database (SQLite under /tmp, or the PostgreSQL database
`kontor_bench_documents`, dropped and created), migrated, N accounts from
bench/dataset.py, a complete seller profile (as tests/documents/world.py's `seller()`), and
one billing run with finalization (1 June 2026): N finalized invoices, one per account.

Then, per process count P, the documents are deleted and `invoice_documents_render` is called
for every invoice: the e-invoice XML is built, validated (XSD + EN 16931 schematron with
saxonche), rendered into a PDF/A-3b with the XML embedded (Typst) and archived (file +
`Document` row + audit entry). P = 1 runs in one fresh process; P > 1 uses a
`multiprocessing` pool of P spawned processes, each rendering every P-th invoice. The compile
caches (schematron, Typst) are per process, so every process warms up first by rendering one
invoice in memory; the warm-up is timed apart. Prints a table and writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SQLITE_URL = "sqlite:////tmp/kontor-bench-documents.sqlite3"
PG_URL = "postgres://postgres@127.0.0.1:5432/kontor_bench_documents"
DATABASE_URL = SQLITE_URL
MEDIA = Path("/tmp/kontor-bench-documents-media")
RESULTS = ROOT / "var" / "bench" / "documents.json"
PHASES = ("data", "xml", "validation", "pdf", "archive")
SELLER = dict(
    name="Beispiel Hosting GmbH",
    street="Hafenstraße 12",
    postal_code="20457",
    city="Hamburg",
    vat_id="DE123456789",
    email="rechnung@beispiel.example",
    phone="+49 40 1234567-0",
    bank_name="Hamburger Sparkasse",
    iban="DE02200505501015871393",
    bic="HASPDEHHXXX",
    creditor_id="DE98ZZZ09999999999",
    register="HRB 123456",
)


# --- orchestration (parent process; no Django here) ---------------------------------------


def environment() -> dict[str, str]:
    env = dict(
        os.environ,
        DATABASE_URL=DATABASE_URL,
        KONTOR_MEDIA_ROOT=str(MEDIA),
        DJANGO_SETTINGS_MODULE="kontor.settings",
    )
    env.pop("KONTOR_BROKER_URL", None)
    env.pop("KONTOR_DOCUMENT_TEMPLATES", None)  # the built-in template
    env.setdefault("KONTOR_DEBUG", "0")
    if not (ROOT / "var" / "secret_key").exists():
        env.setdefault("KONTOR_SECRET_KEY", "kontor-bench-only")
    return env


def step(*args: str) -> dict[str, Any]:
    """Run one step in a fresh Python process; its last stdout line is a JSON object."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.documents", "--step", *args],
        cwd=ROOT,
        env=environment(),
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


def fresh_database() -> None:
    from bench.billing_run import fresh_database as drop_and_create

    drop_and_create(DATABASE_URL)
    shutil.rmtree(MEDIA, ignore_errors=True)


def print_table(invoices: int, runs: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Documents benchmark: {invoices} Factur-X invoices ({backend()})")
    columns = ("processes", "documents", "warm-up s", "render s", "wall s", "docs/s")
    columns += ("docs/s per process", "wall docs/s", *(f"{p} ms" for p in (*PHASES, "other")))
    for column in (*columns, "CPU ms", "peak RSS MB", "load"):
        table.add_column(column, justify="right")
    for run in runs:
        table.add_row(
            str(run["processes"]),
            str(run["documents"]),
            " / ".join(f"{w['warmup_s']:.1f}" for w in run["workers"]),
            f"{run['render_s']:.1f}",
            f"{run['wall_s']:.1f}",
            f"{run['docs_per_s']:.1f}",
            f"{run['docs_per_s_per_process']:.1f}",
            f"{run['wall_docs_per_s']:.1f}",
            *(f"{run['ms_per_invoice'][p]:.1f}" for p in (*PHASES, "other")),
            f"{run['cpu_ms_per_invoice']:.1f}",
            " / ".join(f"{w['peak_rss_mb']:.0f}" for w in run["workers"]),
            f"{run['load_before']:.1f} → {run['load_after']:.1f}",
        )
    Console(width=200).print(table)


def run_benchmark(
    invoices: int, processes: list[int], output: Path = RESULTS, repeat: int = 1
) -> dict[str, Any]:
    from bench.billing_run import machine

    fresh_database()
    print(f"setup: {invoices} invoices on {backend()} …", file=sys.stderr, flush=True)
    setup = step("setup", str(invoices))
    runs = []
    for round_number in range(repeat):  # rounds alternate the process counts
        for count in processes:
            print(f"round {round_number + 1}: {count} process(es) …", file=sys.stderr, flush=True)
            shutil.rmtree(MEDIA, ignore_errors=True)
            runs.append(step("render", str(count)))
    print_table(setup["invoices"], runs)
    document = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "backend": backend(),
        "setup": setup,
        "runs": runs,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2) + "\n")
    print(f"results written to {output}", file=sys.stderr)
    return document


def backend() -> str:
    return "sqlite" if DATABASE_URL.startswith("sqlite") else "postgresql"


def versions() -> dict[str, str]:
    from importlib.metadata import version

    packages = ("django", "typst", "saxonche", "lxml", "factur-x", "pypdf")
    return {name: version(name) for name in packages}


# --- steps (child processes with Django) ---------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def step_setup(invoices: int) -> dict[str, Any]:
    from django.core.management import call_command

    from bench import dataset
    from kontor.billing.models import SellerProfile
    from kontor.billing.runs import billing_run_create, billing_run_execute
    from kontor.invoicing.models import Invoice, InvoiceLine

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    dataset.build(invoices)
    SellerProfile.objects.filter(pk=1).update(**SELLER)
    actor = dataset.actor()
    run = billing_run_create(actor=actor, as_of=dataset.FIRST_RUN)
    run = billing_run_execute(actor=actor, run_id=run.pk)
    finalized = Invoice.objects.exclude(number="").count()
    lines = InvoiceLine.objects.filter(invoice__in=Invoice.objects.exclude(number="")).count()
    return {
        "seconds": round(time.monotonic() - started, 1),
        "accounts": invoices,
        "invoices": finalized,
        "lines": lines,
        "run_status": run.status,
    }


def step_render(processes: int) -> dict[str, Any]:
    import multiprocessing

    from kontor.documents.models import Document
    from kontor.invoicing.models import Invoice

    Document.objects.all().delete()  # every mode renders from scratch
    ids = list(Invoice.objects.exclude(number="").order_by("pk").values_list("pk", flat=True))
    load = os.getloadavg()[0]
    started = time.perf_counter()
    if processes == 1:
        workers = [render_slice(ids)]
    else:
        from django.db import connections

        connections.close_all()
        context = multiprocessing.get_context("spawn")
        with context.Pool(processes, initializer=_django) as pool:
            workers = pool.map(render_slice, [ids[n::processes] for n in range(processes)])
    wall = time.perf_counter() - started
    return summary(processes, ids, workers, wall, (load, os.getloadavg()[0]))


def summary(
    processes: int,
    ids: list[int],
    workers: list[dict[str, Any]],
    wall: float,
    load: tuple[float, float],
) -> dict[str, Any]:
    from kontor.documents.models import Document

    documents = Document.objects.filter(invoice_id__in=ids, version=1).count()
    render_s = max(w["render_s"] for w in workers)  # the slowest process ends the run
    totals = {p: sum(w["phases_s"][p] for w in workers) for p in PHASES}
    totals["other"] = sum(w["render_s"] for w in workers) - sum(totals.values())
    return {
        "processes": processes,
        "invoices": len(ids),
        "documents": documents,
        "render_s": round(render_s, 2),
        "wall_s": round(wall, 2),
        "docs_per_s": round(documents / render_s, 1),
        "docs_per_s_per_process": round(documents / render_s / processes, 1),
        "wall_docs_per_s": round(documents / wall, 1),
        "ms_per_invoice": {p: round(1000 * t / len(ids), 2) for p, t in totals.items()},
        "cpu_ms_per_invoice": round(1000 * sum(w["cpu_s"] for w in workers) / len(ids), 1),
        "load_before": round(load[0], 2),
        "load_after": round(load[1], 2),
        "workers": workers,
    }


def render_slice(ids: list[int]) -> dict[str, Any]:
    """Warm the per-process caches on one invoice (in memory), then render and archive the
    documents of `ids`; the time of each phase is added up by wrapping its function."""
    import resource

    from kontor.documents import render, services

    phases = dict.fromkeys(PHASES, 0.0)
    started = time.perf_counter()
    data = services.document_data(ids[0])
    render.render_documents(data, render.kinds_for(data))  # compiles schematron and Typst
    warmup = time.perf_counter() - started
    with timed(phases):
        cpu_started, started = cpu_seconds(), time.perf_counter()
        for invoice_id in ids:
            services.invoice_documents_render(invoice_id)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    return {
        "pid": os.getpid(),
        "invoices": len(ids),
        "warmup_s": round(warmup, 2),
        "render_s": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "phases_s": {p: round(v, 3) for p, v in phases.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def cpu_seconds() -> float:
    """User + system CPU time of this process, every thread (Typst and Saxon have their own)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class timed:  # noqa: N801 - used like a function
    """Wrap the pipeline's functions where they are looked up and add up their times."""

    def __init__(self, phases: dict[str, float]) -> None:
        from kontor.documents import render, services

        self.phases = phases
        self.targets = [
            (services, "document_data", "data"),
            (render, "build_cii", "xml"),
            (render, "validate_cii", "validation"),
            (render, "render_pdf", "pdf"),
            (services, "_archive", "archive"),
        ]
        self.originals: list[tuple[Any, str, Callable[..., Any]]] = []

    def __enter__(self) -> timed:
        for module, name, phase in self.targets:
            original = getattr(module, name)
            self.originals.append((module, name, original))
            setattr(module, name, self._wrap(original, phase))
        return self

    def __exit__(self, *exc: object) -> None:
        for module, name, original in self.originals:
            setattr(module, name, original)

    def _wrap(self, function: Callable[..., Any], phase: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.phases[phase] += time.perf_counter() - started

        return wrapper


def child(args: list[str]) -> None:
    _django()
    name, *rest = args
    if name == "setup":
        result = step_setup(int(rest[0]))
    elif name == "render":
        result = step_render(int(rest[0]))
    else:
        raise SystemExit(f"unknown step {name}")
    print(json.dumps(result))


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--step"]:
        child(argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the figures")
    parser.add_argument(
        "--database",
        default="sqlite",
        help=f"sqlite (default), postgresql ({PG_URL}) or a PostgreSQL URL whose name has 'bench'",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="render rounds (the machine may be shared)"
    )
    options = parser.parse_args(argv)
    global DATABASE_URL  # noqa: PLW0603 - read by environment() for every step
    DATABASE_URL = {"sqlite": SQLITE_URL, "postgresql": PG_URL}.get(
        options.database, options.database
    )
    run_benchmark(options.invoices, options.processes, options.json, options.repeat)


if __name__ == "__main__":
    main()
