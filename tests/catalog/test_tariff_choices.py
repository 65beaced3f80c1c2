"""`tariff_choices`: active tariffs with the version valid on a day."""

from __future__ import annotations

from datetime import date

import pytest

from kontor.catalog.models import Tariff
from kontor.catalog.selectors import tariff_choices
from kontor.catalog.services import tariff_version_create
from kontor.core.errors import PermissionDenied
from tests.builders import tariff
from tests.conftest import make_user


@pytest.fixture
def catalog(manager):
    m_2020 = tariff(manager, code="WEB-M", price="12.90")
    m_2025 = tariff_version_create(
        actor=manager,
        tariff_id=m_2020.tariff_id,
        valid_from=date(2025, 1, 1),
        price="14.90",
        tax_category_id=m_2020.tax_category_id,
    )
    future = tariff(manager, code="WEB-X", price="30.00", valid_from=date(2030, 1, 1))
    retired = tariff(manager, code="WEB-OLD", price="5.00")
    Tariff.objects.filter(pk=retired.tariff_id).update(active=False)
    other_module = tariff(manager, code="MAIL-S", price="2.00", module_code="MAIL")
    return {"m_2020": m_2020, "m_2025": m_2025, "future": future, "mail": other_module}


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2024, 12, 31), [("MAIL-S", "mail", True), ("WEB-M", "m_2020", True)]),
        (date(2025, 1, 1), [("MAIL-S", "mail", True), ("WEB-M", "m_2025", True)]),
        (date(2030, 1, 1), [("MAIL-S", "mail", True), ("WEB-M", "m_2025", True)]),
    ],
)
def test_each_active_tariff_comes_with_its_version_valid_on_the_day(manager, catalog, on, expected):
    choices = [c for c in tariff_choices(manager, on) if c.tariff.code != "WEB-X"]
    assert [(c.tariff.code, c.version, c.valid) for c in choices] == [
        (code, catalog[key], valid) for code, key, valid in expected
    ]


@pytest.mark.parametrize(("on", "valid"), [(date(2029, 12, 31), False), (date(2030, 1, 1), True)])
def test_a_tariff_not_valid_yet_is_offered_with_its_first_version(manager, catalog, on, valid):
    (choice,) = [c for c in tariff_choices(manager, on) if c.tariff.code == "WEB-X"]
    assert (choice.version, choice.valid) == (catalog["future"], valid)


def test_filter_by_module(manager, catalog):
    module_id = catalog["mail"].tariff.module_id
    codes = [c.tariff.code for c in tariff_choices(manager, date(2025, 1, 1), module_id=module_id)]
    assert codes == ["MAIL-S"]


def test_users_without_a_role_are_refused(db):
    with pytest.raises(PermissionDenied):
        tariff_choices(make_user("nobody", None), date(2025, 1, 1))
