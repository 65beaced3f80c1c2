"""Deleting (anonymising) an account and the change log pages."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kontor.backoffice.changelog import account_changelog, record_changelog
from kontor.backoffice.errors import add_service_error
from kontor.backoffice.forms.workflows import ConfirmForm
from kontor.backoffice.views.common import (
    account_url,
    deny_unless,
    load_or_404,
    render_admin,
    to_account,
)
from kontor.core import clock
from kontor.core.errors import KontorError
from kontor.core.permissions import Action
from kontor.customers.models import Account
from kontor.customers.selectors import account_deletion_blockers, account_for_actor
from kontor.customers.services import account_delete

# Records with their own change log page (the account page shows the merged log).
CHANGELOG_MODELS = {
    "customers.account",
    "customers.contractparty",
    "customers.invoicerecipient",
    "customers.bankaccount",
    "customers.mandate",
    "customers.customergroup",
    "customers.branch",
    "customers.legaldocument",
    "contracts.contract",
    "contracts.subscription",
    "contracts.subscriptionaddon",
    "catalog.taxcategory",
    "catalog.taxrate",
    "catalog.article",
    "catalog.module",
    "catalog.tariff",
    "catalog.tariffversion",
    "billing.billingsettings",
    "billing.collectiveprofile",
}


def account_delete_view(site: AdminSite, request: HttpRequest, account_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.ACCOUNT_DELETE)
    account = load_or_404(account_for_actor, actor, account_id)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(actor=actor, account_id=account.pk)
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Account %s was deleted: its personal data is anonymised.")
                % account.customer_number,
            )
            return to_account(account.pk)
    context = {
        "title": _("Delete account %s") % account.customer_number,
        "account": account,
        "blockers": account_deletion_blockers(account, clock.today()),
        "form": form,
        "opts": Account._meta,
    }
    return render_admin(request, site, "backoffice/account_delete.html", context)


def account_changelog_view(site: AdminSite, request: HttpRequest, account_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.HISTORY_VIEW)
    account = load_or_404(account_for_actor, actor, account_id)
    context = {
        "title": _("Change log of account %s") % account.customer_number,
        "entries": account_changelog(actor, account),
        "back_url": account_url(account.pk),
        "account": account,
        "opts": Account._meta,
    }
    return render_admin(request, site, "backoffice/changelog.html", context)


def record_changelog_view(
    site: AdminSite, request: HttpRequest, model_label: str, object_id: Any
) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.HISTORY_VIEW)
    if model_label not in CHANGELOG_MODELS:
        raise Http404
    model = apps.get_model(model_label)
    context = {
        "title": _("Change log of %(record)s #%(id)s")
        % {"record": model._meta.verbose_name, "id": object_id},
        "entries": record_changelog(actor, model, object_id),
        "opts": model._meta,
    }
    return render_admin(request, site, "backoffice/changelog.html", context)
