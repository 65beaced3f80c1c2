"""Who is calling: a bearer token (any user with a role; services decide what they may do) or
the back office session of a staff user (so the docs page works), with CSRF enforced."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kontor.core.errors import PermissionDenied
from kontor.core.tokens import api_token_authenticate


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_authenticate(token.strip())
        if user is not None:
            request.user = user  # services and audit see the token's user
        return user


class StaffSessionAuth(APIKeyCookie):
    """The Django session of a logged-in staff user. Writes need the CSRF token, exactly as
    in the back office; a request that carries an Authorization header is never judged by
    its cookies."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        if "authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return None
        if check_csrf(request) is not None:
            raise PermissionDenied(
                _("CSRF check failed: send the X-CSRFToken header with session requests."),
                code="csrf_failed",
            )
        return user
