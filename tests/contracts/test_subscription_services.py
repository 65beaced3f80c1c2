from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kontor.billing.models import BillingSettings
from kontor.contracts.models import EndReason, Subscription
from kontor.contracts.services import (
    subscription_book_addon,
    subscription_cancel,
    subscription_change_tariff,
    subscription_create,
)
from kontor.core.errors import ConcurrentEdit, Conflict, PermissionDenied, ValidationFailed
from kontor.customers.selectors import account_contract_period_start
from tests.builders import account, tariff


@pytest.fixture
def yearly(manager):
    # 12 months minimum, renews by 12, notice 3 months to the end of the term
    return tariff(
        manager,
        code="WEB-Y",
        price="120.00",
        interval=12,
        minimum=12,
        renewal=12,
        notice=(3, "months", "term_end"),
    )


@pytest.fixture
def sub(manager, yearly):
    acc = account(manager)
    return subscription_create(
        actor=manager, account_id=acc.pk, tariff_version_id=yearly.pk, start_date=date(2025, 3, 17)
    )


def test_cancellation_respects_notice_period_to_end_of_term(clerk, sub):
    cancelled = subscription_cancel(
        actor=clerk, subscription_id=sub.pk, expected_version=1, notice_given_on=date(2025, 12, 16)
    )
    assert (cancelled.end_date, cancelled.end_reason) == (date(2026, 3, 16), EndReason.CANCELLED)
    assert cancelled.end_date_overridden is False


def test_late_notice_rolls_to_the_next_term(clerk, sub):
    cancelled = subscription_cancel(
        actor=clerk, subscription_id=sub.pk, expected_version=1, notice_given_on=date(2025, 12, 17)
    )
    assert cancelled.end_date == date(2027, 3, 16)


def test_clerk_may_choose_a_later_term_end_but_not_an_earlier_date(clerk, sub):
    with pytest.raises(PermissionDenied) as error:
        subscription_cancel(
            actor=clerk,
            subscription_id=sub.pk,
            expected_version=1,
            notice_given_on=date(2025, 12, 17),
            end_date=date(2026, 3, 16),
        )
    assert error.value.field == "end_date"
    assert "2027-03-16" in error.value.message
    assert Subscription.objects.get(pk=sub.pk).end_date is None
    later = subscription_cancel(
        actor=clerk,
        subscription_id=sub.pk,
        expected_version=1,
        notice_given_on=date(2025, 12, 17),
        end_date=date(2028, 3, 16),
    )
    assert later.end_date == date(2028, 3, 16)


def test_manager_may_override_the_end_date(manager, sub):
    cancelled = subscription_cancel(
        actor=manager,
        subscription_id=sub.pk,
        expected_version=1,
        notice_given_on=date(2025, 12, 17),
        end_date=date(2026, 1, 31),
    )
    assert (cancelled.end_date, cancelled.end_date_overridden) == (date(2026, 1, 31), True)


def test_cancelling_twice_is_refused(manager, sub):
    subscription_cancel(
        actor=manager, subscription_id=sub.pk, expected_version=1, notice_given_on=date(2025, 12, 1)
    )
    with pytest.raises(Conflict):
        subscription_cancel(
            actor=manager,
            subscription_id=sub.pk,
            expected_version=2,
            notice_given_on=date(2025, 12, 1),
        )


def test_stale_version_refuses_the_cancellation(manager, sub):
    with pytest.raises(ConcurrentEdit):
        subscription_cancel(actor=manager, subscription_id=sub.pk, expected_version=7)
    assert Subscription.objects.get(pk=sub.pk).end_date is None


