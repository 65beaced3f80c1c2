"""The account page ("contract management page"): every section of an account on one page."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.forms.account import (
    AccountCreateForm,
    AccountForm,
    RecipientFormSet,
    RecipientsVersionForm,
)
from kontor.backoffice.views.collective_account import account_collective_context
from kontor.backoffice.views.common import (
    account_url,
    deny_unless,
    load_or_404,
    render_admin,
    to_account,
)
from kontor.contracts.models import EndReason
from kontor.contracts.selectors import subscriptions_of_account
from kontor.core import clock
from kontor.core.errors import ConcurrentEdit, KontorError
from kontor.core.permissions import Action, can
from kontor.customers.models import Account
from kontor.customers.selectors import (
    account_contract_period_start,
    account_for_actor,
    effective_payment_term_days,
    party_change_requests_pending,
)
from kontor.customers.services import account_create, account_set_recipients, account_update
from kontor.customers.types import RecipientData

TEMPLATE = "backoffice/account_page.html"
_RECIPIENT_INDEX = re.compile(r"^recipients\[(\d+)\]\.(\w+)$")


def account_page(site: AdminSite, request: HttpRequest, account_id: Any) -> HttpResponse:
    actor = request.user
    account = load_or_404(account_for_actor, actor, account_id)
    form = AccountForm(request.POST or None, actor=actor, account=account)
    conflict = ""
    if request.method == "POST":
        if not form.editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                account_update(
                    actor=actor,
                    account_id=account.pk,
                    expected_version=form.cleaned_data["version"],
                    changes=form.changes(),
                )
            except ConcurrentEdit as exc:
                conflict = str(exc.message)
            except KontorError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The account was saved."))
                return to_account(account.pk)
    return render_account(site, request, account, form=form, conflict=conflict)


def recipients_save(site: AdminSite, request: HttpRequest, account_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.ACCOUNT_UPDATE)
    account = load_or_404(account_for_actor, actor, account_id)
    if request.method != "POST":
        return to_account(account.pk)
    formset = RecipientFormSet(request.POST, prefix="recipients")
    version_form = RecipientsVersionForm(request.POST, prefix="recipients_meta")
    conflict = ""
    if formset.is_valid() and version_form.is_valid():
        rows = [
            (i, f.cleaned_data) for i, f in enumerate(formset.forms) if f.cleaned_data.get("email")
        ]
        try:
            account_set_recipients(
                actor=actor,
                account_id=account.pk,
                expected_version=version_form.cleaned_data["version"],
                recipients=[RecipientData(d["email"], d["delivery_mode"]) for _i, d in rows],
            )
        except ConcurrentEdit as exc:
            conflict = str(exc.message)
        except KontorError as exc:
            _recipient_errors(formset, [i for i, _d in rows], exc)
        else:
            messages.success(request, _("The invoice recipients were saved."))
            return to_account(account.pk)
    return render_account(site, request, account, recipients=formset, conflict=conflict)


def _recipient_errors(formset: Any, indexes: list[int], exc: KontorError) -> None:
    for error in exc.errors:
        match = _RECIPIENT_INDEX.match(error.field or "")
        if match and int(match[1]) < len(indexes):
            form = formset.forms[indexes[int(match[1])]]
            name = match[2] if match[2] in form.fields else None
            form.add_error(name, str(error.message))
        else:
            formset.forms[0].add_error(None, str(error.message))


def render_account(
    site: AdminSite,
    request: HttpRequest,
    account: Account,
    *,
    form: AccountForm | None = None,
    recipients: Any = None,
    conflict: str = "",
) -> HttpResponse:
    actor = request.user
    form = form or AccountForm(actor=actor, account=account)
    if recipients is None:
        initial = [
            {"email": r.email, "delivery_mode": r.delivery_mode}
            for r in account.recipients.order_by("id")
        ]
        recipients = RecipientFormSet(initial=initial, prefix="recipients")
    context = {
        "title": _("Account %(number)s – %(name)s")
        % {"number": account.customer_number, "name": account.contract_party.display_name},
        "account": account,
        "party": account.contract_party,
        "form": form,
        "recipients": recipients,
        "recipients_meta": RecipientsVersionForm(
            initial={"version": account.version}, prefix="recipients_meta"
        ),
        "conflict": conflict,
        "reload_url": account_url(account.pk),
        "effective_payment_term_days": effective_payment_term_days(account),
        "payment_term_is_default": account.payment_term_days is None,
        "contract_period_start": account_contract_period_start(account),
        "subscriptions": _subscription_rows(actor, account),
        "bank_accounts": list(account.bank_accounts.order_by("id")),
        "mandates": list(account.mandates.select_related("bank_account").order_by("-id")),
        "acceptances": list(account.legal_acceptances.select_related("document")),
        "pending_request": party_change_requests_pending(actor).filter(account=account).first(),
        "perms_": _flags(actor, account),
        "opts": Account._meta,
        **account_collective_context(actor, account),
    }
    return render_admin(request, site, TEMPLATE, context)


def _flags(actor: Any, account: Account) -> dict[str, bool]:
    active = account.status == "active"
    return {
        "edit": active and can(actor, Action.ACCOUNT_UPDATE),
        "party_change": active and can(actor, Action.CONTRACT_PARTY_CHANGE),
        "book_module": active and can(actor, Action.SUBSCRIPTION_CREATE),
        "cancel": active and can(actor, Action.SUBSCRIPTION_CANCEL),
        "change_tariff": active and can(actor, Action.SUBSCRIPTION_CHANGE_TARIFF),
        "book_addon": active and can(actor, Action.SUBSCRIPTION_BOOK_ADDON),
        "bank": active and can(actor, Action.BANK_ACCOUNT_MANAGE),
        "mandate": active and can(actor, Action.MANDATE_MANAGE),
        "delete": active and can(actor, Action.ACCOUNT_DELETE),
        "history": can(actor, Action.HISTORY_VIEW),
    }


def _subscription_rows(actor: Any, account: Account) -> list[dict[str, Any]]:
    today = clock.today()
    rows = []
    for sub in subscriptions_of_account(actor, account.pk):
        ended = sub.end_reason in (EndReason.CANCELLED, EndReason.TARIFF_CHANGE)
        rows.append(
            {
                "sub": sub,
                "tariff": sub.tariff_version.tariff,
                "price": sub.effective_price,
                "addons": list(sub.addons.all()),
                "open": not ended,
                "current": sub.end_date is None or sub.end_date >= today,
            }
        )
    return rows


def account_add(site: AdminSite, request: HttpRequest) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.ACCOUNT_CREATE)
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = account_create(
                actor=actor,
                party=form.party_data(),
                fields=form.account_fields(),
                customer_number=form.cleaned_data["customer_number"] or None,
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Account %s was created.") % account.customer_number)
            return to_account(account.pk)
    context = {"title": _("New account"), "form": form, "opts": Account._meta}
    return render_admin(request, site, "backoffice/form_page.html", context)
