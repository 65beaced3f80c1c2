"""The signed download link. Interface only: the service checks the token and logs the
download; every invalid link gets the same neutral page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from kontor.core.errors import NotFound
from kontor.delivery.services import delivery_link_open

PRIVATE = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


@require_GET
def download(request: HttpRequest, token: str) -> HttpResponse:
    try:
        document = delivery_link_open(token=token, ip=request.META.get("REMOTE_ADDR", ""))
    except NotFound:
        response = render(request, "delivery/link_unavailable.html", status=404)
    else:
        response = HttpResponse(document.content, content_type=document.content_type)
        response["Content-Disposition"] = content_disposition_header(True, document.file_name)
    for name, value in PRIVATE.items():
        response[name] = value
    return response