def test_upgrade_takes_effect_at_once_and_keeps_the_term(manager, clerk, sub):
    bigger = tariff(
        manager,
        code="WEB-Y-XL",
        price="240.00",
        interval=12,
        minimum=12,
        renewal=12,
        notice=(3, "months", "term_end"),
    )
    successor = subscription_change_tariff(
        actor=clerk,
        subscription_id=sub.pk,
        expected_version=1,
        tariff_version_id=bigger.pk,
        requested_on=date(2025, 6, 10),
    )
    old = Subscription.objects.get(pk=sub.pk)
    assert (old.end_date, old.end_reason) == (date(2025, 6, 9), EndReason.TARIFF_CHANGE)
    assert (successor.start_date, successor.predecessor_id) == (date(2025, 6, 10), sub.pk)
    # the minimum term still runs from the first start: cancellation to 2026-03-16
    cancelled = subscription_cancel(
        actor=clerk,
        subscription_id=successor.pk,
        expected_version=1,
        notice_given_on=date(2025, 7, 1),
    )
    assert cancelled.end_date == date(2026, 3, 16)


def test_downgrade_waits_for_the_end_of_the_term(manager, clerk, sub):
    smaller = tariff(
        manager,
        code="WEB-Y-XS",
        price="60.00",
        interval=12,
        minimum=12,
        renewal=12,
        notice=(3, "months", "term_end"),
    )
    successor = subscription_change_tariff(
        actor=clerk,
        subscription_id=sub.pk,
        expected_version=1,
        tariff_version_id=smaller.pk,
        requested_on=date(2025, 6, 10),
    )
    assert successor.start_date == date(2026, 3, 17)


def test_change_to_a_tariff_of_another_module_is_refused(manager, sub):
    other = tariff(manager, code="TEL", module_code="TEL", price="300.00", interval=12)
    with pytest.raises(ValidationFailed) as error:
        subscription_change_tariff(
            actor=manager,
            subscription_id=sub.pk,
            expected_version=1,
            tariff_version_id=other.pk,
            requested_on=date(2025, 6, 10),
        )
    assert error.value.errors[0].field == "tariff_version"


def test_addon_must_be_an_option_of_the_tariff_and_is_manager_only(manager, clerk, sub):
    from kontor.catalog.models import ArticleType
    from kontor.catalog.services import article_create

    kind = ArticleType.objects.create(code="service", name="Service")
    article = article_create(
        actor=manager,
        number="SSL",
        name="SSL",
        article_type_id=kind.pk,
        tax_category_id=sub.tariff_version.tax_category_id,
        price="2.50",
        is_addon=True,
    )
    with pytest.raises(ValidationFailed):
        subscription_book_addon(
            actor=manager,
            subscription_id=sub.pk,
            article_id=article.pk,
            start_date=date(2025, 4, 1),
        )
    sub.tariff_version.tariff.addons.add(article)
    with pytest.raises(PermissionDenied):
        subscription_book_addon(
            actor=clerk, subscription_id=sub.pk, article_id=article.pk, start_date=date(2025, 4, 1)
        )
    addon = subscription_book_addon(
        actor=manager, subscription_id=sub.pk, article_id=article.pk, start_date=date(2025, 4, 1)
    )
    assert (addon.quantity, addon.start_date) == (Decimal("1"), date(2025, 4, 1))


def test_deviating_price_needs_the_setting(manager, yearly):
    acc = account(manager)
    with pytest.raises(ValidationFailed) as error:
        subscription_create(
            actor=manager,
            account_id=acc.pk,
            tariff_version_id=yearly.pk,
            start_date=date(2026, 1, 1),
            deviating_price="99.00",
        )
    assert error.value.errors[0].code == "setting_off"
    BillingSettings.objects.filter(pk=1).update(deviating_price_changeable=True)
    sub = subscription_create(
        actor=manager,
        account_id=acc.pk,
        tariff_version_id=yearly.pk,
        start_date=date(2026, 1, 1),
        deviating_price="99.00",
    )
    assert sub.effective_price == Decimal("99.00")


def test_contract_period_is_the_oldest_modules_start_unless_overridden(manager, yearly):
    acc = account(manager)
    for start in (date(2025, 5, 1), date(2024, 2, 1)):
        subscription_create(
            actor=manager, account_id=acc.pk, tariff_version_id=yearly.pk, start_date=start
        )
    assert account_contract_period_start(acc) == date(2024, 2, 1)
    acc.contract_period_start = date(2023, 1, 1)
    assert account_contract_period_start(acc) == date(2023, 1, 1)
