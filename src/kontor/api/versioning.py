"""Optimistic locking over HTTP: responses carry `version` and `ETag: "<version>"`; writes send
the version they are based on as `If-Match: "<version>"` (or a `version` body field)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kontor.api.errors import PreconditionRequired
from kontor.core.errors import invalid


def parse_if_match(request: HttpRequest) -> int | None:
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise invalid(
            "If-Match",
            _('Send the version you loaded as If-Match: "<version>", e.g. If-Match: "3".'),
            "invalid",
        )
    return int(value)


def expected_version(
    request: HttpRequest, body_version: int | None, *, required: bool
) -> int | None:
    """The version the client's change is based on, from If-Match or the body; both must agree."""
    header_version = parse_if_match(request)
    if header_version is not None and body_version is not None and header_version != body_version:
        raise invalid(
            "version",
            _("If-Match (%(header)s) and the version field (%(body)s) disagree.")
            % {"header": header_version, "body": body_version},
            "version_mismatch",
        )
    version = header_version if header_version is not None else body_version
    if version is None and required:
        raise PreconditionRequired(
            _(
                'Send the version you are changing: the header If-Match: "<version>" '
                "(the ETag of your last read) or the field version."
            ),
            field="version",
        )
    return version


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'
