"""API tokens: created once (the plain key is shown only then), stored as SHA-256, revocable.

Lookup is by the hash of the presented key through a unique index, so the time an attempt takes
says nothing about how close a guessed key came to a real one.

`actor=None` means the operator on the server's shell (the `kontor token` command): whoever
can run commands there controls the installation anyway.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.errors import Conflict, NotFound, PermissionDenied, invalid
from kontor.core.models import ApiToken
from kontor.core.permissions import Role, roles_of

KEY_PREFIX = "ktr_"
# Writing last_used_at on every request would turn each read into a write; once a minute is
# precise enough to tell an unused token from a used one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _require_token_admin(actor: Any, user: Any) -> None:
    if actor is None:
        return
    if Role.MANAGER in roles_of(actor) or (
        getattr(actor, "pk", None) == user.pk and roles_of(actor)
    ):
        return
    raise PermissionDenied(_("Only a manager may manage API tokens of other users."))


@transaction.atomic
def api_token_create(*, actor: Any, user_id: int, name: str) -> tuple[ApiToken, str]:
    """Issue a token for a user with a role. Returns the row and the plain key (shown once)."""
    user_model = get_user_model()
    try:
        user = user_model.objects.get(pk=user_id)
    except (user_model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("User %s does not exist.") % user_id) from exc
    _require_token_admin(actor, user)
    name = (name or "").strip()
    if not name:
        raise invalid(
            "name", _("Give the token a name (e.g. the system that uses it)."), "required"
        )
    if len(name) > 100:
        raise invalid("name", _("At most 100 characters."), "too_long")
    if not user.is_active or not roles_of(user):
        raise invalid(
            "user",
            _("User %s is inactive or holds no role; a token would grant nothing.")
            % user.get_username(),
            "no_role",
        )
    random_part = secrets.token_urlsafe(32)
    key = KEY_PREFIX + random_part
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=_hash(key), prefix=random_part[:8]
    )
    audit(actor, "api_token.created", token, user=user.get_username(), name=name)
    return token, key


def api_token_authenticate(key: str) -> Any | None:
    """The active user a key belongs to, or None for an unknown, revoked or inactive one."""
    if not key or not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, actor: Any, token_id: int) -> ApiToken:
    try:
        token = ApiToken.objects.select_for_update().select_related("user").get(pk=token_id)
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("API token %s does not exist.") % token_id) from exc
    _require_token_admin(actor, token.user)
    if token.revoked_at is not None:
        raise Conflict(_("The token is already revoked."), code="already_revoked")
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit(actor, "api_token.revoked", token, user=token.user.get_username(), name=token.name)
    return token


def user_by_username(username: str) -> Any:
    user_model = get_user_model()
    try:
        return user_model.objects.get(**{user_model.USERNAME_FIELD: username})
    except user_model.DoesNotExist as exc:
        raise NotFound(_("User %s does not exist.") % username) from exc


def api_token_list(*, actor: Any, user_id: int | None = None) -> QuerySet[ApiToken]:
    """Tokens (without keys) a manager, or the operator, may see; staff see their own."""
    qs = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    if actor is None or Role.MANAGER in roles_of(actor):
        return qs
    return qs.filter(user_id=getattr(actor, "pk", None))
