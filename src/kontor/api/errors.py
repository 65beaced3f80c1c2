"""Every error leaves the API as `{"errors": [{"field", "code", "message"}]}`."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kontor.core.errors import FieldError, KontorError


class PreconditionRequired(KontorError):
    """A write to a versioned record came without the version it is based on."""

    status = 428
    default_code = "version_required"


# pydantic error types → our codes; anything else keeps pydantic's type as its code.
CODE_MAP = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "json_invalid": "invalid_json",
    "model_attributes_type": "invalid",
}


def error_body(errors: list[FieldError]) -> dict[str, Any]:
    return {"errors": [e.as_dict() for e in errors]}


def field_path(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """("body", "payload", "recipients", 0, "email") → "recipients[0].email"."""
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "form", "file", "header", "cookie"}:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part:
            path += f".{part}" if path else str(part)
    return path or None


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "missing":
        return _("This field is required.")
    if error.get("type") == "extra_forbidden":
        return _("This field is unknown.")
    message = str(error.get("msg", _("Invalid.")))
    return message.removeprefix("Value error, ")


def register_exception_handlers(api: NinjaAPI) -> None:
    def kontor_error(request: HttpRequest, exc: KontorError) -> HttpResponse:
        return api.create_response(request, error_body(exc.errors), status=exc.status)

    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            FieldError(
                field_path(e.get("loc", ())),
                CODE_MAP.get(e.get("type", ""), e.get("type", "invalid")),
                _message(e),
            )
            for e in exc.errors
        ]
        return api.create_response(request, error_body(errors), status=422)

    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = error_body(
            [
                FieldError(
                    None,
                    "not_authenticated",
                    _("Send a valid API token: Authorization: Bearer <token>."),
                )
            ]
        )
        response = api.create_response(request, body, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="kontor"'
        return response

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:  # ninja could not parse the body at all
            error = FieldError(
                None, "unparsable_body", _("The request body is not valid JSON or form data.")
            )
        else:
            error = FieldError(None, "http_error", str(exc))
        body = error_body([error])
        return api.create_response(request, body, status=exc.status_code)

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        body = error_body([FieldError(None, "not_found", _("Not found."))])
        return api.create_response(request, body, status=404)

    api.add_exception_handler(KontorError, kontor_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(AuthenticationError, authentication_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)


def unknown_path(request: HttpRequest, path: str = "") -> HttpResponse:
    """Unknown paths under /api/v1/ answer in JSON, not with the back office's login page."""
    from django.http import JsonResponse

    body = error_body([FieldError(None, "not_found", _("There is no API endpoint here."))])
    return JsonResponse(body, status=404)
