"""The return window in the merchant's dashboard: the program page edits `pending_days`, and a
store with an order inside the window shows its pending points on the overview, on the customer's
card (with the next release) and in the history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from loyalty_dev.local.server import LocalServer
from tests.browser.test_dashboard import Shop, card_value, number, open_dashboard, page, webhook
from tests.support import order_event, registration_event

__all__ = ["page"]  # the suite's page fixture (a fresh browser context, photographed after each test)

pytestmark = pytest.mark.browser

STORE = "window-shop"
PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
}


@pytest.fixture(scope="module")
def window_shop(local_server: LocalServer, admin_token: Callable[..., str]) -> Shop:
    shop = Shop(local_server, admin_token(local_server, STORE), STORE)
    shop.api("PUT", "/program", {**PROGRAM, "pending_days": 14})
    webhook(local_server, "member-registered", registration_event("ann", "ann@example.com", store_id=STORE))
    webhook(
        local_server, "order-created", order_event("w-1", "ann", "49.90", has_account=True, store_id=STORE)
    )
    overview = shop.settled_overview(lambda totals: totals["points"].get("pending") == 49)
    assert overview["points"]["pending"] == 49
    return shop


def test_the_overview_and_the_card_show_pending_points_and_the_next_release(
    page: Any, window_shop: Shop
) -> None:
    open_dashboard(page, window_shop.url())
    assert number(card_value(page, "pending")) == 49
    assert number(card_value(page, "unredeemed")) == 0  # not spendable yet

    page.get_by_role("button", name="Customers").click()
    page.wait_for_selector("main[data-ready='customers']")
    page.locator("tr[data-customer='ann'] button").click()
    page.wait_for_selector("main[data-ready='customer']")
    customer = window_shop.api("GET", "/customers/ann")
    pending = page.locator("[data-field='pending']").inner_text()
    assert pending.startswith("49 (next release")
    assert customer["pending_release_at"] == "2026-12-04T10:00:00.000Z"
    assert page.locator("[data-field='balance']").inner_text() == "0"
    history = page.locator("table.history tbody tr").first.inner_text()
    assert "pending" in history
    assert "not in the balance until" in history


def test_the_program_page_edits_the_return_window(page: Any, window_shop: Shop) -> None:
    open_dashboard(page, window_shop.url())
    page.get_by_role("button", name="Program").click()
    page.wait_for_selector("main[data-ready='program']")
    days = page.get_by_label("Return window (days points stay pending)")
    assert days.input_value() == "14"

    days.fill("30")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_selector("#notice:has-text('Settings saved.')")
    assert window_shop.api("GET", "/program")["pending_days"] == 30

    days.fill("91")  # the browser itself refuses it (the field's max), and says why
    page.get_by_role("button", name="Save settings").click()
    assert days.evaluate("field => field.validity.rangeOverflow") is True
    assert "90" in days.evaluate("field => field.validationMessage")
    assert window_shop.api("GET", "/program")["pending_days"] == 30
