"""Ways to earn and bonus campaigns on the dashboard's program page, in a real browser: the merchant
edits them and reads, in words, what is refused (the panel's side: tests/browser/test_panel.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from loyalty.domain.entities import format_timestamp
from loyalty_dev.local.server import LocalServer
from tests.browser.conftest import DOCS_IMAGES, docs_screenshots
from tests.browser.test_dashboard import Shop, open_dashboard, page
from tests.local.client import call

__all__ = ["page"]  # the suite's page fixture (a fresh browser context, photographed after each test)

pytestmark = pytest.mark.browser

STORE = "earn-shop"
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
PROGRAM: dict[str, Any] = {"active": True, "points_per_currency_unit": "1", "guests_earn_points": True}
SIGNUP = {"id": "signup", "kind": "signup", "points": 100}
REVIEW = {
    "id": "review",
    "kind": "action",
    "name": "Write a review",
    "points": 25,
    "per_customer": 1,
    "per_day": None,
}
DOUBLE = {
    "id": "double-week",
    "name": "Double points week",
    "multiplier": "2",
    "starts_at": format_timestamp(NOW - timedelta(days=2)),
    "ends_at": format_timestamp((NOW + timedelta(days=5)).replace(hour=0, minute=0)),
}
LATER = {
    **DOUBLE,
    "id": "spring",
    "name": "Spring sale",
    "multiplier": "1.5",
    "starts_at": format_timestamp(NOW + timedelta(days=40)),
    "ends_at": format_timestamp(NOW + timedelta(days=45)),
}


@pytest.fixture(scope="module")
def earn_shop(local_server: LocalServer, admin_token: Callable[..., str]) -> Shop:
    shop = Shop(local_server, admin_token(local_server, STORE), STORE)
    shop.api("PUT", "/program", {**PROGRAM, "ways_to_earn": [SIGNUP], "campaigns": [DOUBLE]})
    return shop


def open_program(page: Any, shop: Shop) -> None:
    open_dashboard(page, shop.url())
    page.get_by_role("button", name="Program").click()
    page.wait_for_selector("main[data-ready='program']")


def save(page: Any) -> None:
    page.get_by_role("button", name="Save settings").click()


def test_the_program_page_edits_the_ways_to_earn_and_the_campaigns(page: Any, earn_shop: Shop) -> None:
    open_program(page, earn_shop)
    assert page.get_by_label("Sign-up bonus (points)").input_value() == "100"
    assert page.get_by_label("Birthday bonus (points)").input_value() == ""
    assert page.locator("[data-campaign='1']").get_by_label("Id", exact=True).input_value() == "double-week"
    assert page.locator("[data-campaign='1'] .campaign-state").inner_text() == "running now"

    page.get_by_label("Action 1: Id").fill("review")
    page.get_by_label("Action 1: Points").fill("25")
    save(page)  # no name: refused in words, nothing saved
    page.wait_for_selector(".form-error:has-text('Action 1: give it a name shoppers see')")
    assert earn_shop.api("GET", "/program")["ways_to_earn"] == [
        {**SIGNUP, "name": None, "per_customer": None, "per_day": None}
    ]

    page.get_by_label("Action 1: Name shoppers see").fill("Write a review")
    page.get_by_label("Action 1: Times per customer").fill("1")
    page.get_by_label("Birthday bonus (points)").fill("50")
    second = page.locator("[data-campaign='2']")
    second.get_by_label("Id", exact=True).fill("spring")
    second.get_by_label("Name", exact=True).fill("Spring sale")
    second.get_by_label("Multiplier", exact=True).fill("1.5")
    second.get_by_label("Starts (UTC)", exact=True).fill(LATER["starts_at"][:16])
    second.get_by_label("Ends (UTC)", exact=True).fill(
        LATER["starts_at"][:16]
    )  # not after the start: refused
    save(page)
    page.wait_for_selector(".form-error:has-text('Campaign 2: the end must come after the start')")
    second.get_by_label("Ends (UTC)", exact=True).fill(LATER["ends_at"][:16])
    save(page)
    page.wait_for_selector("#notice:has-text('Settings saved.')")
    saved = earn_shop.api("GET", "/program")
    assert saved["ways_to_earn"] == [
        {**SIGNUP, "name": None, "per_customer": None, "per_day": None},
        {
            "id": "birthday",
            "kind": "birthday",
            "name": None,
            "points": 50,
            "per_customer": None,
            "per_day": None,
        },
        REVIEW,
    ]
    assert saved["campaigns"] == [DOUBLE, LATER]
    if docs_screenshots():
        page.locator("fieldset.earn-settings").screenshot(
            path=str(DOCS_IMAGES / "dashboard-ways-to-earn.png")
        )
        page.locator("fieldset.campaign-settings").screenshot(
            path=str(DOCS_IMAGES / "dashboard-campaigns.png")
        )

    page.get_by_label("Sign-up bonus (points)").fill("2000000")  # past the API's bound: said in words
    save(page)
    page.wait_for_selector(".form-error:has-text('points are a whole number from 1 to 1,000,000')")
    earn_shop.api("PUT", "/program", {**PROGRAM, "ways_to_earn": [SIGNUP], "campaigns": [DOUBLE]})


def test_a_refusal_of_the_api_is_shown_with_its_reason(page: Any, earn_shop: Shop) -> None:
    # What the page cannot check itself (another tab saved meanwhile, a rule the page does not
    # know) the API refuses: its real 422 answer, handed to the page's save, is shown in words.
    refused = call(
        "PUT",
        f"{earn_shop.server.url}/admin/stores/{STORE}/program",
        headers={"Authorization": f"Bearer {earn_shop.token}", "Content-Type": "application/json"},
        body=json.dumps({**PROGRAM, "campaigns": [DOUBLE, DOUBLE]}).encode(),
    )
    assert refused.status == 422
    open_program(page, earn_shop)
    page.route(
        "**/program",
        lambda route: (
            route.fulfill(status=422, content_type="application/json", body=refused.body)
            if route.request.method == "PUT"
            else route.continue_()
        ),
    )
    save(page)
    page.wait_for_selector(".form-error:has-text('campaign ids must be unique')")

    page.get_by_label("Action 1: Id").fill("signup")  # the sign-up bonus's id: refused on the page
    page.get_by_label("Action 1: Name shoppers see").fill("Sign up twice")
    page.get_by_label("Action 1: Points").fill("5")
    save(page)
    page.wait_for_selector(".form-error:has-text('Each way to earn needs its own id')")
