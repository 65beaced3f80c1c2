from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.utils import translation

from kontor.core.permissions import STAFF_ROLES, Role


def make_user(username: str, role: Role | None) -> User:
    user = User.objects.create_user(
        username=username,
        password="pw-" + username,
        is_staff=role is not None and role != Role.CUSTOMER,
    )
    if role in STAFF_ROLES:
        group, _ = Group.objects.get_or_create(name=role.value)
        user.groups.add(group)
    return user


@pytest.fixture
def manager(db) -> User:
    return make_user("manager", Role.MANAGER)


@pytest.fixture
def clerk(db) -> User:
    return make_user("clerk", Role.CLERK)


@pytest.fixture
def accountant(db) -> User:
    return make_user("accountant", Role.ACCOUNTANT)


@pytest.fixture(autouse=True)
def _provider_language() -> Iterator[None]:
    """Every test starts in the provider's language: a request or command in an earlier test
    may have left another language active in this thread."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """PBKDF2 costs ~0.3 s per user; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
