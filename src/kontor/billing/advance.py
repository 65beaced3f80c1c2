"""Invoices of a contract generated in advance, as drafts: one per billing period up to a
date (a bimonthly service over a year gives six). Staff can combine them into collective
invoices; each goes out — finalized and delivered — on its send date."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kontor.billing.collective import active_profiles, collect
from kontor.billing.engine import EngineSettings, charges_due
from kontor.billing.models import BillingSettings, Charge
from kontor.billing.runs import charge_rows, engine_settings, lock_accounts, refusal_message
from kontor.billing.terms_loader import load_terms
from kontor.contracts.models import Contract
from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.bulk import bulk_insert_rows
from kontor.core.errors import Conflict, NotFound, invalid
from kontor.core.permissions import Action, require
from kontor.invoicing.issue import PlannedInvoice, issue_invoices
from kontor.invoicing.models import Invoice

MAX_DAYS_AHEAD = 3 * 366


@transaction.atomic
def contract_invoices_in_advance(
    *, actor: Any, contract_id: int, until: date, today: date | None = None
) -> list[Invoice]:
    """Charge the contract's periods up to `until` now and put each period on a draft whose
    send date is the day the period starts (today for periods already started). What is
    charged here is never charged again by a billing run."""
    require(actor, Action.INVOICE_EDIT_DRAFT)
    day = today or clock.today()
    try:
        contract = Contract.objects.get(pk=contract_id)
    except (Contract.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Contract %s does not exist.") % contract_id) from exc
    if until < day or (until - day).days > MAX_DAYS_AHEAD:
        raise invalid("until", _("Give a date from today up to three years ahead."), "out_of_range")
    lock_accounts([contract.account_id])
    settings = BillingSettings.load()
    loaded = load_terms([contract.account_id])
    rules = _bound_for(engine_settings(settings), day, until)
    mine = set(contract.subscriptions.values_list("pk", flat=True))
    result = charges_due(loaded.terms, loaded.billed, until, rules)
    refusals = [r for r in result.refusals if r.subscription_id in mine]
    if refusals:
        raise Conflict(refusal_message(refusals[0]), code="refused")
    proposed = [c for c in result.charges if c.subscription_id in mine]
    if not proposed:
        raise Conflict(
            _("Contract %(contract)s has nothing to bill up to %(until)s.")
            % {"contract": contract.reference, "until": until},
            code="nothing_due",
        )
    rows = charge_rows(proposed, loaded, rules, None)
    collect(rows, active_profiles([contract.account_id]))  # they count against a limit
    bulk_insert_rows(Charge, rows)
    charges = Charge.objects.filter(
        subscription_id__in=mine, invoice_line__isnull=True, period_start__lte=until
    ).order_by("period_start", "id")
    by_period: dict[date, list[Charge]] = defaultdict(list)
    for charge in charges:
        by_period[charge.period_start].append(charge)
    plans = [
        PlannedInvoice(contract.account_id, f"advance:{contract.pk}:{start}", items)
        for start, items in sorted(by_period.items())
    ]
    invoices = issue_invoices(plans, as_of=day, finalize=False, actor=actor, settings=settings)
    for invoice in invoices:
        invoice.send_date = max(invoice.period_start or day, day)
        invoice.is_collective = True
    Invoice.objects.bulk_update(invoices, ["send_date", "is_collective"])
    audit(
        actor,
        "contract.invoiced_in_advance",
        contract,
        until=until,
        invoices=[i.pk for i in invoices],
    )
    return invoices


def _bound_for(rules: EngineSettings, today: date, until: date) -> EngineSettings:
    """The safety bound (periods billed for the first time) plus the months asked for: it
    still catches a wrong start date, but not the advance itself."""
    months = (until.year - today.year) * 12 + until.month - today.month + 1
    return dataclasses.replace(rules, max_periods_per_run=rules.max_periods_per_run + months)
