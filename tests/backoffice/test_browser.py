"""Real browser runs: a manager cancels a module through the account page; a clerk combines
drafts and gives the dashboard's collective invoice notice a send date."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from kontor.billing.advance import contract_invoices_in_advance
from kontor.contracts.services import subscription_create
from kontor.core import clock
from kontor.invoicing.models import Invoice
from tests.builders import tariff

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from
# async contexts unless told otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 1600})
        yield context.new_page()
        browser.close()


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("input[type=submit]")
    page.wait_for_selector("#kontor-dashboard")


def test_manager_cancels_a_module_in_the_browser(
    transactional_db, live_server, browser_page, subscription
):
    page = browser_page
    log_in(page, live_server, "manager")

    page.goto(f"{live_server.url}/customers/account/{subscription.account_id}/change/")
    assert page.inner_text("#customer-number") == "K-00001"
    page.screenshot(path="/tmp/account-page.png", full_page=True)

    page.click(f"#subscription-{subscription.pk} a.cancel-link")
    page.fill("#id_notice_given_on", "2025-03-10")
    page.click("input[name=preview]")
    assert "31.12.2025" in page.inner_text("#earliest-end-date")
    page.click("input[name=save]")

    page.wait_for_selector(".messagelist")
    assert "31.12.2025" in page.inner_text(".messagelist")
    end_cell = page.inner_text(f"#subscription-{subscription.pk} .end-date")
    assert "31.12.2025" in end_cell
    assert "gekündigt" in end_cell  # German is the default language


def test_clerk_combines_drafts_and_gives_the_dashboard_notice_a_send_date(
    transactional_db, live_server, browser_page, account, manager, clerk
):
    """Two drafts in advance, combined without a send date on the collective invoices page:
    the start page points it out until a send date is set in its own form."""
    start = (clock.today().replace(day=1) + timedelta(days=32)).replace(day=1)
    bimonthly = tariff(manager, code="WART-2", price="50.00", interval=2)
    subscription = subscription_create(
        actor=clerk, account_id=account.pk, tariff_version_id=bimonthly.pk, start_date=start
    )
    drafts = contract_invoices_in_advance(
        actor=clerk, contract_id=subscription.contract_id, until=start + timedelta(days=100)
    )
    assert len(drafts) >= 2  # periods aligned to the calendar: two or three
    page = browser_page
    log_in(page, live_server, "clerk")

    page.click("#collective-invoices-link a")
    for draft in drafts:
        page.check(f"#select-{draft.pk}")
    page.check("#id_no_send_date")
    page.screenshot(path="/tmp/collective-list.png", full_page=True)
    page.click("#combine-selected")
    page.wait_for_selector(".messagelist")
    assert Invoice.objects.get().send_date is None

    page.goto(f"{live_server.url}/")
    notice = page.inner_text("#collective-notices")
    assert "ohne Versanddatum" in notice and account.customer_number in notice
    page.screenshot(path="/tmp/collective-notice.png", full_page=True)
    combined = f"#send-date-form-{drafts[0].pk}"
    page.fill(f"{combined} input[name=send_date]", start.isoformat())
    page.click(f"{combined} input[type=submit]")
    page.wait_for_selector(".messagelist")
    assert page.locator("#collective-notices").count() == 0
    assert Invoice.objects.get().send_date == start
