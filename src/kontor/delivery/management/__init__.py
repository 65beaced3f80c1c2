"""Helpers of the delivery commands."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def acting_user(username: str) -> Any:
    """The active user named by `--as` (the services check what they may do)."""
    actor = get_user_model().objects.filter(username=username, is_active=True).first()
    if actor is None:
        raise CommandError(f"--as: no active user {username!r}")
    return actor
