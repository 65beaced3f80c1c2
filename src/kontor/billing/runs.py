"""Billing runs: preview, execute in chunks (in-process or as Celery tasks), resume.

A chunk is one transaction over a set of accounts: lock the accounts, ask the pure engine
what is due, insert the charges under their idempotency key (a second run inserts nothing),
group every uninvoiced charge into invoices and — when the run finalizes — number them.
A chunk that fails is retried account by account, so one bad account is reported and the
others are billed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kontor.billing.collective import active_profiles, collect
from kontor.billing.engine import EngineSettings, ProposedCharge, Refusal, charges_due
from kontor.billing.labels import correction_range
from kontor.billing.models import (
    BillingRun,
    BillingRunChunk,
    BillingRunEntry,
    BillingSettings,
    Charge,
    RunEntryKind,
    RunStatus,
)
from kontor.billing.terms_loader import LineInfo, LoadedTerms, load_terms
from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.bulk import bulk_insert_rows
from kontor.core.errors import Conflict, NotFound
from kontor.core.money import round_unit_price
from kontor.core.permissions import Action, require
from kontor.customers.models import Account
from kontor.invoicing.issue import TaxRates, issue_invoices, open_charge_rows, plan_invoices
from kontor.invoicing.models import InvoiceLine

log = logging.getLogger(__name__)
CHUNK_SIZE = 1000


def engine_settings(settings: BillingSettings) -> EngineSettings:
    return EngineSettings(
        align_to_calendar=settings.align_to_calendar,
        max_periods_per_run=settings.max_periods_per_run,
        bill_zero_amounts=settings.create_zero_invoices,
    )


@transaction.atomic
def billing_run_create(
    *, actor: Any, as_of: date, dry_run: bool = False, finalize: bool = True
) -> BillingRun:
    require(actor, Action.BILLING_RUN_START)
    run = BillingRun.objects.create(
        as_of=as_of,
        dry_run=dry_run,
        finalize=finalize,
        status=RunStatus.PREVIEW if dry_run else RunStatus.PENDING,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(actor, "billing_run.created", run, as_of=as_of, dry_run=dry_run, finalize=finalize)
    return run


def billable_account_ids() -> list[int]:
    with_subscriptions = Account.objects.filter(subscriptions__isnull=False).values_list(
        "pk", flat=True
    )
    with_open_charges = Charge.objects.filter(invoice_line__isnull=True).values_list(
        "account_id", flat=True
    )
    return sorted(set(with_subscriptions) | set(with_open_charges))


def chunks(ids: list[int], size: int | None = None) -> Iterator[list[int]]:
    size = size or getattr(django_settings, "KONTOR_BILLING_CHUNK_SIZE", CHUNK_SIZE)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def billing_run_execute(
    *, actor: Any, run_id: int, progress: Callable[[int, int], None] | None = None
) -> BillingRun:
    """Run (or resume) a billing run. With a broker configured, the open chunks go to Celery
    workers and this returns once they are queued; otherwise they run here, one after the
    other. Resuming bills only the chunks that have not committed yet."""
    require(actor, Action.BILLING_RUN_START)
    run = _start(run_id)
    open_chunks = _plan_chunks(run)
    if django_settings.KONTOR_BROKER_URL:
        from kontor.billing.tasks import process_billing_chunk

        for chunk_id in open_chunks:
            process_billing_chunk.delay(run.pk, chunk_id)
        return BillingRun.objects.get(pk=run.pk)
    for chunk_id in open_chunks:
        billing_chunk_process(run_id=run.pk, chunk_id=chunk_id)
        if progress:
            done, total = BillingRun.objects.values_list("accounts_done", "accounts_total").get(
                pk=run.pk
            )
            progress(done, total)
    return BillingRun.objects.get(pk=run.pk)


def _start(run_id: int) -> BillingRun:
    with transaction.atomic():
        try:
            run = BillingRun.objects.select_for_update().get(pk=run_id)
        except BillingRun.DoesNotExist as exc:
            raise NotFound(_("Billing run %s does not exist.") % run_id) from exc
        if run.dry_run:
            raise Conflict(
                _("A preview run does not bill; start a new run to bill."), code="preview_run"
            )
        if run.status == RunStatus.DONE:
            raise Conflict(
                _(
                    "This run is done. Start a new run for the date; it bills only "
                    "what is still due."
                ),
                code="run_done",
            )
        run.status = RunStatus.RUNNING
        run.started_at = run.started_at or clock.now()
        run.save(update_fields=["status", "started_at"])
    return run


@transaction.atomic
def _plan_chunks(run: BillingRun) -> list[int]:
    """Cut the billable accounts not yet in a chunk of this run into new chunks; set the
    progress from the chunks (done ones count, nothing is counted twice); return the ids of
    the open chunks."""
    run = BillingRun.objects.select_for_update().get(pk=run.pk)
    existing = list(run.chunks.all())
    covered = {pk for chunk in existing for pk in chunk.account_ids}
    fresh = [pk for pk in billable_account_ids() if pk not in covered]
    start = max((chunk.index for chunk in existing), default=-1) + 1
    existing += BillingRunChunk.objects.bulk_create(
        BillingRunChunk(run=run, index=start + i, account_ids=ids)
        for i, ids in enumerate(chunks(fresh))
    )
    run.accounts_total = sum(len(chunk.account_ids) for chunk in existing)
    run.accounts_done = sum(len(chunk.account_ids) for chunk in existing if chunk.done_at)
    run.save(update_fields=["accounts_total", "accounts_done"])
    _finish_if_complete(run.pk)
    return [chunk.pk for chunk in sorted(existing, key=lambda c: c.index) if not chunk.done_at]


def billing_chunk_process(*, run_id: int, chunk_id: int) -> None:
    """Bill one chunk; safe to run twice (a done chunk is skipped) and concurrently with
    another run (accounts are locked, charges and invoice lines are unique)."""
    run = BillingRun.objects.get(pk=run_id)
    try:
        with transaction.atomic():
            chunk = _lock_open_chunk(chunk_id)
            if chunk is None:
                return
            counts = _bill_accounts(run, chunk.account_ids)
            _close_chunk(chunk, counts)
        return
    except Exception:  # noqa: BLE001 - isolate the failing account(s), report, go on
        log.exception(
            "billing chunk %s of run %s failed; retrying account by account", chunk_id, run_id
        )
    chunk = BillingRunChunk.objects.get(pk=chunk_id)
    counts = [0, 0, 0]
    for account_id in chunk.account_ids:
        try:
            with transaction.atomic():
                one = _bill_accounts(run, [account_id])
            counts = [a + b for a, b in zip(counts, one, strict=True)]
        except Exception as exc:  # noqa: BLE001
            BillingRunEntry.objects.create(
                run=run, account_id=account_id, kind=RunEntryKind.FAILED, message=str(exc)[:2000]
            )
    with transaction.atomic():
        chunk = _lock_open_chunk(chunk_id)
        if chunk is not None:
            _close_chunk(chunk, counts)


def _lock_open_chunk(chunk_id: int) -> BillingRunChunk | None:
    chunk = BillingRunChunk.objects.select_for_update().get(pk=chunk_id)
    return None if chunk.done_at else chunk


def _close_chunk(chunk: BillingRunChunk, counts: list[int]) -> None:
    """Mark the chunk done and count its work, in the chunk's own transaction."""
    chunk.done_at = clock.now()
    chunk.save(update_fields=["done_at"])
    charges, invoices, finalized = counts
    BillingRun.objects.filter(pk=chunk.run_id).update(
        accounts_done=F("accounts_done") + len(chunk.account_ids),
        charges_created=F("charges_created") + charges,
        invoices_created=F("invoices_created") + invoices,
        invoices_finalized=F("invoices_finalized") + finalized,
    )
    _finish_if_complete(chunk.run_id)


