"""One real browser run: a manager cancels a module through the account page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


def test_manager_cancels_a_module_in_the_browser(
    transactional_db, live_server, browser_page, subscription
):
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "pw-manager")
    page.click("input[type=submit]")
    page.wait_for_selector("#kontor-dashboard")

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
