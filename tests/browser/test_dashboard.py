"""The merchant's dashboard, used as a merchant uses it: signed in with a local token, on a store
fed by signed webhooks, every page checked against the API's own answers and photographed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from loyalty_dev.local.server import LocalServer
from tests.browser.conftest import DOCS_IMAGES, docs_screenshots
from tests.local.client import call
from tests.local.conftest import TEST_SECRETS
from tests.support import order_event, registration_event, sign

pytestmark = pytest.mark.browser

STORE = "demo-shop"  # the session's tables are its own (tests/local/conftest.py)
OTHER_STORE = "another-shop"
TIMEOUT_MS = 15_000


def webhook(server: LocalServer, kind: str, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-Loyalty-Signature": sign(body)}
    answer = call("POST", f"{server.url}/webhooks/{kind}", headers=headers, body=body)
    assert answer.status == 200, answer.body


class Shop:
    """The store the suite works on: its token, and the API as the page sees it."""

    def __init__(self, server: LocalServer, token: str) -> None:
        self.server = server
        self.token = token

    def api(self, method: str, path: str, payload: Any = None, key: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        body = None if payload is None else json.dumps(payload).encode()
        answer = call(method, f"{self.server.url}/admin/stores/{STORE}{path}", headers=headers, body=body)
        assert answer.status < 300, (method, path, answer.status, answer.body)
        return answer.json()

    def settled_overview(self, until: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The overview once the stream has counted what `until` waits for."""
        deadline = time.monotonic() + 20
        while True:
            overview = self.api("GET", "/overview")
            if until(overview) or time.monotonic() > deadline:
                return overview
            time.sleep(0.2)

    def url(self, store: str = STORE, token: str | None = None) -> str:
        return f"{self.server.url}/dashboard/?store={store}#access_token={token or self.token}"


@pytest.fixture(scope="module")
def shop(local_server: LocalServer, admin_token: Callable[..., str]) -> Shop:
    server = local_server
    webhook(server, "member-registered", registration_event("ann", "ann@example.com", store_id=STORE))
    webhook(
        server,
        "member-registered",
        registration_event("carl", "carl@example.com", first_name="Carl", last_name="Berg", store_id=STORE),
    )
    webhook(server, "order-created", order_event("1001", "ann", "120.00", has_account=True, store_id=STORE))
    webhook(
        server,
        "order-created",
        order_event("1002", "carl", "80.00", has_account=True, email="carl@example.com", store_id=STORE),
    )
    webhook(
        server,
        "order-created",
        order_event("1003", "guest-bob", "30.00", email="bob@example.com", store_id=STORE),
    )
    shop = Shop(server, admin_token(server, STORE))
    overview = shop.settled_overview(lambda totals: totals["points"]["earned"] == 230)
    assert overview["customers"] == {"members": 2, "candidates": 1, "excluded": 0}
    return shop


