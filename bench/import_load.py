"""Import benchmark: `data_import` (what `kontor load` runs) of a kontor/v1 file of N accounts.

    .venv/bin/python -m bench.import_load --accounts 2000 --database sqlite postgresql --repeat 3

The file is generated here (deterministic, `generate(N)`): the catalog of
docs/examples/import-example.json grown to four modules and eight tariffs, four customer
groups, three branches and N accounts — companies and persons, 1–3 subscriptions each (some
cancelled, some with a fixed end, some billed until a day, some with a deviating price),
add-ons on the tariffs that have them, a bank account with an active mandate for every SEPA
payer (some with an older account and a revoked or expired mandate), billing addresses,
recipients, VAT IDs, reverse charge for Austrian companies, given and generated customer
numbers.

Per round, database and source: a fresh database (SQLite under /tmp, or the PostgreSQL
database `kontor_bench_import`, dropped and created), migrated, a manager user and the
billing setting "deviating price changeable" (setup, its own process); then the import in a
fresh process, timed: reading the JSON, checking the file, writing through the services (one
transaction). Prints a table and writes the figures as JSON (default var/bench/import.json).

To compare versions, name other copies of `src/`: `--src before=/tmp/kontor-before/src`
(`current` is this tree). Rounds alternate the sources, so a noisy machine hits both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SQLITE_URL = "sqlite:////tmp/kontor-bench-import.sqlite3"
PG_URL = "postgres://postgres@127.0.0.1:5432/kontor_bench_import"
RESULTS = ROOT / "var" / "bench" / "import.json"
MANAGER = "bench-manager"
EXAMPLE = ROOT / "docs" / "examples" / "import-example.json"

# German bank codes schwifty knows (so the BIC is derived from the IBAN, as for most payers).
BANK_CODES = ("37040044", "10050000", "20050550", "50010517", "70150000", "76010085")
GROUPS = ("Wiederverkäufer", "Direktkunden", "Agenturen", "Öffentliche Hand")
BRANCHES = (("HH", "Hamburg"), ("B", "Berlin"), ("M", "München"))
CITIES = (("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "München"), ("50667", "Köln"))
# tariff code → (first day of service, tariff has add-ons)
TARIFFS = {
    "WEB-S": (date(2023, 1, 1), False),
    "WEB-M": (date(2023, 1, 1), True),
    "WEB-L": (date(2023, 1, 1), True),
    "MAIL-BASIC": (date(2023, 1, 1), False),
    "MAIL-PRO": (date(2023, 1, 1), True),
    "DOM-DE": (date(2023, 1, 1), False),
    "SRV-M": (date(2023, 6, 1), False),
    "BAK-Y": (date(2023, 1, 1), False),
}
TARIFF_WEIGHTS = (20, 25, 8, 12, 8, 15, 5, 7)
TARIFF_ADDONS = {
    "WEB-M": ["A-1001", "A-1002"],
    "WEB-L": ["A-1001", "A-1002", "A-1003"],
    "MAIL-PRO": ["A-1001"],
}


# --- the import file (no Django) -----------------------------------------------------------


def generate(accounts: int, seed: int = 20260601) -> dict[str, Any]:
    """An import file of `accounts` accounts; the same for the same arguments."""
    rng = random.Random(seed)
    return {
        "format": "kontor/v1",
        "catalog": _catalog(),
        "customer_groups": [{"name": name} for name in GROUPS],
        "branches": [{"code": code, "name": name} for code, name in BRANCHES],
        "accounts": [_account(rng, n) for n in range(accounts)],
    }


def _catalog() -> dict[str, Any]:
    catalog = json.loads(EXAMPLE.read_text(encoding="utf-8"))["catalog"]
    catalog["articles"].append(
        {
            "number": "A-1003",
            "name": "Staging-Umgebung",
            "type": "option",
            "tax_category": "S",
            "price": "7.50",
            "is_addon": True,
        }
    )
    web = catalog["modules"][0]
    web["tariffs"].append(
        {
            "code": "WEB-L",
            "name": "Webhosting L",
            "addons": TARIFF_ADDONS["WEB-L"],
            "versions": [
                {"valid_from": "2023-01-01", "price": "24.90", "tax_category": "S"},
                {"valid_from": "2025-01-01", "price": "29.90", "tax_category": "S"},
            ],
        }
    )
    mail = catalog["modules"][1]
    mail["tariffs"].append(
        {
            "code": "MAIL-PRO",
            "name": "E-Mail Pro",
            "addons": TARIFF_ADDONS["MAIL-PRO"],
            "versions": [{"valid_from": "2023-01-01", "price": "19.50", "tax_category": "S"}],
        }
    )
    catalog["modules"] += [
        {
            "code": "DOM",
            "name": "Domains",
            "tariffs": [
                {
                    "code": "DOM-DE",
                    "name": "Domain .de",
                    "versions": [
                        {
                            "valid_from": "2023-01-01",
                            "price": "12.00",
                            "tax_category": "S",
                            "billing_interval_months": 12,
                            "minimum_term_months": 12,
                            "renewal_term_months": 12,
                        }
                    ],
                },
                {
                    "code": "BAK-Y",
                    "name": "Backup Jahr",
                    "versions": [
                        {
                            "valid_from": "2023-01-01",
                            "price": "119.00",
                            "tax_category": "S",
                            "billing_interval_months": 12,
                        }
                    ],
                },
            ],
        },
        {
            "code": "SRV",
            "name": "Managed Server",
            "tariffs": [
                {
                    "code": "SRV-M",
                    "name": "Managed Server M",
                    "versions": [
                        {
                            "valid_from": "2023-06-01",
                            "price": "89.00",
                            "setup_fee": "49.00",
                            "tax_category": "S",
                            "minimum_term_months": 24,
                            "notice": {"amount": 3, "unit": "months", "anchor": "quarter_end"},
                        }
                    ],
                }
            ],
        },
    ]
    return catalog


def _account(rng: random.Random, n: int) -> dict[str, Any]:
    company = rng.random() < 0.7
    austrian = company and rng.random() < 0.06
    postal_code, city = ("1010", "Wien") if austrian else rng.choice(CITIES)
    name = f"Firma {n} GmbH" if company else f"Person {n}"
    party: dict[str, Any] = {
        "kind": "company" if company else "person",
        "street": f"Hauptstraße {n % 200 + 1}",
        "postal_code": postal_code,
        "city": city,
        "country": "AT" if austrian else "DE",
        "email": f"info{n}@kunde.example",
    }
    if company:
        party.update(company_name=name, contact_person=f"Erika Muster {n}", phone="+49 30 1234")
    else:
        party.update(first_name="Max", last_name=f"Mustermann {n}")
    account: dict[str, Any] = {"contract_party": party}
    if rng.random() < 0.8:
        account["customer_number"] = f"IMP-{n:06}"
    if rng.random() < 0.7:
        account["external_customer_number"] = f"ALT-{n}"
    if rng.random() < 0.15:
        account["billing_address"] = {
            "name": f"{name} Buchhaltung",
            "street": f"Postfach {n}",
            "postal_code": postal_code,
            "city": city,
            "country": "AT" if austrian else "DE",
        }
    recipients = rng.choices((0, 1, 2), (5, 85, 10))[0]
    account["recipients"] = [
        {
            "email": f"rechnung{k}.{n}@kunde.example",
            "delivery_mode": rng.choice(("attachment", "link")),
        }
        for k in range(recipients)
    ]
    if austrian:
        account.update(vat_treatment="reverse_charge", vat_id="ATU 13585627", language="en")
    elif company and rng.random() < 0.5:
        account["vat_id"] = "DE136695976"
    if rng.random() < 0.1:
        account["payment_terms_days"] = 30
    if rng.random() < 0.05:
        account["deliver_by_post"] = True
    if rng.random() < 0.5:
        account["group"] = rng.choice(GROUPS)
    if rng.random() < 0.7:
        account["branch"] = rng.choice(BRANCHES)[0]
    subscriptions = [
        _subscription(rng, n, j) for j in range(rng.choices((1, 2, 3), (50, 35, 15))[0])
    ]
    account["subscriptions"] = subscriptions
    first_start = min(date.fromisoformat(s["start_date"]) for s in subscriptions)
    sepa = rng.random() < 0.65
    account["payment_method"] = "sepa_dd" if sepa else "transfer"
    account["bank_accounts"] = _bank_accounts(rng, n, name, sepa, austrian, first_start)
    return account


def _bank_accounts(
    rng: random.Random, n: int, holder: str, sepa: bool, austrian: bool, first_start: date
) -> list[dict[str, Any]]:
    from schwifty import IBAN

    def bank(k: int) -> dict[str, Any]:
        if austrian:
            iban = IBAN.generate("AT", bank_code="19043", account_code=f"{n * 10 + k:011}")
            return {"holder": holder, "iban": str(iban), "bic": "BKAUATWW"}
        code = rng.choice(BANK_CODES)
        iban = IBAN.generate("DE", bank_code=code, account_code=str(1_000_000 + n * 10 + k))
        return {"holder": holder, "iban": iban.formatted if k else str(iban)}

    signed = first_start - timedelta(days=rng.randint(1, 30))
    if not sepa:
        return [bank(0)] if rng.random() < 0.2 else []
    current = bank(0)
    current["mandate"] = {"reference": f"MR-{n}-1", "signed_on": signed.isoformat()}
    if rng.random() < 0.05:
        current["mandate"]["scheme"] = "B2B"
    if rng.random() >= 0.1:
        return [current]
    older = bank(1)
    older["mandate"] = {
        "reference": f"MR-{n}-0",
        "signed_on": (signed - timedelta(days=400)).isoformat(),
        "status": "expired" if rng.random() < 0.3 else "revoked",
        "ended_on": (signed - timedelta(days=1)).isoformat(),
    }
    return [current, older]


def _subscription(rng: random.Random, n: int, j: int) -> dict[str, Any]:
    tariff = rng.choices(list(TARIFFS), TARIFF_WEIGHTS)[0]
    first_day, has_addons = TARIFFS[tariff]
    start = first_day + timedelta(days=rng.randint(0, 900))
    item: dict[str, Any] = {"tariff": tariff, "start_date": start.isoformat()}
    if j == 1 and rng.random() < 0.5:
        item["contract"] = f"V-{n}-2"
    if rng.random() < 0.1:
        item["quantity"] = rng.randint(2, 5)
    if rng.random() < 0.05:
        item["deviating_price"] = "7.90"
    fate = rng.random()
    end: date | None = None
    if fate < 0.1:  # cancelled: notice received, ending on the given day or the earliest one
        given = start + timedelta(days=rng.randint(30, 400))
        item["notice_given_on"] = given.isoformat()
        if rng.random() < 0.5:
            end = given + timedelta(days=rng.randint(60, 200))
            item["end_date"] = end.isoformat()
        else:
            end = given  # at least this late; the service computes the real end
    elif fate < 0.15:  # a fixed end
        end = start + timedelta(days=rng.randint(90, 720))
        item["end_date"] = end.isoformat()
    elif rng.random() < 0.6:
        item["billed_until"] = "2026-05-31"
    if has_addons and rng.random() < 0.4:
        item["addons"] = [
            _addon(rng, article, start, end)
            for article in rng.sample(
                TARIFF_ADDONS[tariff], min(rng.randint(1, 2), len(TARIFF_ADDONS[tariff]))
            )
        ]
    return item


def _addon(rng: random.Random, article: str, start: date, end: date | None) -> dict[str, Any]:
    # Within the term: a subscription that ends starts its add-ons with it.
    addon_start = start if end is not None else start + timedelta(days=rng.randint(0, 60))
    addon: dict[str, Any] = {"article": article, "start_date": addon_start.isoformat()}
    if rng.random() < 0.2:
        addon["quantity"] = "2"
    if end is None and rng.random() < 0.2:
        addon["end_date"] = (addon_start + timedelta(days=rng.randint(30, 300))).isoformat()
    return addon


# --- orchestration (parent process; no Django here) ---------------------------------------


def environment(url: str, src: str | None) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="kontor.settings")
    env.pop("KONTOR_BROKER_URL", None)
    env.setdefault("KONTOR_DEBUG", "0")
    if src:
        env["PYTHONPATH"] = src
    if src or not (ROOT / "var" / "secret_key").exists():  # another src/ has no var/
        env.setdefault("KONTOR_SECRET_KEY", "kontor-bench-only")  # a throwaway database
    return env


def step(url: str, src: str | None, *args: str) -> dict[str, Any]:
    """Run one step in a fresh Python process; its last stdout line is a JSON object."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.import_load", "--step", *args],
        cwd=ROOT,
        env=environment(url, src),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"benchmark step {args} failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(url: str, label: str, src: str | None, path: Path, extra: list[str]) -> dict[str, Any]:
    from bench.billing_run import fresh_database

    fresh_database(url)
    setup = step(url, src, "setup")
    load = os.getloadavg()[0]
    result = step(url, src, "load", str(path), *extra)
    result.update(
        source=label,
        backend=backend(url),
        setup_s=setup["seconds"],
        load_before=round(load, 2),
        load_after=round(os.getloadavg()[0], 2),
    )
    return result


