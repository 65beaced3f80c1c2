"""The collective invoices page (drafts not yet sent: send dates, combining) and the dashboard
notice of collective drafts without a send date and of drafts left over their send date."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kontor.backoffice.forms.collective import CombineForm, SendDateForm
from kontor.backoffice.views.common import deny_unless, load_or_404, render_admin, short_date
from kontor.core.errors import KontorError
from kontor.core.permissions import Action, can
from kontor.invoicing.collective import collective_drafts, drafts_overdue, invoices_combine
from kontor.invoicing.models import Invoice
from kontor.invoicing.selectors import invoice_for_actor
from kontor.invoicing.services import invoice_draft_update

NOTICE_LIMIT = 50


def collective_url() -> str:
    return reverse("admin:invoicing_invoice_collective")


def with_send_date_forms(invoices: Any) -> list[tuple[Invoice, SendDateForm]]:
    """Each draft with its inline send-date form (ids unique on the page)."""
    return [
        (
            invoice,
            SendDateForm(
                initial={"version": invoice.version, "send_date": invoice.send_date},
                auto_id=f"id_%s_{invoice.pk}",
            ),
        )
        for invoice in invoices
    ]


def collective_invoices_view(site: AdminSite, request: HttpRequest) -> HttpResponse:
    actor = request.user
    drafts = load_or_404(partial(collective_drafts, actor=actor))
    context = {
        "title": _("Collective invoices not yet sent"),
        "rows": with_send_date_forms(drafts),
        "combine_form": CombineForm(),
        "may_edit": can(actor, Action.INVOICE_EDIT_DRAFT),
        "back": request.get_full_path(),
        "opts": Invoice._meta,
    }
    return render_admin(request, site, "backoffice/billing/collective_list.html", context)


def send_date_view(site: AdminSite, request: HttpRequest, invoice_id: Any) -> HttpResponse:
    """Set or clear a draft's send date from the collective list or the dashboard notice."""
    actor = request.user
    deny_unless(actor, Action.INVOICE_EDIT_DRAFT)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    invoice = load_or_404(invoice_for_actor, actor, invoice_id)
    form = SendDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Send date not saved: %s") % _form_errors(form))
        return _back(request)
    day = form.cleaned_data["send_date"]
    try:
        invoice_draft_update(
            actor=actor,
            invoice_id=invoice.pk,
            expected_version=form.cleaned_data["version"],
            changes={"send_date": day},
        )
    except KontorError as exc:
        reason = {"invoice": invoice, "reason": exc.message}
        messages.error(request, _("Send date of %(invoice)s not saved: %(reason)s") % reason)
    else:
        text = (
            _("%(invoice)s is sent on %(date)s.") if day else _("%(invoice)s has no send date now.")
        )
        messages.success(request, text % {"invoice": invoice, "date": short_date(day)})
    return _back(request)


def combine_view(site: AdminSite, request: HttpRequest) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.INVOICE_EDIT_DRAFT)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CombineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not combined: %s") % _form_errors(form))
        return HttpResponseRedirect(collective_url())
    ids = form.cleaned_data["invoice_ids"]
    try:
        combined = invoices_combine(actor=actor, invoice_ids=ids, send_date=form.send_date_choice())
    except KontorError as exc:
        messages.error(request, _("Not combined: %s") % exc.message)
    else:
        messages.success(
            request,
            _("%(count)d drafts were combined into %(invoice)s (send date: %(date)s).")
            % {"count": len(ids), "invoice": combined, "date": short_date(combined.send_date)},
        )
    return HttpResponseRedirect(collective_url())


def collective_notices(actor: Any) -> dict[str, Any]:
    """Dashboard: collective drafts without a send date (they are never sent) and drafts whose
    send date has passed (finalizing them on that day failed, e.g. a draft without lines)."""
    missing = collective_drafts(actor=actor, without_send_date=True)
    overdue = drafts_overdue(actor=actor)
    return {
        "collective_missing": with_send_date_forms(missing[:NOTICE_LIMIT]),
        "collective_missing_count": missing.count(),
        "collective_overdue": list(overdue[:NOTICE_LIMIT]),
        "collective_overdue_count": overdue.count(),
        "collective_may_edit": can(actor, Action.INVOICE_EDIT_DRAFT),
    }


def _form_errors(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """To the page the form was on (`next`), else the collective invoices page."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = collective_url()
    return HttpResponseRedirect(target)
