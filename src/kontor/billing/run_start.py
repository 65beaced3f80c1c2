"""Start a billing run in one call, the way the interfaces offer it: create the run, then
either compute its preview or bill at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from kontor.billing.models import BillingRun
from kontor.billing.preview import billing_run_preview
from kontor.billing.runs import billing_run_create, billing_run_execute


def billing_run_start(
    *,
    actor: Any,
    as_of: date,
    preview: bool = False,
    finalize: bool = True,
    execute: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> BillingRun:
    """A preview run stores what it would bill in its report; a billing run is executed when
    `execute` (else it waits, `pending`, for `billing_run_execute`)."""
    run = billing_run_create(actor=actor, as_of=as_of, dry_run=preview, finalize=finalize)
    if preview:
        billing_run_preview(actor=actor, run_id=run.pk)
    elif execute:
        return billing_run_execute(actor=actor, run_id=run.pk, progress=progress)
    return BillingRun.objects.get(pk=run.pk)
