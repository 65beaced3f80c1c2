"""`data_import`: load a `kontor/v1` file (catalog, customer groups, branches, accounts).

1. The whole file is checked before anything is written: the schema (pydantic), references
   (to the file or to what Kontor already has), duplicates, IBANs, VAT IDs, mandates, dates.
   Every problem is collected with the JSON path of its item.
2. Only a file without problems is written, through the domain services, in ONE transaction.
   Should a service still refuse an item, its error is collected the same way and the whole
   import is rolled back: an import is all or nothing.

An import never updates: anything already in Kontor is reported as a duplicate, so loading
the same file twice fails the second time without changing anything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from kontor.billing.models import BillingSettings
from kontor.core.batch import write_batch
from kontor.core.permissions import Action, require
from kontor.exchange.check_accounts import check_accounts
from kontor.exchange.check_catalog import check_catalog, check_groups_and_branches
from kontor.exchange.index import load_index
from kontor.exchange.parse import parse_file
from kontor.exchange.problems import ImportRejected, Problems
from kontor.exchange.schema import ImportFile
from kontor.exchange.write_accounts import write_accounts
from kontor.exchange.write_catalog import write_catalog, write_groups_and_branches

COUNTED = (
    "tax_categories",
    "article_types",
    "articles",
    "modules",
    "tariffs",
    "customer_groups",
    "branches",
    "accounts",
    "bank_accounts",
    "mandates",
    "subscriptions",
    "addons",
)


@dataclass(frozen=True)
class ImportReport:
    """What an import created (or, in a dry run, would have created)."""

    counts: dict[str, int]
    customer_numbers: list[str] = field(default_factory=list)
    dry_run: bool = False


class _DryRunDone(Exception):
    pass


def data_import(*, actor: Any, payload: dict[str, Any], dry_run: bool = False) -> ImportReport:
    """Check and load an import file; raises ImportRejected (nothing written) listing every
    problem. `dry_run` writes in a transaction that is rolled back, to see every problem the
    services would find."""
    require(actor, Action.DATA_IMPORT)
    data = _checked(payload)
    counts: Counter[str] = Counter({name: 0 for name in COUNTED})
    problems = Problems()
    numbers: list[str] = []
    try:
        with transaction.atomic():
            # One batch: the services read settings and catalog rows once per import and
            # insert the history rows and audit entries together (core/batch.py). A problem
            # raises before the batch ends, so nothing it collected is written.
            with write_batch():
                index = load_index()
                write_catalog(actor, data, index, problems, counts)
                write_groups_and_branches(actor, data, index, problems, counts)
                numbers = write_accounts(actor, data.accounts, index, problems, counts)
                if problems:
                    raise ImportRejected(problems.errors)
            if dry_run:
                raise _DryRunDone
    except _DryRunDone:
        pass
    return ImportReport(counts=dict(counts), customer_numbers=numbers, dry_run=dry_run)


def data_check(payload: dict[str, Any]) -> ImportFile:
    """Check a file without writing; raises ImportRejected listing every problem."""
    return _checked(payload)


def _checked(payload: Any) -> ImportFile:
    problems = Problems()
    index = load_index()
    data = parse_file(payload, index, problems)
    if data is None:
        raise ImportRejected(problems.errors)
    check_catalog(data, index, problems)
    check_groups_and_branches(data, index, problems)
    settings = BillingSettings.objects.filter(pk=1).first()
    check_accounts(
        data,
        index,
        problems,
        deviating_price_allowed=bool(settings and settings.deviating_price_changeable),
    )
    if problems:
        raise ImportRejected(problems.errors)
    return data
