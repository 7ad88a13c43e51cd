"""The birthday on the merchant's dashboard: the customer's card shows it in words and sets it
with a month and a day (a day the month lacks is refused in words; 29 February is allowed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from loyalty_dev.local.server import LocalServer
from tests.browser.test_dashboard import Shop, open_dashboard, page, webhook
from tests.support import registration_event

__all__ = ["page"]  # the suite's page fixture (a fresh browser context, photographed after each test)

pytestmark = pytest.mark.browser

STORE = "birthday-shop"


@pytest.fixture(scope="module")
def birthday_shop(local_server: LocalServer, admin_token: Callable[..., str]) -> Shop:
    shop = Shop(local_server, admin_token(local_server, STORE), STORE)
    event = registration_event("ann", "ann@example.com", store_id=STORE)
    event["customer"]["birthday"] = "1990-03-14"
    webhook(local_server, "member-registered", event)
    return shop


def open_card(page: Any, shop: Shop) -> None:
    open_dashboard(page, shop.url())
    page.get_by_role("button", name="Customers").click()
    page.wait_for_selector("main[data-ready='customers']")
    page.locator("tr[data-customer='ann'] button").click()
    page.wait_for_selector("main[data-ready='customer']")


def test_the_card_shows_and_sets_the_birthday(page: Any, birthday_shop: Shop, tmp_path: Path) -> None:
    open_card(page, birthday_shop)
    assert page.locator("[data-field='birthday']").inner_text() == "14 March"
    form = page.locator("form[data-action='birthday']")
    assert form.get_by_label("Month").input_value() == "3"
    assert form.get_by_label("Day").input_value() == "14"

    form.get_by_label("Month").select_option(label="February")
    form.get_by_label("Day").fill("30")
    form.get_by_role("button", name="Save birthday").click()
    page.wait_for_selector("form[data-action='birthday'] .form-error:has-text('February has no day 30')")
    assert birthday_shop.api("GET", "/customers/ann")["birthday"] == "03-14"  # nothing sent

    form.get_by_label("Day").fill("29")
    form.get_by_role("button", name="Save birthday").click()
    page.wait_for_selector("#notice:has-text('Saved: the birthday is 29 February.')")
    page.wait_for_selector("[data-field='birthday']:has-text('29 February')")
    assert birthday_shop.api("GET", "/customers/ann")["birthday"] == "02-29"
    page.locator("section.customer-card").screenshot(path=str(tmp_path / "birthday-card.png"))
    page.locator("form[data-action='birthday']").screenshot(path=str(tmp_path / "birthday-form.png"))
    print(tmp_path)
