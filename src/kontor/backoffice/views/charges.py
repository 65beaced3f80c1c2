"""One-off charges and "invoice now" for an account."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.forms.billing import ChargeForm, InvoiceNowForm
from kontor.backoffice.views.common import deny_unless, load_or_404, render_admin
from kontor.billing.charges import account_invoice_now, charge_create
from kontor.billing.models import Charge
from kontor.catalog.selectors import tax_category_list
from kontor.core.errors import KontorError
from kontor.core.permissions import Action
from kontor.customers.models import Account
from kontor.customers.selectors import account_for_actor

TEMPLATE = "backoffice/account_form.html"


def charges_url(account_id: int) -> str:
    return reverse("admin:billing_charge_changelist") + f"?account__id__exact={account_id}"


def invoices_url(account_id: int) -> str:
    return reverse("admin:invoicing_invoice_changelist") + f"?account__id__exact={account_id}"


def _render(site: AdminSite, request: HttpRequest, account: Account, **context: Any) -> Any:
    context.update(account=account, opts=Charge._meta)
    return render_admin(request, site, TEMPLATE, context)


def charge_add_view(site: AdminSite, request: HttpRequest, account_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.CHARGE_CREATE)
    account = load_or_404(account_for_actor, actor, account_id)
    choices = [(c.pk, f"{c.code} – {c.name}") for c in tax_category_list(actor)]
    form = ChargeForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            charge = charge_create(
                actor=actor,
                account_id=account.pk,
                description=data["description"],
                unit_price=data["unit_price"],
                quantity=data["quantity"],
                tax_category_id=int(data["tax_category"]),
                service_date=data["service_date"],
                article_number=data["article_number"],
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Charge %(text)s (%(amount)s) was added; the next billing run invoices it.")
                % {"text": charge.description, "amount": charge.amount},
            )
            return HttpResponseRedirect(charges_url(account.pk))
    title = _("Add a one-off charge")
    return _render(site, request, account, title=title, form=form, submit_label=title)


def invoice_now_view(site: AdminSite, request: HttpRequest, account_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.INVOICE_EDIT_DRAFT)
    account = load_or_404(account_for_actor, actor, account_id)
    form = InvoiceNowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invoices = account_invoice_now(
                actor=actor,
                account_id=account.pk,
                as_of=form.cleaned_data["as_of"],
                finalize=form.cleaned_data["finalize"],
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            count = len(invoices)
            text = ngettext("%d invoice was created.", "%d invoices were created.", count)
            if count:
                messages.success(request, text % count)
            else:
                messages.warning(request, _("No pending charges: nothing was invoiced."))
            return HttpResponseRedirect(invoices_url(account.pk))
    title = _("Invoice pending charges now")
    return _render(site, request, account, title=title, form=form, submit_label=_("Invoice now"))
