"""The invoice e-mail of one delivery, in the buyer's language, and what an SMTP error means
for it (retry later, or give up)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.template.loader import render_to_string

from kontor.core import clock
from kontor.delivery import files
from kontor.delivery.links import link_token, link_url, link_valid_until
from kontor.delivery.models import Delivery, DeliveryMode
from kontor.documents.data import document_data
from kontor.documents.models import DocumentKind
from kontor.documents.texts import Formatter, payment_terms_text

LANGUAGES = ("de", "en", "sv")


class InvalidRecipient(ValueError):
    """The recipient is no valid e-mail address: no server will ever accept it."""


class ArchiveCopy(EmailMessage):
    """The same message, delivered only to the archive address: a rejection of the customer's
    address must not be hidden by an archive address the server accepts."""

    def recipients(self) -> list[str]:
        return [address for address in self.bcc if address]


@dataclass(frozen=True)
class SendFailure:
    permanent: bool
    error: str


def new_message_id() -> str:
    domain = parseaddr(settings.KONTOR_MAIL_FROM)[1].rpartition("@")[2] or "kontor.localhost"
    return make_msgid(idstring="kontor", domain=domain)


def delivery_message(
    delivery: Delivery, *, connection: Any = None, archive_to: str = ""
) -> EmailMessage:
    """The e-mail of `delivery`: the documents attached, or signed links to them."""
    try:
        validate_email(delivery.recipient)
    except ValidationError as exc:
        raise InvalidRecipient(f"invalid address: {delivery.recipient!r}") from exc
    data = document_data(delivery.invoice_id)
    documents = files.latest_documents(delivery.invoice_id)
    if not documents:
        raise LookupError(f"invoice {delivery.invoice_id} has no archived documents")
    fmt = Formatter(data.language, data.currency)
    context = {
        "number": data.number,
        "credit_note": data.kind == "credit_note",
        "issue_date": fmt.date(data.issue_date),
        "amount": fmt.money(data.gross_total),
        "payment_terms": payment_terms_text(data),
        "seller": data.seller.name,
        "contact": data.buyer.contact_person,
        "xrechnung": any(d.kind == DocumentKind.XRECHNUNG_XML for d in documents),
        "link": delivery.mode == DeliveryMode.LINK,
        "links": [],
    }
    if delivery.mode == DeliveryMode.LINK:
        valid_until = link_valid_until(clock.today())
        context["expires"] = fmt.date(valid_until)
        context["links"] = [
            link_url(
                link_token(
                    document_id=document.pk, delivery_id=delivery.pk, valid_until=valid_until
                )
            )
            for document in documents
        ]
    language = data.language if data.language in LANGUAGES else "de"
    subject = render_to_string(f"delivery/email/{language}/subject.txt", context)
    message_class = ArchiveCopy if archive_to else EmailMessage
    message = message_class(
        subject=" ".join(subject.split()),
        body=render_to_string(f"delivery/email/{language}/body.txt", context),
        from_email=settings.KONTOR_MAIL_FROM,
        to=[delivery.recipient],
        bcc=[archive_to] if archive_to else None,
        reply_to=_reply_to(data.seller.email),
        headers={"Message-ID": delivery.message_id or new_message_id()},
        connection=connection,
    )
    if delivery.mode == DeliveryMode.ATTACHMENT:
        for document in documents:
            message.attach(
                files.file_name(data.number, document.kind),
                files.read(document),
                files.content_type(document.kind),
            )
    return message


def _reply_to(seller_email: str) -> list[str] | None:
    address = settings.KONTOR_MAIL_REPLY_TO or seller_email
    return [address] if address else None


def classify_failure(exc: BaseException) -> SendFailure:
    """Permanent: the server rejected the recipient or the message for good (5xx), or the
    address is invalid. Everything else (connection refused, time-outs, 4xx, a rejected login
    or sender, which are our own configuration) is retried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        text = "; ".join(
            f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()
        )
        return SendFailure(bool(codes) and all(code >= 500 for code in codes), text)
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused):
        return SendFailure(False, f"{exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPConnectError):
        return SendFailure(False, f"{exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return SendFailure(exc.smtp_code >= 500, f"{exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, InvalidRecipient):
        return SendFailure(True, str(exc))
    return SendFailure(False, f"{type(exc).__name__}: {exc}")


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
