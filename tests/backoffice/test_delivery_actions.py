"""Delivery actions on the invoice page: managers and clerks send a failed delivery again,
send the invoice to another address, and send an invoice held back because it predates
delivery; accountants see no buttons and are refused. Every action is a POST form with a
CSRF token and ends in a message naming the field and the reason of a refusal."""

# ruff: noqa: F811 - the fixtures come from the document page tests

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kontor.core.models import AuditEntry
from kontor.delivery.models import Delivery, DeliverySchedule
from kontor.delivery.services import deliveries_run
from tests.backoffice.conftest import login
from tests.backoffice.test_document_pages import (  # noqa: F401 - fixtures used by name
    ACCEPTED,
    REJECTED,
    A,
    C,
    M,
    delivered,
    mail_settings,
    page,
    smtp,
    users,
)
from tests.delivery.world import DAY, at, customer, finalized_invoice

pytestmark = pytest.mark.django_db

NEW = "neu@muster.example"


def retry_url(delivery: Delivery) -> str:
    return reverse(
        "admin:invoicing_invoice_delivery_retry", args=[delivery.invoice_id, delivery.pk]
    )


def add_url(invoice) -> str:
    return reverse("admin:invoicing_invoice_delivery_add", args=[invoice.pk])


def release_url(invoice) -> str:
    return reverse("admin:invoicing_invoice_delivery_release", args=[invoice.pk])


def state(delivery: Delivery) -> tuple[str, int, bool]:
    delivery.refresh_from_db()
    return delivery.status, delivery.attempts, delivery.permanent


@pytest.mark.parametrize(("role", "shown"), [(M, True), (C, True), (A, False)])
def test_buttons_show_for_managers_and_clerks_only(users, delivered, role, shown):
    html = page(users[role], delivered.invoice)
    assert (retry_url(delivered.failed) in html) is shown
    assert retry_url(delivered.sent) not in html  # only a failed delivery is sent again
    assert ('<form method="post" id="delivery-add"' in html) is shown


@pytest.mark.parametrize("role", [M, C])
def test_staff_send_a_failed_delivery_again(users, delivered, role):
    client = login(users[role])
    response = client.post(retry_url(delivered.failed), follow=True)
    assert response.redirect_chain[-1][0].endswith("#invoice-deliveries")
    html = response.content.decode()
    assert (
        f"The delivery to {REJECTED} is queued again; it goes out with the next delivery run."
    ) in html
    assert state(delivered.failed) == ("pending", 0, False)
    assert "queued again by staff" in html  # the delivery log
    entry = AuditEntry.objects.get(action="delivery.retried")
    assert entry.actor == users[role]


def test_sending_again_a_delivery_that_did_not_fail_is_refused_with_field_and_reason(
    clerk, delivered
):
    client = login(clerk)
    response = client.post(retry_url(delivered.sent), follow=True)
    assert (
        "Not sent again: status: Only a failed delivery can be sent again (this one is sent)."
    ) in response.content.decode()
    assert state(delivered.sent)[0] == "sent"
    assert not AuditEntry.objects.filter(action="delivery.retried").exists()


def test_accountant_may_not_send_again(accountant, delivered):
    response = login(accountant).post(retry_url(delivered.failed))
    assert response.status_code == 403
    assert state(delivered.failed) == ("failed", 1, True)
    assert not AuditEntry.objects.filter(action="delivery.retried").exists()


def test_retry_needs_post_and_the_delivery_of_that_invoice(manager, delivered):
    client = login(manager)
    assert client.get(retry_url(delivered.failed)).status_code == 405
    other = finalized_invoice(manager, delivered.invoice.account)
    url = reverse("admin:invoicing_invoice_delivery_retry", args=[other.pk, delivered.failed.pk])
    assert client.post(url).status_code == 404
    assert state(delivered.failed) == ("failed", 1, True)


@pytest.mark.parametrize("role", [M, C])
def test_staff_send_the_invoice_to_another_address(users, delivered, smtp, role):
    response = login(users[role]).post(
        add_url(delivered.invoice), {"recipient": f" {NEW} ", "mode": "link"}, follow=True
    )
    html = response.content.decode()
    number = delivered.invoice.number
    assert f"Invoice {number} goes to {NEW} with the next delivery run." in html
    added = Delivery.objects.get(invoice=delivered.invoice, recipient=NEW)
    assert (added.status, added.mode) == ("pending", "link")
    assert (
        f'<tr id="delivery-{added.pk}"><td>e-mail</td><td>{NEW}</td><td>download link</td>' in html
    )
    with time_machine.travel(at(DAY + timedelta(days=1)), tick=False):
        assert deliveries_run().sent.sent == [added.pk]
    assert smtp.received[-1].rcpt_tos == [NEW]