def _finish_if_complete(run_id: int) -> None:
    BillingRun.objects.filter(
        pk=run_id, status=RunStatus.RUNNING, accounts_done__gte=F("accounts_total")
    ).update(status=RunStatus.DONE, finished_at=clock.now())


def _bill_accounts(run: BillingRun, account_ids: list[int]) -> list[int]:
    settings = BillingSettings.load()
    lock_accounts(account_ids)
    loaded = load_terms(account_ids)
    result = charges_due(loaded.terms, loaded.billed, run.as_of, engine_settings(settings))
    refused = {r.subscription_id for r in result.refusals}
    if result.refusals:
        BillingRunEntry.objects.bulk_create(
            [
                BillingRunEntry(
                    run=run,
                    account_id=_account_of(loaded, r.subscription_id),
                    subscription_id_ref=r.subscription_id,
                    kind=RunEntryKind.REFUSED,
                    message=refusal_message(r, language=django_settings.LANGUAGE_CODE),
                )
                for r in result.refusals
            ]
        )
    new = charge_rows(
        [c for c in result.charges if c.subscription_id not in refused],
        loaded,
        engine_settings(settings),
        run.pk,
    )
    collect(new, active_profiles(account_ids))
    bulk_insert_rows(Charge, new, ignore_conflicts=True)
    pending = open_charges(account_ids, run.as_of).order_by("account_id", "id")
    plans = plan_invoices(open_charge_rows(pending), settings.invoice_split)
    invoices = issue_invoices(
        plans,
        as_of=run.as_of,
        finalize=run.finalize,
        actor=run.created_by,
        run_id=run.pk,
        settings=settings,
        rates=TaxRates(),
    )
    return [len(new), len(invoices), len(invoices) if run.finalize else 0]


