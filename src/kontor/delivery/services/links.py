"""Open a signed download link: the document, and a "downloaded" entry in the delivery log."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from kontor.core import clock
from kontor.core.errors import NotFound
from kontor.delivery import files
from kontor.delivery.links import read_token
from kontor.delivery.models import Delivery, DeliveryEvent, DeliveryEventKind
from kontor.documents.models import Document


@dataclass(frozen=True)
class LinkDownload:
    file_name: str
    content_type: str
    content: bytes


def delivery_link_open(*, token: str, ip: str = "") -> LinkDownload:
    """The document behind `token`. A guessed, tampered with or expired token, or one whose
    delivery or document is gone, raises the same NotFound: nothing is revealed."""
    ids = read_token(token)
    delivery = document = None
    if ids is not None:
        document_id, delivery_id = ids
        delivery = Delivery.objects.select_related("invoice").filter(pk=delivery_id).first()
        if delivery is not None:
            document = (
                Document.objects.select_related("invoice")
                .filter(pk=document_id, invoice_id=delivery.invoice_id)
                .first()
            )
    if delivery is None or document is None:
        raise NotFound(_("This link is not valid."), code="link_invalid")
    content = files.read(document)
    DeliveryEvent.objects.create(
        delivery=delivery,
        at=clock.now(),
        kind=DeliveryEventKind.DOWNLOADED,
        detail={"ip": ip, "document": document.kind, "version": document.version},
    )
    return LinkDownload(
        file_name=files.download_name(document),  # a later version says so: RE-…-v2.pdf
        content_type=files.content_type(document.kind),
        content=content,
    )
