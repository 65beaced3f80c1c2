"""Book a module for an account: tariff, start date, quantity, contract, deviating price."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.forms.workflows import BookModuleForm, tariff_choice_label
from kontor.backoffice.views.common import (
    deny_unless,
    load_or_404,
    posted_date,
    render_admin,
    short_date,
    to_account,
)
from kontor.billing.engine import service_start_for_order
from kontor.billing.models import BillingSettings
from kontor.catalog.selectors import TariffChoice, tariff_choices
from kontor.contracts.models import Subscription
from kontor.contracts.selectors import current_tariff_version
from kontor.contracts.services import subscription_create
from kontor.core import clock
from kontor.core.errors import KontorError, NotFound
from kontor.core.permissions import Action, can
from kontor.customers.models import Account
from kontor.customers.selectors import account_for_actor


def default_start_date(settings_row: BillingSettings, today: date) -> date:
    """Today, or with "start on the 1st of the following month" the start the engine computes
    for an order placed today (no cutoff day: always the 1st of the next month)."""
    if not settings_row.start_next_month:
        return today
    return service_start_for_order(today, settings_row.start_cutoff_day or 31)


def subscription_add_view(site: AdminSite, request: HttpRequest, account_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.SUBSCRIPTION_CREATE)
    account = load_or_404(account_for_actor, actor, account_id)
    settings_row = BillingSettings.load()
    form = BookModuleForm(
        request.POST or None,
        price_changeable=settings_row.deviating_price_changeable
        and can(actor, Action.SUBSCRIPTION_SET_PRICE),
        initial={"start_date": default_start_date(settings_row, clock.today())},
    )
    start = posted_date(form, "start_date") or form.initial["start_date"]
    offered = {choice.tariff.pk: choice for choice in tariff_choices(actor, start)}
    form.set_choices([(pk, tariff_choice_label(choice)) for pk, choice in offered.items()])
    if request.method == "POST" and form.is_valid():
        subscription = _book(actor, account, form, offered[int(form.cleaned_data["tariff"])])
        if subscription is not None:
            messages.success(
                request,
                _("%(tariff)s was booked from %(date)s.")
                % {
                    "tariff": subscription.tariff_version.tariff,
                    "date": short_date(subscription.start_date),
                },
            )
            return to_account(account.pk)
    context = {
        "title": _("Book a module for %s") % account.customer_number,
        "account": account,
        "form": form,
        "submit_label": _("Book module"),
        "opts": Account._meta,
    }
    return render_admin(request, site, "backoffice/form_page.html", context)


def _book(
    actor: Any, account: Account, form: BookModuleForm, choice: TariffChoice
) -> Subscription | None:
    data = form.cleaned_data
    try:
        version = current_tariff_version(choice.tariff.pk, data["start_date"])
    except NotFound:
        form.add_error(
            "start_date",
            _("%(tariff)s can be booked from %(date)s on.")
            % {"tariff": choice.tariff, "date": short_date(choice.version.valid_from)},
        )
        return None
    try:
        return subscription_create(
            actor=actor,
            account_id=account.pk,
            tariff_version_id=version.pk,
            start_date=data["start_date"],
            quantity=data["quantity"],
            contract_reference=data["contract_reference"],
            deviating_price=data.get("deviating_price"),
        )
    except KontorError as exc:
        add_service_error(form, exc)
        return None
