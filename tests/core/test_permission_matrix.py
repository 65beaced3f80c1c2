"""Every protected action × every role, at the service layer that all interfaces share.

Allowed: the service does its work. Denied: PermissionDenied and nothing written (no audit
entry, no row changed). The interface layers have their own matrices (tests/api,
tests/backoffice) on top of this one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User

from kontor.billing.charges import account_invoice_now, charge_create
from kontor.billing.models import BillingSettings
from kontor.billing.preview import billing_run_preview
from kontor.billing.runs import billing_run_create
from kontor.billing.services import billing_settings_update
from kontor.catalog import selectors as catalog_selectors
from kontor.catalog import services as catalog
from kontor.catalog.models import ArticleType
from kontor.contracts import selectors as contract_selectors
from kontor.contracts import services as contracts
from kontor.core.errors import PermissionDenied
from kontor.core.history import record_changes
from kontor.core.models import AuditEntry
from kontor.core.permissions import MATRIX, Action, Role
from kontor.customers import selectors as customer_selectors
from kontor.customers import services as customers
from kontor.customers.models import LegalDocument
from kontor.customers.types import UploadedDocument
from kontor.documents.services import invoice_document_rerender
from kontor.invoicing.models import Invoice
from kontor.invoicing.selectors import invoice_for_actor
from kontor.invoicing.services import credit_note_create, invoice_draft_update, invoice_finalize
from tests.builders import account, party, tariff
from tests.conftest import make_user
from tests.documents.world import seller

TODAY = date(2026, 11, 24)


@pytest.fixture
def world(manager: User) -> dict[str, Any]:
    settings_row = BillingSettings.load()
    settings_row.deviating_price_changeable = True
    settings_row.save()
    article_type = ArticleType.objects.create(code="service", name="Service")
    version = tariff(manager, code="WEB-S", price="5.00", minimum=0, renewal=1)
    addon = catalog.article_create(
        actor=manager,
        number="ADD-1",
        name="Extra",
        article_type_id=article_type.pk,
        tax_category_id=version.tax_category_id,
        price="1.00",
        is_addon=True,
    )
    version.tariff.addons.add(addon)
    bigger = tariff(manager, code="WEB-L", price="20.00", minimum=0, renewal=1)
    acc = account(manager)
    empty = account(manager, party=party(company_name="Leer AG"))
    sub = contracts.subscription_create(
        actor=manager, account_id=acc.pk, tariff_version_id=version.pk, start_date=date(2026, 1, 1)
    )
    bank = customers.bank_account_add(
        actor=manager, account_id=acc.pk, holder="Muster GmbH", iban="DE89370400440532013000"
    )
    doc = LegalDocument.objects.create(doc_type="terms", version="3", valid_from=date(2026, 1, 1))
    seller()
    category_id = version.tax_category_id
    for text in ("Einrichtung", "Hardware"):
        charge_create(
            actor=manager,
            account_id=acc.pk,
            description=text,
            unit_price="50.00",
            tax_category_id=category_id,
            service_date=date(2026, 11, 1),
        )
        account_invoice_now(
            actor=manager, account_id=acc.pk, as_of=TODAY, finalize=text == "Hardware"
        )
    draft = Invoice.objects.get(status="draft")
    final = Invoice.objects.get(status="finalized")
    run = billing_run_create(actor=manager, as_of=TODAY, dry_run=True)
    owner = make_user("kunde", Role.CUSTOMER)
    acc.owner = owner
    acc.save()
    return dict(
        account=acc,
        empty=empty,
        sub=sub,
        bank=bank,
        version=version,
        bigger=bigger,
        addon=addon,
        doc=doc,
        customer=owner,
        draft=draft,
        final=final,
        run=run,
        category_id=category_id,
    )


def _calls(w: dict[str, Any]) -> dict[Action, Callable[[Any], object]]:
    acc, sub = w["account"], w["sub"]
    update = lambda actor, changes: customers.account_update(  # noqa: E731
        actor=actor, account_id=acc.pk, expected_version=None, changes=changes
    )
    return {
        Action.ACCOUNT_VIEW: lambda a: customer_selectors.account_for_actor(a, acc.pk),
        Action.ACCOUNT_CREATE: lambda a: customers.account_create(actor=a, party=party()),
        Action.ACCOUNT_UPDATE: lambda a: update(a, {"po_number": "PO-77"}),
        Action.ACCOUNT_SET_PAYMENT_TERMS: lambda a: update(a, {"payment_term_days": 30}),
        Action.ACCOUNT_SET_TEST_FLAG: lambda a: update(a, {"is_test": True}),
        Action.ACCOUNT_SET_CONTRACT_PERIOD: lambda a: update(
            a, {"contract_period_start": date(2025, 1, 1)}
        ),
        Action.ACCOUNT_DELETE: lambda a: customers.account_delete(
            actor=a, account_id=w["empty"].pk, today=TODAY
        ),
        Action.CONTRACT_PARTY_CHANGE: lambda a: customers.party_change_request(
            actor=a,
            account_id=acc.pk,
            proposed=party(company_name="Neu GmbH"),
            reason="Umfirmierung",
            evidence=[UploadedDocument("hr.pdf", b"%PDF-1.4 x")],
        ),
        Action.BANK_ACCOUNT_MANAGE: lambda a: customers.bank_account_add(
            actor=a, account_id=acc.pk, holder="Muster GmbH", iban="DE02100100100006820101"
        ),
        Action.MANDATE_MANAGE: lambda a: customers.mandate_create(
            actor=a,
            account_id=acc.pk,
            bank_account_id=w["bank"].pk,
            reference="M-1",
            signed_on=date(2026, 1, 1),
        ),
        Action.LEGAL_ACCEPTANCE_RECORD: lambda a: customers.legal_acceptance_record(
            actor=a,
            account_id=acc.pk,
            document_id=w["doc"].pk,
            accepted_at=_aware(),
            ip_address="127.0.0.1",
        ),
        Action.CATALOG_VIEW: lambda a: list(catalog_selectors.module_list(a)),
        Action.CATALOG_MANAGE: lambda a: catalog.module_create(actor=a, code="NEW", name="Neu"),
        Action.SUBSCRIPTION_VIEW: lambda a: list(
            contract_selectors.subscriptions_of_account(a, acc.pk)
        ),
        Action.SUBSCRIPTION_CREATE: lambda a: contracts.subscription_create(
            actor=a,
            account_id=acc.pk,
            tariff_version_id=w["version"].pk,
            start_date=date(2026, 12, 1),
        ),
        Action.SUBSCRIPTION_SET_PRICE: lambda a: contracts.subscription_create(
            actor=a,
            account_id=acc.pk,
            tariff_version_id=w["version"].pk,
            start_date=date(2026, 12, 1),
            deviating_price="4.50",
        ),
        Action.SUBSCRIPTION_CANCEL: lambda a: contracts.subscription_cancel(
            actor=a, subscription_id=sub.pk, expected_version=None, notice_given_on=TODAY
        ),
        Action.SUBSCRIPTION_CHANGE_TARIFF: lambda a: contracts.subscription_change_tariff(
            actor=a,
            subscription_id=sub.pk,
            expected_version=None,
            tariff_version_id=w["bigger"].pk,
            requested_on=TODAY,
        ),
        Action.SUBSCRIPTION_OVERRIDE_DATE: lambda a: contracts.subscription_cancel(
            actor=a,
            subscription_id=sub.pk,
            expected_version=None,
            notice_given_on=TODAY,
            end_date=date(2026, 11, 27),
        ),
        Action.SUBSCRIPTION_BOOK_ADDON: lambda a: contracts.subscription_book_addon(
            actor=a, subscription_id=sub.pk, article_id=w["addon"].pk, start_date=date(2026, 12, 1)
        ),
        Action.HISTORY_VIEW: lambda a: record_changes(a, acc),
        Action.INVOICE_VIEW: lambda a: invoice_for_actor(a, w["final"].pk),
        Action.INVOICE_EDIT_DRAFT: lambda a: invoice_draft_update(
            actor=a,
            invoice_id=w["draft"].pk,
            expected_version=None,
            changes={"footer_text": "Danke"},
        ),
        Action.INVOICE_FINALIZE: lambda a: invoice_finalize(
            actor=a, invoice_id=w["draft"].pk, issue_date=TODAY
        ),
        Action.CREDIT_NOTE_CREATE: lambda a: credit_note_create(
            actor=a, invoice_id=w["final"].pk, reason="Kulanz"
        ),
        Action.BILLING_RUN_VIEW: lambda a: billing_run_preview(actor=a, run_id=w["run"].pk),
        Action.BILLING_RUN_START: lambda a: billing_run_create(actor=a, as_of=TODAY),
        Action.DOCUMENT_RERENDER: lambda a: invoice_document_rerender(
            actor=a, invoice_id=w["final"].pk, reason="Neues Logo"
        ),
        Action.CHARGE_CREATE: lambda a: charge_create(
            actor=a,
            account_id=acc.pk,
            description="Porto",
            unit_price="1.50",
            tax_category_id=w["category_id"],
            service_date=TODAY,
        ),
        Action.SETTINGS_MANAGE: lambda a: billing_settings_update(
            actor=a, expected_version=None, changes={"payment_term_days": 21}
        ),
        **_exchange_calls(),
    }


def _exchange_calls() -> dict[Action, Callable[[Any], object]]:
    from kontor.exchange.exporter import accounts_export
    from kontor.exchange.loader import data_import

    return {
        Action.DATA_IMPORT: lambda a: data_import(actor=a, payload={"format": "kontor/v1"}),
        Action.DATA_EXPORT: lambda a: accounts_export(actor=a),
    }


def _aware():
    from kontor.core import clock

    return clock.now()


def _actor(role: Role, w: dict[str, Any]) -> User:
    if role == Role.CUSTOMER:
        return User.objects.get(pk=w["customer"].pk)
    return make_user(f"user-{role.value}", role)


def test_matrix_covers_every_action(world):
    assert set(_calls(world)) == set(Action)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_permission_matrix(world, action: Action, role: Role):
    actor = _actor(role, world)
    call = _calls(world)[action]
    if role in MATRIX[action]:
        call(actor)
    else:
        audit_before = AuditEntry.objects.count()
        with pytest.raises(PermissionDenied):
            call(actor)
        assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize("action", [Action.ACCOUNT_VIEW, Action.SUBSCRIPTION_VIEW])
def test_customer_sees_only_own_accounts(world, manager, action):
    other = account(manager, party=party(company_name="Fremd GmbH"))
    customer = User.objects.get(pk=world["customer"].pk)
    visible = customer_selectors.account_list(customer)
    assert list(visible) == [world["account"]]
    from kontor.core.errors import NotFound

    with pytest.raises(NotFound):
        customer_selectors.account_for_actor(customer, other.pk)


def test_anonymous_and_inactive_users_hold_no_role(world, manager):
    from django.contrib.auth.models import AnonymousUser

    manager.is_active = False
    for actor in (AnonymousUser(), None, manager):
        with pytest.raises(PermissionDenied):
            customer_selectors.account_for_actor(actor, world["account"].pk)
