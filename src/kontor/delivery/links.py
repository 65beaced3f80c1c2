"""Signed download links. The token carries the document id, the delivery id and the last day
it opens, signed with the secret key and a salt of its own (a token made for another purpose
never opens a document) and time-stamped.

The e-mail tells the customer that last day ("valid until 31 Dec"), so the link opens until
that day ends in the provider's time zone, whatever the hour the mail left: today plus
KONTOR_LINK_MAX_AGE_DAYS. Tokens without a last day (sent before it was carried) expire
KONTOR_LINK_MAX_AGE_DAYS after signing, as before."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from kontor.core import clock

SALT = "kontor.delivery.document-link"
DAY_SLACK = timedelta(days=2)  # the rest of the signing day, and a 25-hour day of DST


def link_valid_until(today: date) -> date:
    """The last day a link made `today` opens: the date the e-mail names."""
    return today + timedelta(days=settings.KONTOR_LINK_MAX_AGE_DAYS)


def link_token(*, document_id: int, delivery_id: int, valid_until: date | None = None) -> str:
    until = valid_until or link_valid_until(clock.today())
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"doc": document_id, "dlv": delivery_id, "until": until.isoformat()}
    )


def link_url(token: str) -> str:
    base = settings.KONTOR_PUBLIC_URL.rstrip("/")
    return base + reverse("delivery:download", kwargs={"token": token})


def max_age() -> timedelta:
    return timedelta(days=settings.KONTOR_LINK_MAX_AGE_DAYS)


def read_token(token: str) -> tuple[int, int] | None:
    """(document id, delivery id) of a valid token; None when it is tampered with, made for
    something else, malformed or expired."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        value = signer.unsign_object(token, max_age=max_age() + DAY_SLACK)
        if isinstance(value, dict) and "until" not in value:
            signer.unsign_object(token, max_age=max_age())
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(value, dict) or not _open_today(value.get("until", "")):
        return None
    document_id, delivery_id = value.get("doc"), value.get("dlv")
    if type(document_id) is not int or type(delivery_id) is not int:
        return None
    return document_id, delivery_id


def _open_today(until: object) -> bool:
    if until == "":
        return True  # an older token: its age was checked against max_age()
    try:
        last_day = date.fromisoformat(until) if isinstance(until, str) else None
    except ValueError:
        return False
    return last_day is not None and clock.today() <= last_day
