"""Invoice pages: the detail page (snapshot, lines, VAT, totals); drafts are edited, finalized
or deleted there; finalized invoices are corrected by a credit note."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.forms.billing import CreditNoteForm, InvoiceDraftForm, InvoiceLineForm
from kontor.backoffice.views.common import deny_unless, load_or_404, render_admin
from kontor.backoffice.views.documents import invoice_documents_context
from kontor.core.errors import ConcurrentEdit, KontorError
from kontor.core.permissions import Action, can
from kontor.invoicing import services
from kontor.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from kontor.invoicing.selectors import invoice_for_actor

DETAIL = "backoffice/billing/invoice_detail.html"


def invoice_url(invoice_id: int) -> str:
    return reverse("admin:invoicing_invoice_change", args=[invoice_id])


def _draft_forms(invoice: Invoice, data: Any = None, posted: str = "") -> dict[str, Any]:
    """The texts form and one form per line; only the posted one is bound."""
    texts = InvoiceDraftForm(
        data if posted == "texts" else None,
        initial={
            "version": invoice.version,
            "header_text": invoice.header_text,
            "footer_text": invoice.footer_text,
            "send_date": invoice.send_date,
        },
    )
    lines = []
    for line in invoice.lines.order_by("position"):
        bound = posted == f"line_{line.position}"
        form = InvoiceLineForm(
            data if bound else None,
            prefix=f"line_{line.position}",
            initial={
                "version": invoice.version,
                "position": line.position,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            },
        )
        lines.append((line, form))
    return {"texts_form": texts, "line_forms": lines}


def invoice_detail_view(
    site: AdminSite, request: HttpRequest, invoice_id: Any, *, delivery_form: Any = None
) -> HttpResponse:
    """`delivery_form`: the "send to another address" form as posted, with its errors."""
    actor = request.user
    invoice = load_or_404(invoice_for_actor, actor, invoice_id)
    is_draft = invoice.status == InvoiceStatus.DRAFT
    may_edit = is_draft and can(actor, Action.INVOICE_EDIT_DRAFT)
    posted = request.POST.get("form", "") if request.method == "POST" else ""
    forms = _draft_forms(invoice, request.POST or None, posted)
    if posted:
        deny_unless(actor, Action.INVOICE_EDIT_DRAFT)
        if _save_draft(request, invoice, posted, forms):
            return HttpResponseRedirect(invoice_url(invoice.pk))
    context = {
        "title": str(invoice),
        "invoice": invoice,
        "opts": Invoice._meta,
        "snapshot": invoice.snapshot or {},
        "lines": invoice.lines.order_by("position"),
        "taxes": invoice.taxes.order_by("category", "rate"),
        "credit_notes": invoice.credit_notes.order_by("id"),
        "may_edit": may_edit,
        "may_finalize": is_draft and can(actor, Action.INVOICE_FINALIZE),
        "may_credit": not is_draft
        and invoice.kind == InvoiceKind.INVOICE
        and can(actor, Action.CREDIT_NOTE_CREATE),
        **(forms if may_edit else {}),
        **invoice_documents_context(actor, invoice, delivery_form),
    }
    return render_admin(request, site, DETAIL, context)


def _save_draft(request: HttpRequest, invoice: Invoice, posted: str, forms: dict[str, Any]) -> bool:
    """Apply the posted form through its service; errors stay on the bound form (or become
    messages when the invoice is no longer a draft and shows no forms)."""
    actor = request.user
    form = forms["texts_form"]
    if posted != "texts":
        form = next((f for _line, f in forms["line_forms"] if f.is_bound), None)
        if form is None:
            return True
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if posted == "texts":
            services.invoice_draft_update(
                actor=actor,
                invoice_id=invoice.pk,
                expected_version=data["version"],
                changes={k: data[k] for k in ("header_text", "footer_text", "send_date")},
            )
        else:
            services.invoice_line_update(
                actor=actor,
                invoice_id=invoice.pk,
                expected_version=data["version"],
                position=data["position"],
                description=data["description"],
                quantity=data["quantity"],
                unit_price=data["unit_price"],
            )
    except KontorError as exc:
        if invoice.status != InvoiceStatus.DRAFT:
            messages.error(request, _stale_or(exc))
        add_service_error(form, exc)
        return False
    messages.success(request, _("The draft was saved."))
    return True


def invoice_finalize_view(site: AdminSite, request: HttpRequest, invoice_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.INVOICE_FINALIZE)
    invoice = load_or_404(invoice_for_actor, actor, invoice_id)
    if request.method == "POST":
        try:
            invoice = services.invoice_finalize(
                actor=actor,
                invoice_id=invoice.pk,
                expected_version=_version(request),
            )
        except KontorError as exc:
            messages.error(request, _stale_or(exc))
        else:
            messages.success(request, _("Invoice %s was finalized.") % invoice.number)
    return HttpResponseRedirect(invoice_url(invoice.pk))


def invoice_delete_view(site: AdminSite, request: HttpRequest, invoice_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.INVOICE_EDIT_DRAFT)
    invoice = load_or_404(invoice_for_actor, actor, invoice_id)
    if request.method == "POST":
        try:
            services.invoice_draft_delete(
                actor=actor, invoice_id=invoice.pk, expected_version=_version(request)
            )
        except KontorError as exc:
            messages.error(request, _stale_or(exc))
        else:
            messages.success(
                request, _("The draft was deleted; its charges are billed by the next run.")
            )
            return HttpResponseRedirect(reverse("admin:invoicing_invoice_changelist"))
    return HttpResponseRedirect(invoice_url(invoice.pk))


def credit_note_view(site: AdminSite, request: HttpRequest, invoice_id: Any) -> HttpResponse:
    actor = request.user
    deny_unless(actor, Action.CREDIT_NOTE_CREATE)
    invoice = load_or_404(invoice_for_actor, actor, invoice_id)
    form = CreditNoteForm(request.POST or None, lines=list(invoice.lines.order_by("position")))
    if request.method == "POST" and form.is_valid():
        try:
            note = services.credit_note_create(
                actor=actor,
                invoice_id=invoice.pk,
                reason=form.cleaned_data["reason"],
                lines=form.line_amounts(),
                finalize=form.cleaned_data["finalize"],
            )
        except KontorError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Credit note %s was created.") % note)
            return HttpResponseRedirect(invoice_url(note.pk))
    context = {
        "title": _("Credit note for invoice %s") % invoice.number,
        "form": form,
        "invoice": invoice,
        "opts": Invoice._meta,
        "submit_label": _("Create credit note"),
    }
    return render_admin(request, site, "backoffice/billing/credit_note_form.html", context)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _stale_or(exc: KontorError) -> str:
    if isinstance(exc, ConcurrentEdit):
        return _("Not saved: the draft was changed by someone else. Reload it and try again.")
    return str(exc.message)
