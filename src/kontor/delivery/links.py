"""Signed download links. The token carries the document id and the delivery id, signed with
the secret key and a salt of its own (a token made for another purpose never opens a document)
and time-stamped, so it expires after KONTOR_LINK_MAX_AGE_DAYS."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "kontor.delivery.document-link"


def link_token(*, document_id: int, delivery_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"doc": document_id, "dlv": delivery_id})


def link_url(token: str) -> str:
    base = settings.KONTOR_PUBLIC_URL.rstrip("/")
    return base + reverse("delivery:download", kwargs={"token": token})


def max_age() -> timedelta:
    return timedelta(days=settings.KONTOR_LINK_MAX_AGE_DAYS)


def read_token(token: str) -> tuple[int, int] | None:
    """(document id, delivery id) of a valid token; None when it is tampered with, made for
    something else, malformed or expired."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age())
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(value, dict):
        return None
    document_id, delivery_id = value.get("doc"), value.get("dlv")
    if type(document_id) is not int or type(delivery_id) is not int:
        return None
    return document_id, delivery_id