def refusal_message(refusal: Refusal, *, language: str | None = None) -> str:
    """The engine's refusal in the user's language, or in `language` (its own `reason` is
    English). Run reports are written in the provider's language: chunks may run in Celery
    workers, where no user's language is active."""
    if refusal.limit is None:
        return refusal.reason
    if language is not None:
        with translation.override(language):
            return refusal_message(refusal)
    return _(
        "%(count)s billing periods are due for the first time (%(first)s to %(last)s), more "
        "than the %(limit)s allowed per run; check the start date and what was billed, or "
        "raise the safety bound in the billing settings."
    ) % {
        "count": refusal.periods_due,
        "first": date_format(refusal.first_period, "SHORT_DATE_FORMAT"),
        "last": date_format(refusal.last_period, "SHORT_DATE_FORMAT"),
        "limit": refusal.limit,
    }


def lock_accounts(account_ids: list[int]) -> None:
    """Serialise concurrent runs per account (PostgreSQL row locks; SQLite's write
    transactions are serial anyway)."""
    if connection.vendor == "postgresql":
        list(
            Account.objects.select_for_update()
            .filter(pk__in=account_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _account_of(loaded: Any, subscription_id: int) -> int:
    return next(t.account_id for t in loaded.terms if t.subscription_id == subscription_id)


def charge_rows(
    proposed: list[ProposedCharge], loaded: LoadedTerms, rules: EngineSettings, run_id: int | None
) -> list[dict[str, Any]]:
    """The engine's proposed charges as rows (field → value) for the bulk insert, with their
    texts in the account's language and the range a correction covers."""
    account_ids = {c.account_id for c in proposed}
    languages = dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "language"))
    terms_by_sub = {t.subscription_id: t for t in loaded.terms}
    billed_by_sub: dict[int, list[Any]] = {}
    for line in loaded.billed:
        billed_by_sub.setdefault(line.subscription_id, []).append(line)
    rows = []
    for charge in proposed:
        period = correction_range(
            charge,
            terms_by_sub[charge.subscription_id],
            billed_by_sub.get(charge.subscription_id, []),
            rules,
        )
        language = languages.get(charge.account_id, "de")
        rows.append(_charge(run_id, charge, period, loaded.info, language))
    return rows


def _charge(
    run_id: int | None,
    proposed: ProposedCharge,
    period: tuple[date, date],
    info: dict[tuple[int, str], LineInfo],
    language: str,
) -> dict[str, Any]:
    """The new charge as a row (field → value) for the bulk insert."""
    family = (
        "setup"
        if proposed.kind == "setup"
        else (
            ":".join(proposed.kind.split(":")[:2])
            if proposed.kind.startswith("addon:")
            else "recurring"
        )
    )
    line = info[(proposed.subscription_id, family)]
    if proposed.kind == "setup":
        text = _charge_texts(language)[0] % line.description
    elif proposed.is_correction:
        credit, correction = _charge_texts(language)[1:]
        text = (credit if proposed.amount < 0 else correction) % line.description
    else:
        text = line.description
    return {
        "account_id": proposed.account_id,
        "subscription_id": proposed.subscription_id,
        "kind": proposed.kind,
        "period_start": period[0],
        "period_end": period[1],
        "description": text,
        "quantity": proposed.quantity,
        "unit": line.unit,
        "unit_price": _line_unit_price(proposed),
        "amount": proposed.amount,
        "prorated": proposed.prorated,
        "tax_category_id": line.tax_category_id,
        "article_number": line.article_number,
        "contract_id": line.contract_id,
        "contract_type": line.contract_type,
        "billing_run_id": run_id,
    }


@functools.lru_cache(maxsize=8)
def _charge_texts(language: str) -> tuple[str, str, str]:
    """The line texts in `language` (activating a language per charge costs more than the
    rest of the charge)."""
    with translation.override(language):
        return _("Setup fee: %s"), _("Credit: %s"), _("Correction: %s")


def open_charges(account_ids: list[int], as_of: date) -> Any:
    """The accounts' uninvoiced charges up to `as_of`; collected ones only once their
    collective billing date has come. `NOT EXISTS` rather than `invoice_line__isnull` (a LEFT
    JOIN): PostgreSQL plans the join as a hash join over a sequential scan of every invoice
    line ever written (a chunk's cost grows with the history), the anti-join as one index
    probe per charge of the chunk."""
    return Charge.objects.filter(
        Q(collective_date__isnull=True) | Q(collective_date__lte=as_of),
        ~Exists(InvoiceLine.objects.filter(charge_id=OuterRef("pk"))),
        account_id__in=account_ids,
        period_start__lte=as_of,
    )


def _line_unit_price(proposed: ProposedCharge) -> Any:
    """Quantity × unit price should give the line's net amount (EN 16931 reads it so): a
    prorated or corrected line carries the prorated price per unit, not the full one."""
    if not (proposed.prorated or proposed.is_correction) or not proposed.quantity:
        return proposed.unit_price
    return round_unit_price(proposed.amount / proposed.quantity)
