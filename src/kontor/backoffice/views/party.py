"""Contract party changes: request (with reason and evidence), approve or reject."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.forms.account import PartyForm
from kontor.backoffice.forms.workflows import DecisionForm, PartyChangeRequestForm
from kontor.backoffice.views.common import deny_unless, load_or_404, render_admin, to_account
from kontor.core.errors import KontorError
from kontor.core.permissions import Action, can
from kontor.customers.models import Account, ContractPartyChangeRequest
from kontor.customers.selectors import account_for_actor, party_change_request_for_actor
from kontor.customers.services import (
    party_change_approve,
    party_change_reject,
    party_change_request,
)
from kontor.customers.services.party import party_to_dict


def party_change_request_view(
    site: AdminSite, request: HttpRequest, account_id: Any
) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.CONTRACT_PARTY_CHANGE)
    account = load_or_404(account_for_actor, actor, account_id)
    form = PartyChangeRequestForm(
        request.POST or None, request.FILES or None, initial=party_to_dict(account.contract_party)
    )
    if request.method == "POST" and form.is_valid():
        try:
            change = party_change_request(
                actor=actor,
                account_id=account.pk,
                proposed=form.party_data(),
                reason=form.cleaned_data["reason"],
                evidence=form.uploads(),
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Change request %s was recorded; it waits for approval.") % change.pk
            )
            return to_account(account.pk)
    title = _("Request a change of the contract party")
    context = {"account": account, "title": title, "form": form, "submit_label": title}
    context.update(multipart=True, opts=Account._meta)
    return render_admin(request, site, "backoffice/account_form.html", context)


def _change_request(actor: Any, request_id: Any) -> ContractPartyChangeRequest:
    return load_or_404(party_change_request_for_actor, actor, request_id)


def party_change_decide_view(
    site: AdminSite, request: HttpRequest, request_id: Any
) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.ACCOUNT_VIEW)
    change = _change_request(actor, request_id)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        deny_unless(actor, Action.CONTRACT_PARTY_CHANGE)
        if form.is_valid():
            note = form.cleaned_data["note"]
            try:
                if "approve" in request.POST:
                    party_change_approve(actor=actor, request_id=change.pk, note=note)
                    messages.success(request, _("The contract party was changed."))
                else:
                    party_change_reject(actor=actor, request_id=change.pk, note=note)
                    messages.success(request, _("The change request was rejected."))
            except KontorError as exc:
                add_service_error(form, exc)
            else:
                return to_account(change.account_id)
    current = change.previous or party_to_dict(change.account.contract_party)
    labels = {name: PartyForm.base_fields[name].label for name in PartyForm.PARTY_FIELDS}
    rows = [
        (labels[name], current.get(name, ""), change.proposed.get(name, ""))
        for name in PartyForm.PARTY_FIELDS
    ]
    context = {
        "title": _("Contract party change request %s") % change.pk,
        "change": change,
        "account": change.account,
        "rows": rows,
        "evidence": list(change.evidence.all()),
        "form": form,
        "may_decide": can(actor, Action.CONTRACT_PARTY_CHANGE) and change.status == "pending",
        "opts": ContractPartyChangeRequest._meta,
    }
    return render_admin(request, site, "backoffice/party_change_decide.html", context)


def evidence_download_view(
    site: AdminSite, request: HttpRequest, request_id: Any, evidence_id: Any
) -> HttpResponse:
    deny_unless(request.user, Action.ACCOUNT_VIEW)
    change = _change_request(request.user, request_id)
    document = change.evidence.filter(pk=evidence_id).first()
    if document is None or not document.file:
        raise Http404
    return FileResponse(document.file.open("rb"), as_attachment=True)