def print_table(accounts: int, runs: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Import benchmark: {accounts} accounts (data_import, one transaction)")
    columns = ("database", "source", "read s", "check s", "write s", "total s", "accounts/s")
    columns += ("ms/account", "queries/account", "peak RSS MB", "load")
    for column in columns:
        table.add_column(column, justify="right")
    for run in runs:
        queries = run.get("queries")
        table.add_row(
            run["backend"],
            run["source"],
            f"{run['read_s']:.1f}",
            f"{run['check_s']:.1f}",
            f"{run['write_s']:.1f}",
            f"{run['import_s']:.1f}",
            f"{run['accounts_per_s']:.0f}",
            f"{run['ms_per_account']:.1f}",
            f"{queries / accounts:.1f}" if queries else "–",
            f"{run['peak_rss_mb']:.0f}",
            f"{run['load_before']:.1f} → {run['load_after']:.1f}",
        )
    Console(width=200).print(table)
    rows = {json.dumps(run["rows"], sort_keys=True) for run in runs}
    if len(rows) > 1:
        print("WARNING: the runs did not write the same rows:", file=sys.stderr)
        for run in runs:
            print(f"  {run['backend']} {run['source']}: {run['rows']}", file=sys.stderr)


def backend(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def run_benchmark(options: argparse.Namespace) -> dict[str, Any]:
    from bench.billing_run import machine

    path = Path(f"/tmp/kontor-bench-import-{options.accounts}.json")
    path.write_text(json.dumps(generate(options.accounts), ensure_ascii=False), encoding="utf-8")
    sources: list[tuple[str, str | None]] = [("current", None)]
    for spec in options.src:
        label, _, location = spec.partition("=")
        sources.append((label, str(Path(location).resolve())))
    if options.only_src:
        sources = [s for s in sources if s[0] in options.only_src]
    urls = [{"sqlite": SQLITE_URL, "postgresql": PG_URL}.get(db, db) for db in options.database]
    runs = []
    for round_number in range(options.repeat):
        order = sources if round_number % 2 == 0 else sources[::-1]
        for url in urls:
            for label, src in order:
                print(
                    f"round {round_number + 1}: {backend(url)} {label} …",
                    file=sys.stderr,
                    flush=True,
                )
                extra = []
                if options.profile:
                    extra += ["--profile", f"{options.profile}-{backend(url)}-{label}.prof"]
                if options.queries:
                    extra += ["--queries"]
                runs.append(measure(url, label, src, path, extra))
    print_table(options.accounts, runs)
    document = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "accounts": options.accounts,
        "file_bytes": path.stat().st_size,
        "sources": {label: src or "src" for label, src in sources},
        "runs": runs,
    }
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(document, indent=2) + "\n")
    print(f"results written to {options.json}", file=sys.stderr)
    return document


