"""Workflow views on booked modules: cancel, change tariff, book an add-on."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.forms.workflows import (
    BookAddonForm,
    CancelForm,
    ChangeTariffForm,
    tariff_choice_label,
)
from kontor.backoffice.views.common import (
    deny_unless,
    load_or_404,
    posted_date,
    render_admin,
    short_date,
    to_account,
)
from kontor.catalog.selectors import tariff_choices
from kontor.contracts import services
from kontor.contracts.models import Subscription
from kontor.contracts.selectors import earliest_cancellation_date, subscription_for_actor
from kontor.core import clock
from kontor.core.errors import KontorError
from kontor.core.permissions import Action, can

TEMPLATE = "backoffice/subscription_form.html"


def _subscription(actor: Any, account_id: Any, subscription_id: Any) -> Subscription:
    subscription = load_or_404(subscription_for_actor, actor, subscription_id)
    if str(subscription.account_id) != str(account_id):
        raise PermissionDenied
    return subscription


def _render(site: AdminSite, request: HttpRequest, sub: Subscription, **context: Any) -> Any:
    context.setdefault("subscription", sub)
    context.setdefault("account", sub.account)
    context["opts"] = Subscription._meta
    return render_admin(request, site, TEMPLATE, context)


def subscription_cancel_view(
    site: AdminSite, request: HttpRequest, account_id: Any, subscription_id: Any
) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.SUBSCRIPTION_CANCEL)
    sub = _subscription(actor, account_id, subscription_id)
    form = CancelForm(request.POST or None, initial={"version": sub.version})
    if not can(actor, Action.SUBSCRIPTION_OVERRIDE_DATE):
        form.fields["end_date"].disabled = True
        form.fields["end_date"].help_text = _("Only a manager may choose a different date.")
    notice_on = posted_date(form, "notice_given_on") or clock.today()
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            sub = services.subscription_cancel(
                actor=actor,
                subscription_id=sub.pk,
                expected_version=form.cleaned_data["version"],
                notice_given_on=form.cleaned_data["notice_given_on"],
                end_date=form.cleaned_data.get("end_date"),
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(module)s is cancelled; the last day of service is %(end)s.")
                % {"module": sub.tariff_version.tariff, "end": short_date(sub.end_date)},
            )
            return to_account(sub.account_id)
    earliest = earliest_cancellation_date(sub, notice_on)
    return _render(
        site,
        request,
        sub,
        title=_("Cancel %s") % sub.tariff_version.tariff,
        form=form,
        earliest=earliest,
        notice_on=notice_on,
        submit_label=_("Cancel module"),
        preview_label=_("Calculate earliest date"),
    )


def subscription_change_tariff_view(
    site: AdminSite, request: HttpRequest, account_id: Any, subscription_id: Any
) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.SUBSCRIPTION_CHANGE_TARIFF)
    sub = _subscription(actor, account_id, subscription_id)
    form = ChangeTariffForm(request.POST or None, initial={"version": sub.version})
    on = posted_date(form, "effective_date") or posted_date(form, "requested_on") or clock.today()
    offered = tariff_choices(actor, on, module_id=sub.module_id)
    form.set_choices(
        [
            (c.version.pk, tariff_choice_label(c))
            for c in offered
            if c.version.pk != sub.tariff_version_id
        ]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            successor = services.subscription_change_tariff(
                actor=actor,
                subscription_id=sub.pk,
                expected_version=data["version"],
                tariff_version_id=int(data["tariff_version"]),
                requested_on=data["requested_on"],
                effective_date=data.get("effective_date"),
                quantity=data.get("quantity"),
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The tariff changes to %(tariff)s on %(date)s.")
                % {
                    "tariff": successor.tariff_version.tariff,
                    "date": short_date(successor.start_date),
                },
            )
            return to_account(sub.account_id)
    return _render(
        site,
        request,
        sub,
        title=_("Change tariff of %s") % sub.tariff_version.tariff,
        form=form,
        submit_label=_("Change tariff"),
    )


def subscription_book_addon_view(
    site: AdminSite, request: HttpRequest, account_id: Any, subscription_id: Any
) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.SUBSCRIPTION_BOOK_ADDON)
    sub = _subscription(actor, account_id, subscription_id)
    articles = sub.tariff_version.tariff.addons.filter(active=True).order_by("number")
    choices = [(a.pk, f"{a} – {a.price:.2f}") for a in articles]
    form = BookAddonForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            addon = services.subscription_book_addon(
                actor=actor,
                subscription_id=sub.pk,
                article_id=int(data["article"]),
                start_date=data["start_date"],
                quantity=data["quantity"],
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Add-on %s was booked.") % addon.article)
            return to_account(sub.account_id)
    return _render(
        site,
        request,
        sub,
        title=_("Book an add-on for %s") % sub.tariff_version.tariff,
        form=form,
        submit_label=_("Book add-on"),
    )
