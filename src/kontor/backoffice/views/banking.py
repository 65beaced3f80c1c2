"""Workflow views: add a bank account, add or revoke a SEPA mandate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.forms.workflows import BankAccountForm, MandateForm, MandateRevokeForm
from kontor.backoffice.views.common import deny_unless, load_or_404, render_admin, to_account
from kontor.core.errors import KontorError
from kontor.core.permissions import Action
from kontor.customers.models import Account
from kontor.customers.selectors import account_for_actor
from kontor.customers.services import bank_account_add, mandate_create, mandate_revoke

TEMPLATE = "backoffice/account_form.html"


def _render(site: AdminSite, request: HttpRequest, account: Account, **context: Any) -> Any:
    context.update(account=account, opts=Account._meta)
    return render_admin(request, site, TEMPLATE, context)


def bank_account_add_view(site: AdminSite, request: HttpRequest, account_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.BANK_ACCOUNT_MANAGE)
    account = load_or_404(account_for_actor, actor, account_id)
    form = BankAccountForm(request.POST or None, initial={"holder": account.contract_party})
    if request.method == "POST" and form.is_valid():
        try:
            bank_account = bank_account_add(actor=actor, account_id=account.pk, **form.cleaned_data)
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Bank account %s was added.") % bank_account.iban)
            return to_account(account.pk)
    title = _("Add a bank account")
    return _render(site, request, account, title=title, form=form, submit_label=title)


def mandate_add_view(site: AdminSite, request: HttpRequest, account_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.MANDATE_MANAGE)
    account = load_or_404(account_for_actor, actor, account_id)
    choices = [(b.pk, str(b)) for b in account.bank_accounts.order_by("id")]
    form = MandateForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mandate = mandate_create(
                actor=actor,
                account_id=account.pk,
                bank_account_id=int(data["bank_account"]),
                reference=data["reference"],
                signed_on=data["signed_on"],
                scheme=data["scheme"],
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Mandate %s was added.") % mandate.reference)
            return to_account(account.pk)
    title = _("Add a SEPA mandate")
    return _render(site, request, account, title=title, form=form, submit_label=title)


def mandate_revoke_view(
    site: AdminSite, request: HttpRequest, account_id: Any, mandate_id: Any
) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.MANDATE_MANAGE)
    account = load_or_404(account_for_actor, actor, account_id)
    mandate = account.mandates.filter(pk=mandate_id).first()
    if mandate is None:
        raise Http404(_("Mandate %s does not exist.") % mandate_id)
    form = MandateRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mandate_revoke(
                actor=actor, mandate_id=mandate.pk, ended_on=form.cleaned_data["ended_on"]
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Mandate %s was revoked.") % mandate.reference)
            return to_account(account.pk)
    title = _("Revoke mandate %s") % mandate.reference
    return _render(site, request, account, title=title, form=form, submit_label=_("Revoke"))
