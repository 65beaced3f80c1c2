"""Catalog pages create through the catalog services; other roles only read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kontor.catalog.models import Module
from kontor.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_manager_creates_a_module_through_the_service(as_user):
    response = as_user("manager").post(
        reverse("admin:catalog_module_add"), {"code": "TEL", "name": "Telefon", "description": ""}
    )
    assert response.status_code == 302
    assert list(Module.objects.values_list("code", "name")) == [("TEL", "Telefon")]
    assert AuditEntry.objects.filter(action="catalog.module_created").count() == 1


def test_duplicate_code_is_a_form_error(as_user):
    client = as_user("manager")
    client.post(reverse("admin:catalog_module_add"), {"code": "TEL", "name": "Telefon"})
    response = client.post(reverse("admin:catalog_module_add"), {"code": "TEL", "name": "B"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["code"]
    assert Module.objects.count() == 1


@pytest.mark.parametrize("role", ["clerk", "accountant"])
def test_other_roles_read_the_catalog_but_cannot_add(as_user, role):
    client = as_user(role)
    assert client.get(reverse("admin:catalog_module_changelist")).status_code == 200
    response = client.post(reverse("admin:catalog_module_add"), {"code": "X", "name": "X"})
    assert response.status_code == 403
    assert not Module.objects.exists()
