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
from tests.support import invitation_event, order_event, refund_event, registration_event, sign

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
    """The store a suite works on: its token, and the API as the page sees it. Other suites pass a
    store of their own, so that their programs never meet this one's."""

    def __init__(self, server: LocalServer, token: str, store: str = STORE) -> None:
        self.server = server
        self.token = token
        self.store = store

    def api(self, method: str, path: str, payload: Any = None, key: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        body = None if payload is None else json.dumps(payload).encode()
        url = f"{self.server.url}/admin/stores/{self.store}{path}"
        answer = call(method, url, headers=headers, body=body)
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

    def url(self, store: str | None = None, token: str | None = None) -> str:
        return f"{self.server.url}/dashboard/?store={store or self.store}#access_token={token or self.token}"


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
    page.on("console", lambda message: console_error(message, errors))
    yield page
    page.screenshot(path=str(screenshots / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], f"the page raised or logged errors: {errors}"


def console_error(message: Any, errors: list[str]) -> None:
    """A console error is a fault of the page (a file it loads that is missing: config.json,
    favicon.ico), except the API's own refusals that a test provokes on purpose (the browser logs
    every 4xx answer of a fetch): those are shown to the merchant, and the tests check that."""
    if message.type != "error":
        return
    where = (message.location or {}).get("url", "")
    if "/admin/stores/" in where and "status of 4" in message.text:
        return
    errors.append(f"{message.text} ({where})")


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
    sums = page.evaluate(
        """() => Object.fromEntries(Chart.getChart('activity-chart').data.datasets
             .map((set) => [set.label, set.data.reduce((a, b) => a + b, 0)]))"""
    )
    # The chart shows earnings gross and refunds apart; the card is net: the two never disagree.
    assert sums["Earned"] - sums["Refunded"] == overview["points"]["earned"] > 0
    assert "net of refunds" in page.locator("[data-note='earned']").inner_text()
    if docs_screenshots():
        page.screenshot(path=str(DOCS_IMAGES / "dashboard-overview.png"), full_page=True)


def test_a_section_left_before_it_loaded_never_takes_the_page_back(page: Any, shop: Shop) -> None:
    """The overview's chart data still on its way when the merchant opens Program: its late answer
    must not mark the page as the overview again (nor show its errors over the program)."""
    held: list[Any] = []

    def hold(route: Any) -> None:  # Playwright wants a Python function, not a bound builtin
        held.append(route)  # the chart's request waits until released

    page.route("**/activity?*", hold)
    page.goto(shop.url())
    page.wait_for_function("() => document.querySelector('.chart-section') !== null")
    page.get_by_role("button", name="Program").click()
    page.wait_for_selector("main[data-ready='program']")
    assert held, "the overview's chart request was not held"

    for route in held:
        route.continue_()
    page.wait_for_timeout(300)  # the overview's render finishes in the background
    assert page.locator("main").get_attribute("data-ready") == "program"
    assert page.get_by_role("heading", name="Program settings").is_visible()


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
    assert "Redeemed" in history.inner_text()
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


# Issue 22: what a newcomer tripped over --------------------------------------------------------


def register(shop: Shop, customer: str, email: str, first: str | None, last: str | None) -> None:
    event = registration_event(customer, email, first_name=first, last_name=last, store_id=STORE)
    webhook(shop.server, "member-registered", event)


def open_customers(page: Any, shop: Shop) -> None:
    open_dashboard(page, shop.url())
    page.get_by_role("button", name="Customers").click()
    page.wait_for_selector("[role=tabpanel][data-loaded='member']")


def search_tab(page: Any, tab: str, text: str, expected: str) -> None:
    """Search `text` in `tab` and wait for the customer `expected` to be listed."""
    status = {"Members": "member", "Guests": "candidate", "Excluded": "excluded"}[tab]
    page.get_by_role("tab", name=tab).click()
    page.wait_for_selector(f"[role=tabpanel][data-loaded='{status}']")
    page.get_by_label("Search by email or name").fill(text)
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector(f"tr[data-customer='{expected}']")


def open_tab(page: Any, shop: Shop, tab: str, search: str, expected: str) -> None:
    open_customers(page, shop)
    search_tab(page, tab, search, expected)


def row(page: Any, customer: str) -> dict[str, str]:
    cells = page.locator(f"tr[data-customer='{customer}']")
    return {
        name: cells.locator(f"[data-field='{name}']").inner_text()
        for name in ("name", "email", "customer_id")
    }


def overflow(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


def test_the_three_tabs_list_names_and_emails(page: Any, shop: Shop) -> None:
    register(shop, "dana", "dana@example.com", "Dana", "Cole")
    register(shop, "fay", "fay@example.com", "Fay", "Ng")
    shop.api("PUT", "/customers/fay/exclusion")
    webhook(
        shop.server,
        "order-created",
        order_event("2001", "guest-eve", "12.00", email="eve@example.com", store_id=STORE),
    )

    open_tab(page, shop, "Members", "dana", "dana")
    assert row(page, "dana") == {"name": "Dana Cole", "email": "dana@example.com", "customer_id": "dana"}
    search_tab(page, "Guests", "eve", "guest-eve")
    # A guest without a name is listed by its email.
    assert row(page, "guest-eve") == {
        "name": "eve@example.com",
        "email": "eve@example.com",
        "customer_id": "guest-eve",
    }
    search_tab(page, "Excluded", "fay", "fay")
    assert row(page, "fay") == {"name": "Fay Ng", "email": "fay@example.com", "customer_id": "fay"}
    headers = page.locator("table.customers thead th").all_inner_texts()
    assert headers[:3] == ["Name", "Email", "Customer id"]


def test_searching_ann_shows_ann_s_email(page: Any, shop: Shop) -> None:
    open_tab(page, shop, "Members", "ann", "ann")

    assert row(page, "ann")["email"] == "ann@example.com"
    assert row(page, "ann")["name"] == "Ann Lee"


def test_right_to_left_text_from_the_api_is_isolated(page: Any, shop: Shop) -> None:
    register(shop, "rtl", "\u202emoc.elpmaxey@nna", "Nora", "\u202eeeL")

    open_tab(page, shop, "Members", "nora", "rtl")
    assert page.locator("tr[data-customer='rtl']").count() == 1
    leaks = page.evaluate(UNISOLATED)
    page.locator("tr[data-customer='rtl'] button").click()
    page.wait_for_selector("main[data-ready='customer']")
    leaks += page.evaluate(UNISOLATED)

    assert leaks == []
    assert page.locator("[data-field='email'] bdi").inner_text() == "\u202emoc.elpmaxey@nna"


# Every text node holding a direction override must sit in its own <bdi> (or dir=auto) element,
# so the override ends there: nothing around it (the next cell, a label) is reordered.
UNISOLATED = """() => {
  const walker = document.createTreeWalker(document.getElementById('main'), NodeFilter.SHOW_TEXT);
  const leaks = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!/[\u202a-\u202e]/.test(node.data)) continue;
    const isolating = node.parentElement.closest('bdi, [dir=auto]');
    if (!isolating || isolating.textContent !== node.data) leaks.push(node.parentElement.outerHTML);
  }
  return leaks;
}"""


def test_a_256_character_name_wraps_instead_of_widening_the_page(page: Any, shop: Shop) -> None:
    long_name = "W" * 256
    register(shop, "long-name", "long@example.com", long_name, None)

    open_tab(page, shop, "Members", "long@", "long-name")
    in_list = overflow(page)
    page.locator("tr[data-customer='long-name'] button").click()
    page.wait_for_selector("main[data-ready='customer']")

    assert in_list <= 0
    assert overflow(page) <= 0
    assert page.locator("h2").inner_text() == long_name


def test_no_page_shows_a_stray_null_or_undefined(page: Any, shop: Shop) -> None:
    put_reward(shop, "gift-card", {"name": "Gift card", "points": 5, "kind": "free_shipping"})
    open_customer(page, shop, "ann")
    texts = {"customer": page.locator("main").inner_text()}
    for section in ("Overview", "Program", "Rewards", "Coupons"):
        page.get_by_role("button", name=section, exact=True).click()
        page.wait_for_selector(f"main[data-ready='{section.lower()}']")
        texts[section] = page.locator("main").inner_text()

    assert "Gift card" in texts["customer"]  # the catalog has a reward: the redeem form is there
    for section, text in texts.items():
        assert "null" not in text, section
        assert "undefined" not in text, section


def put_reward(shop: Shop, reward_id: str, terms: dict[str, Any]) -> None:
    """Create the reward, or offer it again as these terms say (a client may PUT what it read)."""
    headers = {"Authorization": f"Bearer {shop.token}", "Content-Type": "application/json"}
    body = json.dumps({"id": reward_id, **terms}).encode()
    answer = call("POST", f"{shop.server.url}/admin/stores/{STORE}/rewards", headers=headers, body=body)
    if answer.status == 409:
        shop.api("PUT", f"/rewards/{reward_id}", {**terms, "active": True})
    else:
        assert answer.status == 201, answer.body


def test_an_invalid_store_shows_its_error_and_nothing_still_loading(page: Any, shop: Shop) -> None:
    page.goto(shop.url(store="not a store!"))
    page.wait_for_selector("main[data-ready='error']")

    assert "is not a store id" in page.locator("#alert").inner_text()
    assert "Loading" not in page.locator("main").inner_text()
    assert "is not a store id" in page.locator("main").inner_text()


def test_the_history_speaks_in_words_and_links_merged_guest_files(page: Any, shop: Shop) -> None:
    register(shop, "gina", "gina@example.com", "Gina", "Ray")
    webhook(
        shop.server,
        "order-created",
        order_event("3001", "gus", "40.00", email="gus@example.com", store_id=STORE),
    )
    webhook(shop.server, "invitation-accepted", invitation_event("gus", "gina", store_id=STORE))
    webhook(
        shop.server, "order-created", order_event("3002", "gina", "50.00", has_account=True, store_id=STORE)
    )
    webhook(shop.server, "order-refunded", refund_event("rf-3002", "3002", "10.00", store_id=STORE))

    open_tab(page, shop, "Members", "gina", "gina")
    page.locator("tr[data-customer='gina'] button").click()
    page.wait_for_selector("main[data-ready='customer']")
    history = page.locator("table.history")

    words = history.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert not {"earn", "merge_in", "merge_out", "reverse"} & {word.strip() for word in words}
    assert any(word.startswith("Merged from guest file") for word in words)
    assert "Order refunded: points taken back" in words
    refund = history.locator("tr[data-type='reverse']").inner_text()
    assert refund.count("order 3002") == 1  # "refund rf-3002 of order 3002", not "… · order 3002" again
    assert page.locator("[data-field='merged'] button[data-guest='gus']").count() == 1

    history.locator("tr[data-type='merge_in'] button[data-guest='gus']").click()
    page.wait_for_selector("main[data-ready='customer']")
    assert (
        "Guest file gus was merged into this account"
        in page.locator("[data-field='merged_from']").inner_text()
    )


def test_coupons_are_looked_up_marked_used_and_voided_in_the_page(page: Any, shop: Shop) -> None:
    put_reward(shop, "tote", {"name": "Tote bag", "points": 5, "kind": "free_shipping"})
    codes = [
        shop.api("POST", "/customers/ann/redemptions", {"reward_id": "tote"}, key=f"coupon-page-{n}")[
            "coupon"
        ]["code"]
        for n in range(2)
    ]
    balance = shop.api("GET", "/customers/ann")["points"]["balance"]
    open_dashboard(page, shop.url())
    page.get_by_role("button", name="Coupons").click()
    page.wait_for_selector("main[data-ready='coupons']")

    page.get_by_label("Coupon code").fill(codes[0])
    page.get_by_role("button", name="Look up").click()
    page.wait_for_selector(f"[data-coupon='{codes[0]}']")
    page.get_by_label("Order id").fill("9001")
    page.get_by_role("button", name="Mark as used").click()
    page.wait_for_selector("#notice:has-text('Marked as used.')")
    page.wait_for_selector("main[data-ready='coupons']")
    assert page.locator("[data-field='status']").inner_text() == "Used"

    page.get_by_label("Coupon code").fill(codes[1])
    page.get_by_role("button", name="Look up").click()
    page.wait_for_selector(f"[data-coupon='{codes[1]}']")
    page.get_by_role("button", name="Void coupon").click()
    page.wait_for_selector("#notice:has-text('Voided')")
    page.wait_for_selector("main[data-ready='coupons']")

    assert shop.api("GET", f"/coupons/{codes[0]}")["status"] == "used"
    assert shop.api("GET", f"/coupons/{codes[1]}")["status"] == "void"
    assert shop.api("GET", "/customers/ann")["points"]["balance"] == balance + 5


def test_the_reward_form_shows_what_a_kind_takes_and_suggests_the_id(page: Any, shop: Shop) -> None:
    put_reward(shop, "mug", {"name": "Mug", "points": 7, "kind": "free_shipping"})
    open_dashboard(page, shop.url())
    page.get_by_role("button", name="Rewards").click()
    page.wait_for_selector("main[data-ready='rewards']")
    form = page.locator("form[data-form='reward']")

    form.get_by_label("Name").fill("Ten Euros Off")
    assert form.get_by_label("Id").input_value() == "ten-euros-off"
    form.get_by_label("Kind").select_option("free_shipping")
    assert not form.get_by_label("Value").is_visible()
    assert not form.get_by_label("Currency").is_visible()
    form.get_by_label("Kind").select_option("percent_off")
    assert form.get_by_label("Value").is_visible()
    assert not form.get_by_label("Currency").is_visible()
    form.get_by_label("Kind").select_option("amount_off")
    assert form.get_by_label("Currency").is_visible()
    retire = page.locator("tr[data-reward='mug'] form[data-action='retire'] button")
    edit = page.get_by_role("button", name="Edit Mug")
    assert "danger" in (retire.get_attribute("class") or "")
    assert retire.evaluate("(button) => getComputedStyle(button).color") != edit.evaluate(
        "(button) => getComputedStyle(button).color"
    )
    gap = page.evaluate(
        """() => document.querySelector("form[data-form='reward']").getBoundingClientRect().top
               - document.querySelector('table.rewards').getBoundingClientRect().bottom"""
    )
    assert gap >= 16


def test_give_points_marks_the_reason_required_and_clears_an_earlier_error(page: Any, shop: Shop) -> None:
    open_customer(page, shop, "carl")
    shop.api("POST", "/customers/carl/points", {"amount": 1, "reason": "meanwhile"})  # the card is stale now
    edit = page.locator("form[data-action='edit-balance']")
    edit.get_by_label("New balance").fill("500")
    edit.get_by_label("Reason").fill("correction")
    edit.get_by_role("button", name="Save balance").click()
    page.locator("#alert").wait_for(state="visible")
    assert "stale" in edit.locator(".form-error").inner_text()
    give = page.locator("form[data-action='give-points']")
    assert "(required)" in give.locator("label", has_text="Reason").inner_text()

    give.get_by_label("Points (negative to take away)").fill("3")
    give.get_by_label("Reason").fill("goodwill")
    give.get_by_role("button", name="Give points").click()

    page.wait_for_selector("#notice:has-text('the balance is now')")
    page.wait_for_selector("main[data-ready='customer']")
    assert page.locator("#alert").is_hidden()
    assert page.locator("form[data-action='edit-balance'] .form-error").inner_text() == ""


# Issue 28: privacy ------------------------------------------------------------------------------


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
