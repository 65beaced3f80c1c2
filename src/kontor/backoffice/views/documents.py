"""Documents and deliveries of an invoice in the back office: the archived files (download,
render again with a reason), render failures, the deliveries and their log; and the
dashboard notices of failed deliveries and failed renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.urls import reverse
from django.utils.translation import gettext as _

from kontor.backoffice.forms.delivery import DeliveryAddForm
from kontor.backoffice.views.common import deny_unless, load_or_404
from kontor.core.errors import KontorError
from kontor.core.permissions import Action, can
from kontor.delivery.files import content_type, download_name
from kontor.delivery.outbox import delivery_since
from kontor.delivery.selectors import (
    deliveries_failed,
    invoice_deliveries,
    invoice_delivery_log,
    invoices_held,
    postage_not_charged,
)
from kontor.documents.selectors import document_for_actor, invoice_documents, render_failures
from kontor.documents.services import invoice_document_rerender
from kontor.invoicing.models import Invoice, InvoiceStatus

NOTICE_LIMIT = 50


def detail_text(detail: dict[str, Any] | None) -> str:
    """A log entry's detail as `key: value` pairs, by key (PostgreSQL's jsonb keeps no order),
    empty values left out, lists as comma-separated values."""
    pairs = sorted((k, v) for k, v in (detail or {}).items() if v not in ("", None, []))
    return "; ".join(
        f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
        for key, value in pairs
    )


def invoice_documents_context(
    actor: Any, invoice: Invoice, delivery_form: DeliveryAddForm | None = None
) -> dict[str, Any]:
    """The Documents and Delivery sections of the invoice detail page."""
    log = invoice_delivery_log(actor, invoice.pk)
    finalized = invoice.status == InvoiceStatus.FINALIZED
    held = finalized and invoices_held(actor).filter(pk=invoice.pk).exists()
    return {
        "documents": list(invoice_documents(actor, invoice.pk)),
        "render_failures": list(render_failures(actor).filter(invoice_id=invoice.pk)),
        "may_rerender": invoice.status == InvoiceStatus.FINALIZED
        and can(actor, Action.DOCUMENT_RERENDER),
        "deliveries": list(invoice_deliveries(actor, invoice.pk)),
        "delivery_log": [(event, detail_text(event.detail)) for event in log],
        "may_deliver": finalized and can(actor, Action.INVOICE_FINALIZE),
        "delivery_add_form": delivery_form or DeliveryAddForm(),
        "held_since": delivery_since() if held else None,
    }


def document_download_view(
    site: AdminSite, request: HttpRequest, invoice_id: Any, document_id: Any
) -> HttpResponse:
    """Streams one archived file, as stored (its SHA-256 is the archived hash)."""
    document = load_or_404(document_for_actor, request.user, document_id)
    if document.invoice_id != int(invoice_id):
        raise Http404(_("Document %s does not exist.") % document_id)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=download_name(document),
        content_type=content_type(document.kind),
    )
    response["Cache-Control"] = "private, no-store"
    return response


def document_rerender_view(site: AdminSite, request: HttpRequest, invoice_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.DOCUMENT_RERENDER)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        stored = invoice_document_rerender(
            actor=actor, invoice_id=int(invoice_id), reason=request.POST.get("reason", "")
        )
    except KontorError as exc:
        if exc.status == 404:
            raise Http404(str(exc.message)) from exc
        if exc.status == 403:
            raise PermissionDenied(str(exc.message)) from exc
        messages.error(request, _("Not rendered again: %s") % exc.message)
    else:
        versions = ", ".join(f"{d.get_kind_display()} v{d.version}" for d in stored)
        messages.success(request, _("The documents were rendered again: %s.") % versions)
    return HttpResponseRedirect(
        reverse("admin:invoicing_invoice_change", args=[invoice_id]) + "#invoice-documents"
    )


def dashboard_notices(actor: Any) -> dict[str, Any]:
    """Failed deliveries, invoices held back because they predate delivery, failed renders
    and postage that could not be charged, for the start page, each linking to its invoice."""
    failed = deliveries_failed(actor)
    held = invoices_held(actor)
    failures = render_failures(actor)
    postage = postage_not_charged(actor)
    return {
        "failed_deliveries": list(failed[:NOTICE_LIMIT]),
        "failed_deliveries_count": failed.count(),
        "held_invoices": list(held[:NOTICE_LIMIT]),
        "held_invoices_count": held.count(),
        "delivery_since": delivery_since(),
        "render_failure_list": list(failures[:NOTICE_LIMIT]),
        "render_failures_count": failures.count(),
        "postage_not_charged": list(postage[:NOTICE_LIMIT]),
        "postage_not_charged_count": postage.count(),
    }


ROUTES = [
    (
        "<int:invoice_id>/documents/<int:document_id>/",
        document_download_view,
        "document_download",
    ),
    ("<int:invoice_id>/documents/rerender/", document_rerender_view, "document_rerender"),
]
