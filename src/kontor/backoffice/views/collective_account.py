"""Collective invoicing on the account page: the status panel, "Bill now" and invoices of a
contract generated in advance."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.forms.collective import InAdvanceForm
from kontor.backoffice.views.charges import invoices_url
from kontor.backoffice.views.collective import collective_url
from kontor.backoffice.views.common import deny_unless, load_or_404, render_admin, to_account
from kontor.backoffice.views.invoices import invoice_url
from kontor.billing.advance import contract_invoices_in_advance
from kontor.billing.charges import account_invoice_now
from kontor.billing.collective_limits import collective_status
from kontor.billing.models import CollectiveInterval
from kontor.contracts.models import Contract
from kontor.contracts.selectors import subscriptions_of_account
from kontor.core.errors import KontorError
from kontor.core.permissions import Action, can
from kontor.customers.models import Account
from kontor.customers.selectors import account_for_actor


def account_collective_context(actor: Any, account: Account) -> dict[str, Any]:
    """The "Collective invoice" panel and the contracts offered for invoices in advance."""
    status = collective_status(actor=actor, account_id=account.pk)
    active = account.status == "active"
    contracts = {s.contract_id: s.contract for s in subscriptions_of_account(actor, account.pk)}
    return {
        "collective": status,
        "collective_interval": CollectiveInterval(status.interval).label if status.interval else "",
        "collective_shown": status.profile_id is not None or status.pending_items > 0,
        "may_bill_now": active and status.pending_items > 0 and can(actor, Action.INVOICE_FINALIZE),
        "advance_contracts": list(contracts.values())
        if active and can(actor, Action.INVOICE_EDIT_DRAFT)
        else [],
    }


def bill_now_view(site: AdminSite, request: HttpRequest, account_id: Any) -> HttpResponse:
    """Invoice the collected (and other pending) charges today, finalized."""
    actor = request.user
    deny_unless(actor, Action.INVOICE_FINALIZE)
    account = load_or_404(account_for_actor, actor, account_id)
    if request.method != "POST":
        return to_account(account.pk)
    try:
        invoices = account_invoice_now(actor=actor, account_id=account.pk, finalize=True)
    except KontorError as exc:
        messages.error(request, _("Not billed: %s") % exc.message)
        return to_account(account.pk)
    if not invoices:
        messages.warning(request, _("Nothing is due to be billed today."))
        return to_account(account.pk)
    numbers = ", ".join(str(invoice) for invoice in invoices)
    messages.success(
        request,
        ngettext(
            "Invoice %s was created with the collected items.",
            "Invoices %s were created with the collected items.",
            len(invoices),
        )
        % numbers,
    )
    if len(invoices) == 1:
        return HttpResponseRedirect(invoice_url(invoices[0].pk))
    return HttpResponseRedirect(invoices_url(account.pk))


def invoices_in_advance_view(
    site: AdminSite, request: HttpRequest, account_id: Any, contract_id: Any
) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.INVOICE_EDIT_DRAFT)
    account = load_or_404(account_for_actor, actor, account_id)
    contract = _contract_of(actor, account, contract_id)
    form = InAdvanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            drafts = contract_invoices_in_advance(
                actor=actor, contract_id=contract.pk, until=form.cleaned_data["until"]
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            count = len(drafts)
            messages.success(
                request,
                ngettext(
                    "%(count)d draft was created for contract %(contract)s.",
                    "%(count)d drafts were created for contract %(contract)s.",
                    count,
                )
                % {"count": count, "contract": contract.reference},
            )
            return HttpResponseRedirect(collective_url())
    title = _("Invoices in advance for contract %s") % contract.reference
    context = {
        "title": title,
        "account": account,
        "form": form,
        "submit_label": _("Create drafts"),
        "opts": Account._meta,
    }
    return render_admin(request, site, "backoffice/account_form.html", context)


def _contract_of(actor: Any, account: Account, contract_id: Any) -> Contract:
    """The contract, if it belongs to the account (else 404)."""
    row = subscriptions_of_account(actor, account.pk).filter(contract_id=contract_id).first()
    if row is None:
        raise Http404(_("Contract %s does not exist.") % contract_id)
    return row.contract