DUPLICATE = ACCEPTED.upper()


@pytest.mark.parametrize(
    ("recipient", "mode", "reason"),
    [
        ("kein-at-zeichen", "attachment", "e-mail address: Enter a valid e-mail address."),
        (DUPLICATE, "link", f"e-mail address: The invoice already has a delivery to {DUPLICATE}."),
        (NEW, "fax", "delivery mode: Select a valid choice. fax is not one of the available "),
        ("", "attachment", "e-mail address: This field is required."),
    ],
    ids=["invalid-address", "address-has-a-delivery", "unknown-mode", "empty"],
)
def test_sending_to_another_address_refused_shows_field_and_reason(
    clerk, delivered, recipient, mode, reason
):
    before = set(Delivery.objects.values_list("pk", flat=True))
    response = login(clerk).post(add_url(delivered.invoice), {"recipient": recipient, "mode": mode})
    assert response.status_code == 200  # the invoice page again, with the form as posted
    html = response.content.decode()
    assert f"Not sent: {reason}" in html
    form = html[html.index('id="delivery-add"') :]
    assert '<ul class="errorlist' in form[: form.index("</form>")]
    assert f'name="recipient" value="{recipient}"' in form or not recipient
    assert set(Delivery.objects.values_list("pk", flat=True)) == before
    assert not AuditEntry.objects.filter(action="delivery.added").exists()


def test_accountant_may_not_send_to_another_address(accountant, delivered):
    response = login(accountant).post(
        add_url(delivered.invoice), {"recipient": NEW, "mode": "attachment"}
    )
    assert response.status_code == 403
    assert not Delivery.objects.filter(recipient=NEW).exists()


def test_delivery_forms_carry_a_csrf_token_and_need_it(clerk, delivered):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    client.force_login(clerk)
    html = client.get(
        reverse("admin:invoicing_invoice_change", args=[delivered.invoice.pk])
    ).content.decode()
    for form_id in ('class="delivery-retry"', 'id="delivery-add"'):
        form = html[html.index(form_id) :]
        assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]
    assert client.post(retry_url(delivered.failed)).status_code == 403
    assert state(delivered.failed) == ("failed", 1, True)


@pytest.fixture
def held(manager, smtp):
    """An invoice finalized on DAY, when delivery had not started; delivery first runs 30
    days later."""
    with time_machine.travel(at(DAY, 10), tick=False):
        invoice = finalized_invoice(manager, customer(manager, (ACCEPTED, "attachment")))
    with time_machine.travel(at(DAY + timedelta(days=30)), tick=False):
        assert deliveries_run().held == 1
    return invoice


@pytest.mark.parametrize("role", [M, C, A])
def test_dashboard_lists_invoices_held_back_before_delivery_start(users, held, role):
    html = login(users[role]).get(reverse("admin:index")).content.decode()
    assert "1 invoice not sent: before delivery start" in html
    link = reverse("admin:invoicing_invoice_change", args=[held.pk])
    assert f'<a href="{link}#invoice-deliveries">{held}</a>' in html
    assert "Finalized and due before delivery started (12/31/2026)" in html


@pytest.mark.parametrize(("role", "shown"), [(M, True), (C, True), (A, False)])
def test_invoice_page_says_why_a_held_invoice_was_not_sent(users, held, role, shown):
    html = page(users[role], held)
    assert "Not sent: finalized and due before delivery started (12/31/2026)." in html
    assert (release_url(held) in html) is shown


def test_clerk_sends_a_held_invoice_now(clerk, accountant, held, smtp):
    assert login(accountant).post(release_url(held)).status_code == 403
    assert not DeliverySchedule.objects.filter(invoice=held).exists()
    response = login(clerk).post(release_url(held), follow=True)
    html = response.content.decode()
    assert f"Invoice {held.number} is no longer held back" in html
    assert 'id="delivery-held"' not in html
    with time_machine.travel(at(DAY + timedelta(days=30), 10), tick=False):
        deliveries_run()
    assert [r.rcpt_tos for r in smtp.received] == [[ACCEPTED]]
    response = login(clerk).post(release_url(held), follow=True)
    assert f"Not sent: Invoice {held.number} is not held back" in response.content.decode()