@pytest.fixture
def page(browser: Any, screenshots: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.screenshot(path=str(screenshots / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], f"the page raised: {errors}"


def open_dashboard(page: Any, url: str, section: str = "overview") -> None:
    page.goto(url)
    page.wait_for_selector(f"main[data-ready='{section}']")


def open_customer(page: Any, shop: Shop, customer: str, tab: str = "Members") -> None:
    open_dashboard(page, shop.url())
    page.get_by_role("button", name="Customers").click()
    page.wait_for_selector("main[data-ready='customers']")
    page.get_by_role("tab", name=tab).click()
    page.locator(f"tr[data-customer='{customer}'] button").click()
    page.wait_for_selector("main[data-ready='customer']")


def card_value(page: Any, name: str) -> str:
    return page.locator(f"[data-total='{name}'] .card-value").inner_text()


def number(text: str) -> int:
    return int("".join(character for character in text if character.isdigit() or character == "-"))


def test_a_token_in_the_fragment_signs_in_and_leaves_the_address_bar(page: Any, shop: Shop) -> None:
    open_dashboard(page, shop.url())

    assert "access_token" not in page.url
    assert page.get_by_role("heading", name="Overview").is_visible()
    assert STORE in page.locator("#store-name").inner_text()


def test_the_overview_shows_the_api_s_numbers_and_the_chart(page: Any, shop: Shop) -> None:
    overview = shop.api("GET", "/overview")
    open_dashboard(page, shop.url())

    for name in ("earned", "redeemed", "unredeemed", "adjusted", "frozen"):
        assert number(card_value(page, name)) == overview["points"][name], name
    assert number(card_value(page, "expired")) == overview["points"].get("expired", 0)
    for name in ("members", "candidates", "excluded"):
        assert number(card_value(page, name)) == overview["customers"][name], name
    assert page.locator("[data-total='candidates'] .card-label").inner_text() == "Guests"
    page.wait_for_function("() => window.Chart && Chart.getChart('activity-chart')")
    earned_in_chart = page.evaluate(
        "() => Chart.getChart('activity-chart').data.datasets[0].data.reduce((a, b) => a + b, 0)"
    )
    assert earned_in_chart == overview["points"]["earned"] > 0  # nothing reversed in this store
    if docs_screenshots():
        page.screenshot(path=str(DOCS_IMAGES / "dashboard-overview.png"), full_page=True)


def test_search_finds_a_customer_by_the_beginning_of_the_email(page: Any, shop: Shop) -> None:
    open_dashboard(page, shop.url())
    page.get_by_role("button", name="Customers").click()
    page.wait_for_selector("[role=tabpanel][data-loaded='member']")

    page.get_by_label("Search by email or name").fill("CARL@EX")
    page.get_by_role("button", name="Search").click()

    page.wait_for_selector("caption:has-text('matching')")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-customer") == "carl"


def test_giving_points_changes_the_card_and_the_overview_once_even_on_a_double_click(
    page: Any, shop: Shop
) -> None:
    before = shop.api("GET", "/customers/ann")["points"]["balance"]
    adjusted = shop.api("GET", "/overview")["points"]["adjusted"]
    open_customer(page, shop, "ann")
    form = page.locator("form[data-action='give-points']")
    form.get_by_label("Points (negative to take away)").fill("25")
    form.get_by_label("Reason").fill("offline purchase")

    form.get_by_role("button", name="Give points").dblclick()

    page.wait_for_selector("#notice:has-text('the balance is now')")
    page.wait_for_selector("main[data-ready='customer']")
    assert number(page.locator("[data-field='balance']").inner_text()) == before + 25
    if docs_screenshots():
        page.screenshot(path=str(DOCS_IMAGES / "dashboard-customer.png"), full_page=True)
    history = shop.api("GET", "/customers/ann/transactions")["items"]
    assert [entry["points"] for entry in history if entry["type"] == "adjust"] == [25]
    shop.settled_overview(lambda totals: totals["points"]["adjusted"] == adjusted + 25)
    page.get_by_role("button", name="Overview").click()
    page.wait_for_selector("main[data-ready='overview']")
    assert number(card_value(page, "adjusted")) == adjusted + 25


def test_editing_the_balance_from_a_stale_card_says_it_is_stale(page: Any, shop: Shop) -> None:
    open_customer(page, shop, "carl")
    shown = number(page.locator("[data-field='revision']").inner_text())
    shop.api("POST", "/customers/carl/points", {"amount": 1, "reason": "meanwhile"})  # behind the card's back
    form = page.locator("form[data-action='edit-balance']")
    form.get_by_label("New balance").fill("500")
    form.get_by_label("Reason").fill("correction")

    form.get_by_role("button", name="Save balance").click()

    alert = page.locator("#alert")
    alert.wait_for(state="visible")
    assert f"revision {shown} is stale" in alert.inner_text()
    assert shop.api("GET", "/customers/carl")["points"]["balance"] != 500


def test_excluding_a_customer_moves_them_to_the_excluded_tab(page: Any, shop: Shop) -> None:
    open_customer(page, shop, "guest-bob", tab="Guests")

    page.locator("form[data-action='exclude']").get_by_role("button", name="Exclude").click()

    page.wait_for_selector("#notice:has-text('Excluded.')")
    page.wait_for_selector("main[data-ready='customer']")
    assert page.locator("[data-field='status']").inner_text() == "Excluded"
    page.get_by_role("button", name="← Back to the customers").click()
    page.wait_for_selector("main[data-ready='customers']")
    page.get_by_role("tab", name="Excluded").click()
    page.wait_for_selector("[role=tabpanel][data-loaded='excluded']")
    assert page.locator("tr[data-customer='guest-bob']").count() == 1
    page.get_by_role("tab", name="Guests").click()
    page.wait_for_selector("[role=tabpanel][data-loaded='candidate']")
    assert page.locator("tr[data-customer='guest-bob']").count() == 0


def test_a_merchant_of_one_store_cannot_open_another(page: Any, shop: Shop) -> None:
    open_dashboard(page, shop.url(store=OTHER_STORE))

    alert = page.locator("#alert")
    assert alert.is_visible()
    assert f"may not act on store {OTHER_STORE}" in alert.inner_text()
    assert page.locator(".card").count() == 0


def test_the_program_settings_are_saved_as_the_form_says(page: Any, shop: Shop) -> None:
    open_dashboard(page, shop.url())
    page.get_by_role("button", name="Program").click()
    page.wait_for_selector("main[data-ready='program']")

    page.get_by_label("Points per currency unit").fill("1.5")
    page.get_by_label("Excluded customer tags").fill("staff, test")
    page.get_by_role("button", name="Save settings").click()

    page.wait_for_selector("#notice:has-text('Settings saved.')")
    program = shop.api("GET", "/program")
    assert program["points_per_currency_unit"] == "1.5"
    assert sorted(program["excluded_customer_tags"]) == ["staff", "test"]
    assert program["active"] is True
    page.get_by_label("Points per currency unit").fill("-2")
    page.get_by_role("button", name="Save settings").click()
    alert = page.locator("#alert")
    alert.wait_for(state="visible")
    assert "Some values are not valid" in alert.inner_text()
    assert shop.api("GET", "/program")["points_per_currency_unit"] == "1.5"


def test_redeeming_a_catalog_reward_shows_the_coupon_code(page: Any, shop: Shop) -> None:
    shop.api(
        "POST",
        "/rewards",
        {
            "id": "ten-off",
            "name": "10 off",
            "points": 50,
            "kind": "amount_off",
            "value": "10.00",
            "currency": "EUR",
        },
    )
    open_customer(page, shop, "ann")
    form = page.locator("form[data-action='redeem']")
    form.get_by_label("Reward").select_option("ten-off")

    form.get_by_role("button", name="Redeem").click()

    coupon = page.locator("[data-action='redeem'] .coupon")
    coupon.wait_for(state="visible")
    code = coupon.inner_text().removeprefix("Coupon code: ")
    assert len(code) >= 12
    assert shop.api("GET", f"/coupons/{code}")["status"] == "issued"
    history = page.locator("table.history tbody tr").first
    assert "redeem" in history.inner_text()
    assert code in history.inner_text()


def test_the_rewards_catalog_creates_edits_and_retires_rewards(page: Any, shop: Shop) -> None:
    open_dashboard(page, shop.url())
    page.get_by_role("button", name="Rewards").click()
    page.wait_for_selector("main[data-ready='rewards']")
    form = page.locator("form[data-form='reward']")
    form.get_by_label("Id").fill("free-ship")
    form.get_by_label("Name").fill("Free shipping")
    form.get_by_label("Points", exact=True).fill("200")
    form.get_by_label("Kind").select_option("free_shipping")
    form.get_by_role("button", name="Create reward").click()
    page.wait_for_selector("#notice:has-text('Reward created.')")
    page.wait_for_selector("main[data-ready='rewards']")
    assert page.locator("tr[data-reward='free-ship']").count() == 1

    page.get_by_role("button", name="Edit Free shipping").click()
    page.wait_for_selector("main[data-ready='rewards']")
    form = page.locator("form[data-form='reward']")
    form.get_by_label("Points", exact=True).fill("150")
    form.get_by_role("button", name="Save reward").click()
    page.wait_for_selector("#notice:has-text('Reward saved.')")
    page.wait_for_selector("main[data-ready='rewards']")
    page.get_by_role("button", name="Retire Free shipping").click()
    page.wait_for_selector("#notice:has-text('retired')")
    page.wait_for_selector("main[data-ready='rewards']")

    reward = shop.api("GET", "/rewards/free-ship")
    assert (reward["points"], reward["active"]) == (150, False)
    assert "retired" in page.locator("tr[data-reward='free-ship']").inner_text()
    duplicate = page.locator("form[data-form='reward']")
    duplicate.get_by_label("Id").fill("free-ship")
    duplicate.get_by_label("Name").fill("Again")
    duplicate.get_by_label("Points", exact=True).fill("10")
    duplicate.get_by_label("Kind").select_option("free_shipping")
    duplicate.get_by_role("button", name="Create reward").click()
    page.locator("#alert").wait_for(state="visible")
    assert "Refused" in page.locator("#alert").inner_text()


def test_on_a_phone_the_pages_fit_the_screen_and_work_with_the_keyboard(
    browser: Any, shop: Shop, screenshots: Path
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        open_dashboard(page, shop.url())
        for section in ("overview", "customers", "program"):
            if section != "overview":
                page.get_by_role("button", name=section.capitalize()).focus()
                page.keyboard.press("Enter")
                page.wait_for_selector(f"main[data-ready='{section}']")
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{section} is {overflow}px wider than a phone"
            page.screenshot(path=str(screenshots / f"phone-{section}.png"), full_page=True)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input, select, textarea')]
                 .filter((control) => !control.labels || control.labels.length === 0)
                 .map((control) => control.name)"""
        )
        assert unlabelled == []
    finally:
        context.close()


def shopify_data_request(server: LocalServer, customer_id: int, request_id: int) -> None:
    body = json.dumps(
        {"customer": {"id": customer_id, "email": "dora@example.com"}, "data_request": {"id": request_id}}
    )
    secret = TEST_SECRETS.environment["LOYALTY_SHOPIFY_SECRET"].encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Hmac-Sha256": base64.b64encode(
            hmac.new(secret, body.encode(), hashlib.sha256).digest()
        ).decode(),
        "X-Shopify-Shop-Domain": STORE,
        "X-Shopify-Webhook-Id": f"dr-{request_id}",
    }
    answer = call(
        "POST", f"{server.url}/webhooks/shopify/customers-data-request", headers=headers, body=body.encode()
    )
    assert answer.status == 200, answer.body


def test_a_data_request_leads_to_the_customer_s_download_and_erasure(
    page: Any, shop: Shop, screenshots: Path
) -> None:
    webhook(
        shop.server,
        "member-registered",
        registration_event("4242", "dora@example.com", first_name="Dora", last_name="Privat", store_id=STORE),
    )
    shop.api("POST", "/customers/4242/points", {"amount": 15, "reason": "welcome Dora"}, key="dora-1")
    shopify_data_request(shop.server, 4242, 77)
    open_dashboard(page, shop.url())

    page.get_by_role("button", name="Data requests").click()
    page.wait_for_selector("main[data-ready='data-requests']")
    assert page.locator("tr[data-request='77']").count() == 1
    page.screenshot(path=str(screenshots / "data-requests.png"), full_page=True)
    page.locator("tr[data-request='77'] button").click()
    page.wait_for_selector("main[data-ready='customer']")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download data").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["customer"]["email"] == "dora@example.com"
    assert [entry["reason"] for entry in exported["transactions"]] == ["welcome Dora"]

    erase = page.locator("form[data-action='erase-personal-data']")
    erase.get_by_role("button", name="Erase personal data").click()  # not confirmed: nothing sent
    assert shop.api("GET", "/customers/4242")["email"] == "dora@example.com"
    erase.get_by_label("I understand this cannot be undone").check()
    erase.get_by_role("button", name="Erase personal data").click()

    page.wait_for_selector("#notice:has-text('Personal data erased.')")
    page.wait_for_selector("main[data-ready='customer']")
    assert page.locator("[data-field='email']").inner_text() == "—"
    assert page.locator("[data-field='erased_at']").count() == 1
    card = shop.api("GET", "/customers/4242")
    assert (card["email"], card["first_name"], card["erased_at"] is not None) == (None, None, True)
    assert card["points"]["balance"] == 15
