"""Delivery actions on the invoice page, for managers and clerks: send a failed delivery
again, send the invoice to another address, and send an invoice that was held back because
it predates delivery. Each is a POST form calling one service; the outcome (or the field and
reason of a refusal) is a message on the invoice page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.urls import reverse
from django.utils.translation import gettext as _

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.forms.delivery import DeliveryAddForm
from kontor.backoffice.views.common import deny_unless, load_or_404
from kontor.backoffice.views.invoices import invoice_detail_view
from kontor.core.errors import KontorError
from kontor.core.permissions import Action
from kontor.delivery.models import Delivery
from kontor.delivery.services import deliveries_release_held, delivery_add, delivery_retry
from kontor.invoicing.selectors import invoice_for_actor


def delivery_retry_view(
    site: AdminSite, request: HttpRequest, invoice_id: Any, delivery_id: Any
) -> HttpResponse:
    refused = _refuse_early(request)
    if refused is not None:
        return refused
    load_or_404(invoice_for_actor, request.user, invoice_id)
    delivery = _call(
        request,
        lambda: delivery_retry(
            actor=request.user, delivery_id=int(delivery_id), invoice_id=int(invoice_id)
        ),
        refused=_("Not sent again: %s"),
    )
    if delivery is not None:
        messages.success(
            request,
            _("The delivery to %s is queued again; it goes out with the next delivery run.")
            % (delivery.recipient or delivery.get_channel_display()),
        )
    return _to_deliveries(invoice_id)


def delivery_add_view(site: AdminSite, request: HttpRequest, invoice_id: Any) -> HttpResponse:
    """On a refusal the invoice page comes back with the form filled in and the error at
    its field."""
    refused = _refuse_early(request)
    if refused is not None:
        return refused
    invoice = load_or_404(invoice_for_actor, request.user, invoice_id)
    form = DeliveryAddForm(request.POST)
    if form.is_valid():
        try:
            delivery = delivery_add(actor=request.user, invoice_id=invoice.pk, **form.cleaned_data)
        except KontorError as exc:
            _raise_http(exc)
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Invoice %(number)s goes to %(recipient)s with the next delivery run.")
                % {"number": invoice.number, "recipient": delivery.recipient},
            )
            return _to_deliveries(invoice.pk)
    messages.error(request, _("Not sent: %s") % _form_reason(form))
    return invoice_detail_view(site, request, invoice.pk, delivery_form=form)


def delivery_release_view(site: AdminSite, request: HttpRequest, invoice_id: Any) -> HttpResponse:
    refused = _refuse_early(request)
    if refused is not None:
        return refused
    invoice = load_or_404(invoice_for_actor, request.user, invoice_id)
    released = _call(
        request,
        lambda: deliveries_release_held(actor=request.user, invoice_id=invoice.pk),
        refused=_("Not sent: %s"),
    )
    if released is not None:
        messages.success(
            request,
            _("Invoice %s is no longer held back: it goes out with the next delivery run.")
            % invoice.number,
        )
    return _to_deliveries(invoice.pk)


def _refuse_early(request: HttpRequest) -> HttpResponse | None:
    """403 for a role that may not send, before anything is read; 405 for anything but POST."""
    deny_unless(request.user, Action.INVOICE_FINALIZE)
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _call(request: HttpRequest, service: Callable[[], Any], *, refused: str) -> Any:
    """The service's result; on a refusal None, and the message `refused` with the field and
    reason (a missing record or permission becomes 404 or 403)."""
    try:
        return service()
    except KontorError as exc:
        _raise_http(exc)
        messages.error(request, refused % _reason(exc))
        return None


def _raise_http(exc: KontorError) -> None:
    if exc.status == 404:
        raise Http404(str(exc.message)) from exc
    if exc.status == 403:
        raise PermissionDenied(str(exc.message)) from exc


def _label(field: str) -> str:
    try:
        return str(Delivery._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


def _reason(exc: KontorError) -> str:
    """`field: reason` per error, the field by its label."""
    return "; ".join(
        f"{_label(error.field)}: {error.message}" if error.field else str(error.message)
        for error in exc.errors
    )


def _form_reason(form: DeliveryAddForm) -> str:
    return "; ".join(
        f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
        for name, errors in form.errors.items()
        for message in errors
    )


def _to_deliveries(invoice_id: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        reverse("admin:invoicing_invoice_change", args=[invoice_id]) + "#invoice-deliveries"
    )


ROUTES = [
    (
        "<int:invoice_id>/deliveries/<int:delivery_id>/retry/",
        delivery_retry_view,
        "delivery_retry",
    ),
    ("<int:invoice_id>/deliveries/add/", delivery_add_view, "delivery_add"),
    ("<int:invoice_id>/deliveries/release/", delivery_release_view, "delivery_release"),
]