# --- steps (child processes with Django) ---------------------------------------------------


def step_setup() -> dict[str, Any]:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from kontor.billing.models import BillingSettings

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    manager = User.objects.create_user(MANAGER, "manager@bench.example", "pw-bench")
    manager.groups.add(Group.objects.get_or_create(name="manager")[0])
    settings = BillingSettings.load()
    settings.deviating_price_changeable = True
    settings.save()
    return {"seconds": round(time.monotonic() - started, 1)}


def step_load(path: str, profile: str | None, count_queries: bool) -> dict[str, Any]:
    """Time `data_import` as `kontor load` calls it; the check phase is timed by wrapping."""
    import contextlib
    import resource

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kontor.exchange import loader

    actor = User.objects.get(username=MANAGER)
    started = time.perf_counter()
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    read_s = time.perf_counter() - started
    checked = loader._checked
    check_s = 0.0

    def timed_check(data: Any) -> Any:
        nonlocal check_s
        began = time.perf_counter()
        try:
            return checked(data)
        finally:
            check_s += time.perf_counter() - began

    loader._checked = timed_check
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    capture = CaptureQueriesContext(connection) if count_queries else contextlib.nullcontext()
    with capture:
        began = time.perf_counter()
        if profiler:
            profiler.enable()
        report = loader.data_import(actor=actor, payload=payload)
        if profiler:
            profiler.disable()
        import_s = time.perf_counter() - began
    if profiler and profile:
        profiler.dump_stats(profile)
    accounts = report.counts["accounts"]
    result = {
        "accounts": accounts,
        "counts": report.counts,
        "read_s": round(read_s, 2),
        "check_s": round(check_s, 2),
        "write_s": round(import_s - check_s, 2),
        "import_s": round(import_s, 2),
        "accounts_per_s": round(accounts / import_s, 1),
        "ms_per_account": round(1000 * import_s / accounts, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rows": rows_written(),
    }
    if count_queries:
        result["queries"] = len(capture.captured_queries)  # type: ignore[union-attr]
    return result


def rows_written() -> dict[str, int]:
    """Rows per table after the import (business rows, history, audit): must not differ
    between the versions compared."""
    from django.apps import apps

    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {"customers", "contracts", "catalog", "core"}:
            counts[model._meta.label] = model._default_manager.count()
    return {label: count for label, count in sorted(counts.items()) if count}


def child(args: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    name, *rest = args
    if name == "setup":
        result = step_setup()
    elif name == "load":
        parser = argparse.ArgumentParser()
        parser.add_argument("path")
        parser.add_argument("--profile")
        parser.add_argument("--queries", action="store_true")
        options = parser.parse_args(rest)
        result = step_load(options.path, options.profile, options.queries)
    else:
        raise SystemExit(f"unknown step {name}")
    print(json.dumps(result))


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--step"]:
        child(argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument(
        "--database",
        nargs="+",
        default=["sqlite"],
        help=f"sqlite, postgresql ({PG_URL}) or a PostgreSQL URL whose name has 'bench'",
    )
    parser.add_argument("--repeat", type=int, default=1, help="rounds (the machine is shared)")
    parser.add_argument(
        "--src", action="append", default=[], help="LABEL=PATH: another copy of src/ to compare"
    )
    parser.add_argument("--only-src", nargs="+", help="run only these labels")
    parser.add_argument("--profile", help="write cProfile stats to PREFIX-<db>-<source>.prof")
    parser.add_argument(
        "--queries", action="store_true", help="count the queries (slower: every SQL is kept)"
    )
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the figures")
    parser.add_argument(
        "--write-file", type=Path, help="only write the generated import file there and stop"
    )
    options = parser.parse_args(argv)
    if options.write_file:
        text = json.dumps(generate(options.accounts), ensure_ascii=False, indent=1)
        options.write_file.write_text(text + "\n", encoding="utf-8")
        return
    run_benchmark(options)


if __name__ == "__main__":
    main()
