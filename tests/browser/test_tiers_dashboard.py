"""VIP tiers in the merchant's dashboard: the program page edits the tiers and their window (and
says in words what it refuses), and the customer's card shows the tier held and the progress to
the next."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from loyalty_dev.local.server import LocalServer
from tests.browser.conftest import DOCS_IMAGES, docs_screenshots
from tests.browser.test_dashboard import Shop, open_dashboard, page, webhook
from tests.support import order_event, registration_event

__all__ = ["page"]  # the suite's page fixture (a fresh browser context, photographed after each test)

pytestmark = pytest.mark.browser

STORE = "tier-shop"
SILVER = {"id": "silver", "name": "Silver", "threshold": 500, "earn_multiplier": "1.25", "entry_bonus": 100}
PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
    "tiers": [SILVER],
    "tier_window_months": 12,
}


@pytest.fixture(scope="module")
def tier_shop(local_server: LocalServer, admin_token: Callable[..., str]) -> Shop:
    shop = Shop(local_server, admin_token(local_server, STORE), STORE)
    shop.api("PUT", "/program", PROGRAM)
    webhook(local_server, "member-registered", registration_event("ann", "ann@example.com", store_id=STORE))
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    order = {**order_event("v-1", "ann", "600", has_account=True, store_id=STORE), "occurred_at": now}
    webhook(local_server, "order-created", order)
    return shop


def open_program(page: Any, shop: Shop) -> None:
    open_dashboard(page, shop.url())
    page.get_by_role("button", name="Program").click()
    page.wait_for_selector("main[data-ready='program']")


def test_the_program_page_edits_the_tiers_and_their_window(page: Any, tier_shop: Shop) -> None:
    open_program(page, tier_shop)
    assert page.get_by_label("Tier 1: Id").input_value() == "silver"
    assert page.get_by_label("Tier 1: Multiplier").input_value() == "1.25"
    assert page.get_by_label("Tier 2: Id").input_value() == ""

    page.get_by_label("Tier 2: Id").fill("gold")
    page.get_by_label("Tier 2: Name").fill("Gold")
    page.get_by_label("Tier 2: Threshold (points)").fill("400")  # below Silver's: refused in words
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_selector(".form-error:has-text('Tier thresholds must go up')")
    assert [tier["id"] for tier in tier_shop.api("GET", "/program")["tiers"]] == ["silver"]

    page.get_by_label("Tier 2: Threshold (points)").fill("2000")
    page.get_by_label("Tier 2: Multiplier").fill("1.5")
    page.get_by_label("Tier 2: Entry bonus").fill("300")
    page.get_by_label("Window (months of points that count)").fill("24")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_selector("#notice:has-text('Settings saved.')")
    saved = tier_shop.api("GET", "/program")
    assert saved["tiers"] == [
        SILVER,
        {"id": "gold", "name": "Gold", "threshold": 2000, "earn_multiplier": "1.5", "entry_bonus": 300},
    ]
    assert saved["tier_window_months"] == 24
    if docs_screenshots():
        page.locator("fieldset.tier-settings").screenshot(path=str(DOCS_IMAGES / "dashboard-tiers.png"))

    page.get_by_label("Lifetime: every point ever counts, and tiers never fall").check()
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_selector("#notice:has-text('Settings saved.')")
    assert tier_shop.api("GET", "/program")["tier_window_months"] is None
    tier_shop.api("PUT", "/program", PROGRAM)  # as the other test expects it


def test_the_card_shows_the_tier_and_the_progress_to_the_next(page: Any, tier_shop: Shop) -> None:
    tier_shop.api(
        "PUT", "/program", {**PROGRAM, "tiers": [SILVER, {"id": "gold", "name": "Gold", "threshold": 2000}]}
    )
    open_dashboard(page, tier_shop.url())
    page.get_by_role("button", name="Customers").click()
    page.wait_for_selector("main[data-ready='customers']")
    page.locator("tr[data-customer='ann'] button").click()
    page.wait_for_selector("main[data-ready='customer']")
    tier = page.locator("[data-field='tier']").inner_text()
    assert tier.startswith("Silver since ")
    assert ", kept until " in tier
    assert page.locator("[data-field='qualifying_points']").inner_text() == "600 (1,400 more for Gold)"
    assert page.locator("[data-field='balance']").inner_text() == "700"  # 600 and Silver's bonus
    history = page.locator("table.history tbody").inner_text()
    assert "Bonus" in history
    assert "tier reached: Silver" in history
    if docs_screenshots():
        page.screenshot(path=str(DOCS_IMAGES / "dashboard-customer-tier.png"), full_page=True)
