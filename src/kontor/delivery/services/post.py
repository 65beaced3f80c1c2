"""The print queue: one PDF per day with the documents of every post delivery due, for
printing and mailing; the optional postal surcharge becomes a one-off charge on the account,
billed with its next invoice."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from kontor.billing.charges import charge_create
from kontor.catalog.models import TaxCategory
from kontor.core import clock
from kontor.core.errors import KontorError, invalid
from kontor.core.permissions import Action, require
from kontor.delivery import files
from kontor.delivery.models import (
    Delivery,
    DeliveryChannel,
    DeliveryEvent,
    DeliveryEventKind,
    DeliveryStatus,
)
from kontor.delivery.services.send import lock_rows
from kontor.documents.models import DocumentKind
from kontor.invoicing.models import InvoiceKind


@dataclass
class PrintBundle:
    day: date
    file: str = ""  # storage name of the bundle, empty when nothing was due
    deliveries: list[int] = field(default_factory=list)
    pages: int = 0
    charges: list[int] = field(default_factory=list)


def print_bundle_create(*, actor: Any, day: date) -> PrintBundle:
    """Bundle the post deliveries due up to `day` (earlier ones never printed included), mark
    them sent and log them. Running it again prints nothing twice."""
    require(actor, Action.INVOICE_FINALIZE)
    surcharge = _surcharge()
    bundle = PrintBundle(day=day)
    with transaction.atomic():
        due = Delivery.objects.filter(
            channel=DeliveryChannel.POST,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lt=files.start_of_day(day + timedelta(days=1)),
        ).order_by("invoice_id", "pk")
        ids = list(lock_rows(due).values_list("pk", flat=True))
        if not ids:
            return bundle
        deliveries = list(Delivery.objects.select_related("invoice").filter(pk__in=ids))
        deliveries.sort(key=lambda d: (d.invoice_id, d.pk))
        content, first_pages = _bundle_pdf(deliveries)
        bundle.file = default_storage.save(
            f"print/{day:%Y}/print-{day.isoformat()}.pdf", ContentFile(content)
        )
        bundle.deliveries, bundle.pages = ids, first_pages[-1][1]
        _mark_printed(actor, deliveries, bundle, first_pages)
        if surcharge is not None:
            bundle.charges = _charge_postage(actor, deliveries, surcharge, day)
    return bundle


def _surcharge() -> tuple[Decimal, int] | None:
    """(amount, tax category id) from KONTOR_POSTAL_SURCHARGE, checked before anything is
    printed; None when no surcharge is set."""
    raw = (settings.KONTOR_POSTAL_SURCHARGE or "").strip()
    if not raw:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise invalid(
            "KONTOR_POSTAL_SURCHARGE", _("Give the surcharge as a decimal number, e.g. 1.20.")
        ) from exc
    if not amount.is_finite() or amount <= 0:
        raise invalid("KONTOR_POSTAL_SURCHARGE", _("The surcharge must be more than zero."))
    code = settings.KONTOR_POSTAL_SURCHARGE_TAX_CATEGORY
    category = TaxCategory.objects.filter(code=code).values_list("pk", flat=True).first()
    if category is None:
        raise invalid(
            "KONTOR_POSTAL_SURCHARGE_TAX_CATEGORY",
            _("Tax category %s does not exist.") % code,
            "not_found",
        )
    return amount, category


def _bundle_pdf(deliveries: list[Delivery]) -> tuple[bytes, list[tuple[int, int]]]:
    """The concatenated PDFs, and per delivery its (first page, last page), 1-based."""
    writer = PdfWriter()
    pages: list[tuple[int, int]] = []
    for delivery in deliveries:
        documents = files.latest_documents(delivery.invoice_id, [DocumentKind.FACTURX_PDF])
        if not documents:
            raise LookupError(f"invoice {delivery.invoice_id} has no archived PDF")
        reader = PdfReader(io.BytesIO(files.read(documents[0])))
        first = len(writer.pages) + 1
        for page in reader.pages:
            writer.add_page(page)
        pages.append((first, len(writer.pages)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue(), pages


def _mark_printed(
    actor: Any, deliveries: list[Delivery], bundle: PrintBundle, pages: list[tuple[int, int]]
) -> None:
    now = clock.now()
    Delivery.objects.filter(pk__in=bundle.deliveries).update(
        status=DeliveryStatus.SENT, sent_at=now, attempts=1, last_error=""
    )
    DeliveryEvent.objects.bulk_create(
        DeliveryEvent(
            delivery=delivery,
            at=now,
            kind=DeliveryEventKind.PRINTED,
            detail={
                "bundle": bundle.file,
                "pages": [first, last],
                "by": getattr(actor, "username", ""),
            },
        )
        for delivery, (first, last) in zip(deliveries, pages, strict=True)
    )


def _charge_postage(
    actor: Any, deliveries: list[Delivery], surcharge: tuple[Decimal, int], day: date
) -> list[int]:
    """One charge per printed invoice (not for credit notes), keyed by the delivery, so it is
    never charged twice. A charge that cannot be made is logged on the delivery."""
    amount, category_id = surcharge
    charges = []
    for delivery in deliveries:
        invoice = delivery.invoice
        if invoice.kind == InvoiceKind.CREDIT_NOTE:
            continue
        language = ((invoice.snapshot or {}).get("buyer") or {}).get("language") or "de"
        with translation.override(language):
            description = _("Postage for invoice %s") % invoice.number
        try:
            with transaction.atomic():
                charge = charge_create(
                    actor=actor,
                    account_id=invoice.account_id,
                    description=description,
                    unit_price=amount,
                    tax_category_id=category_id,
                    service_date=day,
                    idempotency_key=f"postage:{delivery.pk}",
                    enforce_limit=False,  # a fee for a service already given
                )
        except KontorError as exc:
            DeliveryEvent.objects.create(
                delivery=delivery,
                at=clock.now(),
                kind=DeliveryEventKind.SURCHARGE_FAILED,
                detail={"error": str(exc)},
            )
            continue
        charges.append(charge.pk)
    return charges
