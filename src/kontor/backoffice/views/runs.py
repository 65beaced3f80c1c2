"""Billing run pages: start a run (preview or bill), a run's detail with progress and report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.forms.billing import BillingRunForm
from kontor.backoffice.views.common import deny_unless, load_or_404, render_admin
from kontor.billing.models import BillingRun, RunStatus
from kontor.billing.run_start import billing_run_start
from kontor.billing.runs import billing_run_execute
from kontor.billing.selectors import billing_run_entries, billing_run_for_actor
from kontor.core.errors import KontorError
from kontor.core.permissions import Action, can

REFRESH_SECONDS = 5


def run_url(run_id: int) -> str:
    return reverse("admin:billing_billingrun_change", args=[run_id])


def run_new_view(site: AdminSite, request: HttpRequest) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.BILLING_RUN_START)
    form = BillingRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = billing_run_start(
                actor=actor,
                as_of=data["as_of"],
                preview=data["mode"] == "preview",
                finalize=data["finalize"],
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            return HttpResponseRedirect(run_url(run.pk))
    title = _("New billing run")
    context = {"title": title, "form": form, "submit_label": _("Start"), "opts": BillingRun._meta}
    return render_admin(request, site, "backoffice/billing/run_form.html", context)


def run_detail_view(site: AdminSite, request: HttpRequest, run_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.BILLING_RUN_VIEW)
    run = load_or_404(billing_run_for_actor, actor, run_id)
    entries = list(billing_run_entries(actor, run.pk))
    running = run.status == RunStatus.RUNNING
    context = {
        "title": str(run),
        "run": run,
        "opts": BillingRun._meta,
        "report": run.report or {},
        "failed": [e for e in entries if e.kind == "failed"],
        "refused": [e for e in entries if e.kind == "refused"],
        "refresh_seconds": REFRESH_SECONDS if running else None,
        "may_execute": can(actor, Action.BILLING_RUN_START)
        and not run.dry_run
        and run.status != RunStatus.DONE,
    }
    return render_admin(request, site, "backoffice/billing/run_detail.html", context)


def run_execute_view(site: AdminSite, request: HttpRequest, run_id: Any) -> HttpResponse:
    """Execute a pending run or resume an interrupted one (POST only)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    actor = request.user
    deny_unless(actor, Action.BILLING_RUN_START)
    run = load_or_404(billing_run_for_actor, actor, run_id)
    try:
        billing_run_execute(actor=actor, run_id=run.pk)
    except KontorError as exc:
        messages.error(request, str(exc.message))
    return HttpResponseRedirect(run_url(run.pk))
