"""The storefront panel in a real browser, as a shopper meets it: on a storefront page served from
another origin than the API (http://localhost:PORT against the API's http://127.0.0.1:PORT), the
panel's script loaded from the API's server, every call a real CORS request to the local server."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from loyalty.domain.entities import format_timestamp
from loyalty_dev.local.demo_store import seed_demo_store
from loyalty_dev.local.server import LocalServer
from loyalty_dev.local.storefront import DEMO_MEMBER, DEMO_STORE
from tests.browser.conftest import DOCS_IMAGES, docs_screenshots
from tests.local.client import call
from tests.support import WEBHOOK_SECRET, order_event, registration_event, sign, token_for

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing").expect

STORE = "panel-shop"
SHADOW = "document.querySelector('loyalty-panel').shadowRoot"
TIMEOUT_MS = 15_000
MARKUP_NAME = '<img src=x onerror="window.pwned=1"><b>Gift card</b>'
REVERSED_NAME = "Mug \u202eevil.exe"
# Offered only while the test of names runs (the other pages, photographed, show ordinary names).
HOSTILE = (
    {"id": "markup", "name": MARKUP_NAME, "points": 160, "kind": "free_shipping"},
    {"id": "reversed", "name": REVERSED_NAME, "points": 210, "kind": "percent_off", "value": "10"},
)
PANEL = {"name": "Acme Rewards", "currency": "EUR", "accent_color": "#1f4e8c"}
REWARDS = (
    {
        "id": "five-off",
        "name": "€5 off",
        "points": 100,
        "kind": "amount_off",
        "value": "5.00",
        "currency": "EUR",
    },
    {"id": "ship", "name": "Free shipping", "points": 150, "kind": "free_shipping"},
    {"id": "ten-pct", "name": "10% off a tent", "points": 200, "kind": "percent_off", "value": "10"},
    {
        "id": "big",
        "name": "Weekend for two",
        "points": 5000,
        "kind": "amount_off",
        "value": "500",
        "currency": "EUR",
    },
)


def webhook(server: LocalServer, kind: str, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-Loyalty-Signature": sign(body)}
    answer = call("POST", f"{server.url}/webhooks/{kind}", headers=headers, body=body)
    assert answer.status == 200, answer.body


class Storefront:
    """The store's site: its pages (routed by the browser on http://localhost:PORT/shop/…), its
    token URL, and the API as the store's back office sees it."""

    def __init__(self, server: LocalServer, admin: str, site: ShopServer) -> None:
        self.server = server
        self.admin_token = admin
        self.site = site
        self.origin = site.origin
        self.program: dict[str, Any] = {}

    def admin(self, method: str, path: str, payload: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.admin_token}", "Content-Type": "application/json"}
        body = None if payload is None else json.dumps(payload).encode()
        answer = call(method, f"{self.server.url}/admin/stores/{STORE}{path}", headers=headers, body=body)
        assert answer.status < 300 or answer.status == 409, (method, path, answer.status, answer.body)
        return answer.json()

    def balance(self, customer: str) -> int:
        return int(self.admin("GET", f"/customers/{customer}")["points"]["balance"])

    def page_html(self, attributes: str, html_lang: str = "en") -> str:
        return (
            f'<!doctype html><html lang="{html_lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>'
            '<link rel="icon" href="data:,"><style>'
            "body { margin: 0; font-family: Georgia, serif; background: #f7f4ee; } main { padding: 1.5rem; }"
            "header { padding: 1rem 1.5rem; background: #23303b; color: #fff; }</style>"
            "</head><body><header>Acme Outdoor</header><main><h1>Tents and packs</h1>"
            "<p>Everything for a weekend outside.</p></main>"
            f'<script type="module" src="{self.server.url}/panel/loyalty-panel.js"></script>'
            f'<loyalty-panel store="{STORE}" api="{self.server.url}" {attributes}></loyalty-panel>'
            "</body></html>"
        )


@pytest.fixture(scope="module")
def shop(local_server: LocalServer, admin_token: Callable[..., str], site: ShopServer) -> Storefront:
    server = local_server
    store = Storefront(server, admin_token(server, STORE), site)
    program = {
        "active": True,
        "points_per_currency_unit": "1",
        "guests_earn_points": True,
        "storefront_origins": [store.origin],
        "panel": {
            **PANEL,
            "signup_url": f"{store.origin}/shop/join",
            "login_url": f"{store.origin}/shop/login",
        },
    }
    store.admin("PUT", "/program", program)
    store.program = program
    for reward in REWARDS:
        store.admin("POST", "/rewards", reward)
    for member in ("mia", "max", "zoe"):
        webhook(
            server, "member-registered", registration_event(member, f"{member}@example.com", store_id=STORE)
        )
        webhook(
            server,
            "order-created",
            order_event(f"o-{member}", member, "520.00", has_account=True, store_id=STORE),
        )
    webhook(
        server,
        "order-created",
        order_event("o-gus", "gus", "120.00", email="gus@example.com", store_id=STORE),
    )
    webhook(server, "member-registered", registration_event("exa", "exa@example.com", store_id=STORE))
    store.admin("PUT", "/customers/exa/exclusion")
    return store


@pytest.fixture
def page(browser: Any, shop: Storefront, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=shop.origin)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: print("CONSOLE", message.type, message.text))
    page.on("requestfailed", lambda sent: print("FAILED", sent.url, sent.failure))
    page.requests = []  # type: ignore[attr-defined]
    page.on("request", lambda sent: page.requests.append(sent.url))  # type: ignore[attr-defined]
    yield page
    context.close()
    assert errors == [], f"the page raised: {errors}"


class ShopServer:
    """The store's own web server (another port of this machine: another origin than the API, in
    the same loopback address space as a real store's development site): its page, and its token
    URL answering what the test says."""

    def __init__(self) -> None:
        self.html = ""
        self.tokens: Callable[[], str | None] = lambda: None
        self.asked: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/shop/token"):
                    value = outer.tokens()
                    outer.asked.append(value or "")
                    status, body = (200, {"token": value}) if value else (401, {"error": "signed out"})
                    self.answer(status, json.dumps(body), "application/json")
                elif self.path.startswith("/shop/"):
                    self.answer(200, outer.html, "text/html; charset=utf-8")
                else:
                    self.answer(404, "{}", "application/json")

            def answer(self, status: int, body: str, content_type: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[ShopServer]:
    server = ShopServer()
    yield server
    server.close()


def storefront(
    page: Any,
    shop: Storefront,
    attributes: str,
    *,
    tokens: Callable[[], str | None] | None = None,
    html_lang: str = "en",
) -> list[str]:
    """Open the store's page; `tokens()` answers each GET of its token URL (None: signed out).
    Returns the tokens handed out, as a list that grows while the test runs."""
    shop.site.html = shop.page_html(attributes, html_lang)
    shop.site.tokens = tokens or (lambda: None)
    shop.site.asked = []
    page.goto(f"{shop.origin}/shop/")
    return shop.site.asked


def member_token(customer: str) -> Callable[[], str]:
    return lambda: token_for(STORE, customer)


def open_panel(page: Any, view: str) -> None:
    launcher = page.locator("loyalty-panel button.launcher")
    launcher.click()
    page.wait_for_selector(f"loyalty-panel[data-view='{view}']", state="attached")


def panel_text(page: Any) -> str:
    return str(page.locator("loyalty-panel .body").inner_text())


def photograph(page: Any, name: str) -> None:
    if docs_screenshots():
        page.screenshot(path=str(DOCS_IMAGES / f"panel-{name}.png"))


# the four views --------------------------------------------------------------------------------


def test_a_visitor_sees_how_to_earn_the_rewards_and_join(page: Any, shop: Storefront) -> None:
    storefront(page, shop, 'token-url="/shop/token"')
    page.wait_for_function(f"{SHADOW} && document.querySelector('loyalty-panel').style.length > 0")
    photograph(page, "launcher")
    open_panel(page, "visitor")

    text = panel_text(page)
    assert "Log in or create a store account to start earning rewards" in text
    assert "Earn 1 point for every €1 you spend" in text
    assert "€5 off" in text
    assert "100 points" in text
    assert page.get_by_role("link", name="Join").get_attribute("href") == f"{shop.origin}/shop/join"
    assert page.get_by_role("link", name="Sign in").get_attribute("href") == f"{shop.origin}/shop/login"
    assert page.locator("loyalty-panel .body button").count() == 0  # nothing to redeem
    assert page.locator("loyalty-panel header").inner_text().startswith("Acme Rewards")
    photograph(page, "visitor")


def test_a_guest_sees_its_waiting_points_and_join(page: Any, shop: Storefront) -> None:
    storefront(page, shop, 'token-url="/shop/token"', tokens=member_token("gus"))
    open_panel(page, "guest")

    assert "You have 120 points waiting: create an account to use them" in panel_text(page)
    assert page.get_by_role("link", name="Join").is_visible()
    assert page.locator("loyalty-panel .body button").count() == 0
    photograph(page, "guest")


def test_an_excluded_customer_is_told_so_and_offered_nothing(page: Any, shop: Storefront) -> None:
    storefront(page, shop, 'token-url="/shop/token"', tokens=member_token("exa"))
    open_panel(page, "excluded")

    assert panel_text(page).strip() == "Your account is not part of the rewards program"
    assert page.locator("loyalty-panel .body button, loyalty-panel .body a").count() == 0
    photograph(page, "excluded")


def test_a_member_sees_balance_rewards_coupons_and_history(page: Any, shop: Storefront) -> None:
    storefront(page, shop, 'token-url="/shop/token"', tokens=member_token("zoe"))
    open_panel(page, "member")

    text = panel_text(page)
    assert f"{shop.balance('zoe')} points" in page.locator("loyalty-panel .balance").inner_text()
    assert "+520 points, order o-zoe" in text
    assert "No coupons to use yet." in text
    assert page.locator("loyalty-panel button[data-reward='five-off']").is_enabled()
    assert page.locator("loyalty-panel button[data-reward='big']").count() == 0  # too dear
    assert "4,480 points more needed" in text
    assert "pending" not in text  # no pending points, no tiers: nothing said of them
    assert "tier" not in text.lower()
    photograph(page, "member")


def test_pending_points_and_tiers_are_shown_when_the_account_has_them(page: Any, shop: Storefront) -> None:
    """The account answer gains `points.pending`, `pending_release_at`, `tier` and `next_tier` as
    the return window and tiers land: the panel shows them as they come (here added in transit)."""

    def richer(route: Any) -> None:
        answer = route.fetch()
        account = answer.json()
        account["points"]["pending"] = 30
        account["pending_release_at"] = "2026-12-20T10:00:00Z"
        account["tier"] = {
            "id": "silver",
            "name": "Silver",
            "since": "2026-11-20T10:00:00Z",
            "kept_until": None,
        }
        account["next_tier"] = {"id": "gold", "name": "Gold", "threshold": 1000, "points_needed": 480}
        route.fulfill(response=answer, json=account)

    page.route(f"{shop.server.url}/stores/{STORE}/customers/zoe/balance", richer)
    storefront(page, shop, 'token-url="/shop/token"', tokens=member_token("zoe"))
    open_panel(page, "member")

    text = panel_text(page)
    assert "30 points pending, available December 20, 2026" in text
    assert "Your tier: Silver" in text
    assert "480 points more to reach Gold" in text
    progress = page.locator("loyalty-panel progress.tier-progress")
    assert (progress.get_attribute("value"), progress.get_attribute("max")) == ("520", "1000")
    photograph(page, "member-pending-tier")


# redeeming ---------------------------------------------------------------------------------------


def test_redeeming_spends_the_points_and_shows_the_coupon_to_copy(page: Any, shop: Storefront) -> None:
    before = shop.balance("mia")
    storefront(page, shop, 'token-url="/shop/token"', tokens=member_token("mia"))
    open_panel(page, "member")

    page.locator("loyalty-panel button[data-reward='five-off']").click()
    page.wait_for_selector("loyalty-panel section.coupon .code")

    code = page.locator("loyalty-panel section.coupon .code").inner_text()
    coupons = call(
        "GET",
        f"{shop.server.url}/stores/{STORE}/customers/mia/coupons?status=issued",
        headers={"Authorization": f"Bearer {token_for(STORE, 'mia')}"},
    ).json()["items"]
    assert [coupon["code"] for coupon in coupons] == [code]
    assert shop.balance("mia") == before - 100
    assert f"{before - 100} points" in page.locator("loyalty-panel .balance").inner_text()
    assert "−100 points, reward redeemed" in panel_text(page)
    assert code in page.locator("loyalty-panel li.coupon").first.inner_text()  # "Your rewards"
    page.locator("loyalty-panel section.coupon button").click()
    page.wait_for_function(f"{SHADOW}.querySelector('section.coupon button').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == code
    photograph(page, "coupon")


def test_a_double_click_spends_once_and_each_intent_has_its_own_key(page: Any, shop: Storefront) -> None:
    before = shop.balance("max")
    keys: list[str] = []
    page.on(
        "request",
        lambda sent: keys.append(sent.headers.get("idempotency-key", "")) if sent.method == "POST" else None,
    )
    storefront(page, shop, 'token-url="/shop/token"', tokens=member_token("max"))
    open_panel(page, "member")

    page.locator("loyalty-panel button[data-reward='five-off']").dblclick()
    page.wait_for_selector("loyalty-panel section.coupon .code")
    page.wait_for_timeout(300)  # a second request, if any, would be under way by now
    assert shop.balance("max") == before - 100
    page.locator("loyalty-panel button[data-reward='five-off']").click()
    page.wait_for_function(f"{SHADOW}.querySelector('.balance').textContent.includes('{before - 200}')")

    assert shop.balance("max") == before - 200
    assert len([key for key in keys if key]) == 2
    assert len(set(keys)) == 2


def test_a_refusal_is_said_in_words(page: Any, shop: Storefront) -> None:
    storefront(page, shop, 'token-url="/shop/token"', tokens=member_token("zoe"))
    open_panel(page, "member")
    shop.admin("DELETE", "/rewards/ten-pct")  # retired after the panel showed it
    try:
        page.locator("loyalty-panel button[data-reward='ten-pct']").click()
        page.wait_for_selector("loyalty-panel .error")
        assert (
            "This reward cannot be redeemed right now." in page.locator("loyalty-panel .error").inner_text()
        )
    finally:
        reward = next(reward for reward in REWARDS if reward["id"] == "ten-pct")
        shop.admin("PUT", "/rewards/ten-pct", {key: value for key, value in reward.items() if key != "id"})


def test_an_unreachable_api_is_said_in_words(page: Any, shop: Storefront) -> None:
    html = shop.page_html('token-url="/shop/token"').replace(
        f'api="{shop.server.url}"', 'api="http://127.0.0.1:9"'
    )
    storefront(page, shop, "")
    shop.site.html = html
    page.goto(f"{shop.origin}/shop/")
    open_panel(page, "error")
    assert "We could not reach the rewards service" in panel_text(page)
    assert page.get_by_role("button", name="Try again").is_visible()


# tokens ------------------------------------------------------------------------------------------


def test_a_refused_token_is_asked_for_again_once(page: Any, shop: Storefront) -> None:
    expired = token_for(STORE, "zoe", now=int(time.time()) - 7200, ttl=3600)
    handed = iter([expired, token_for(STORE, "zoe")])
    asked = storefront(page, shop, 'token-url="/shop/token"', tokens=lambda: next(handed))
    open_panel(page, "member")

    assert len(asked) == 2
    assert "+520 points, order o-zoe" in panel_text(page)


def test_a_token_refused_twice_says_so(page: Any, shop: Storefront) -> None:
    expired = token_for(STORE, "zoe", now=int(time.time()) - 7200, ttl=3600)
    asked = storefront(page, shop, 'token-url="/shop/token"', tokens=lambda: expired)
    open_panel(page, "error")

    assert len(asked) == 2
    assert "Your session has expired. Please sign in again" in panel_text(page)


def test_a_classic_script_loader_serves_sites_without_module_scripts(page: Any, shop: Storefront) -> None:
    storefront(page, shop, 'token-url="/shop/token"', tokens=member_token("zoe"))
    shop.site.html = (
        shop.page_html('token-url="/shop/token"')
        .replace('<script type="module" src="', '<script src="')
        .replace("/panel/loyalty-panel.js", "/panel/loader.js")
    )
    page.goto(f"{shop.origin}/shop/")
    open_panel(page, "member")
    assert "+520 points, order o-zoe" in panel_text(page)


def test_a_token_given_as_an_attribute_needs_no_token_url(page: Any, shop: Storefront) -> None:
    storefront(page, shop, f'inline customer-token="{token_for(STORE, "zoe")}"')
    page.wait_for_selector("loyalty-panel[data-view='member']", state="attached")
    assert page.locator("loyalty-panel button.launcher").count() == 0
    assert page.locator("loyalty-panel [role='region']").get_attribute("aria-labelledby")


# language, text, accessibility, size ------------------------------------------------------------


def test_french_from_the_element_or_the_page(page: Any, shop: Storefront) -> None:
    storefront(page, shop, 'lang="fr" token-url="/shop/token"', tokens=member_token("zoe"))
    assert page.locator("loyalty-panel button.launcher").inner_text() == "Récompenses"
    open_panel(page, "member")
    text = panel_text(page)
    assert "Vos points" in text
    assert "Historique" in text
    assert "commande o-zoe" in text
    assert page.locator("loyalty-panel button[data-reward='five-off']").inner_text() == "Échanger"
    photograph(page, "member-fr")

    storefront(page, shop, 'token-url="/shop/token"', html_lang="fr-CA")
    open_panel(page, "visitor")
    assert "Connectez-vous ou créez un compte client" in panel_text(page)


def test_names_from_the_api_are_text_isolated_for_direction(page: Any, shop: Storefront) -> None:
    for reward in HOSTILE:
        shop.admin("POST", "/rewards", reward)
        shop.admin(
            "PUT", f"/rewards/{reward['id']}", {key: value for key, value in reward.items() if key != "id"}
        )
    try:
        storefront(page, shop, 'token-url="/shop/token"')
        open_panel(page, "visitor")

        names = page.locator("loyalty-panel li.reward .name bdi")
        assert MARKUP_NAME in names.all_inner_texts()
        assert REVERSED_NAME in names.all_inner_texts()
        assert page.locator("loyalty-panel .body img, loyalty-panel .body b").count() == 0
        assert page.evaluate("window.pwned") is None
    finally:
        for reward in HOSTILE:
            shop.admin("DELETE", f"/rewards/{reward['id']}")


def test_the_dialog_keeps_focus_and_escape_gives_it_back(page: Any, shop: Storefront) -> None:
    storefront(page, shop, 'token-url="/shop/token"', tokens=member_token("zoe"))
    launcher = page.locator("loyalty-panel button.launcher")
    assert launcher.get_attribute("aria-expanded") == "false"
    open_panel(page, "member")

    dialog = page.get_by_role("dialog", name="Acme Rewards")
    assert dialog.is_visible()
    assert launcher.get_attribute("aria-expanded") == "true"
    inside = f"{SHADOW}.querySelector('dialog').contains({SHADOW}.activeElement)"
    for _ in range(25):
        page.keyboard.press("Tab")
        assert page.evaluate(inside)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(inside)
    page.keyboard.press("Escape")

    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert not dialog.is_visible()
    assert (
        page.evaluate("document.querySelector('loyalty-panel').shadowRoot.activeElement?.className")
        == "launcher"
    )


def test_at_360_pixels_nothing_overflows(page: Any, shop: Storefront) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    storefront(page, shop, 'token-url="/shop/token"', tokens=member_token("zoe"))
    open_panel(page, "member")

    widths = page.evaluate(
        f"""() => {{ const root = {SHADOW}; const panel = root.querySelector('.panel');
        const box = root.querySelector('dialog').getBoundingClientRect();
        return [document.documentElement.scrollWidth, panel.scrollWidth, panel.clientWidth, box.left,
          box.right]; }}"""
    )
    page_width, content, visible, left, right = widths
    assert page_width <= 360
    assert content <= visible
    assert left >= 0
    assert right <= 360
    photograph(page, "member-360")


def test_opening_it_for_a_member_makes_at_most_four_requests(page: Any, shop: Storefront) -> None:
    storefront(page, shop, 'token-url="/shop/token"', tokens=member_token("zoe"))
    page.wait_for_function(
        "document.querySelector('loyalty-panel').style.getPropertyValue('--loyalty-program-accent') !== ''"
    )
    page.requests.clear()
    open_panel(page, "member")
    assert len(page.requests) <= 4, page.requests

    page.requests.clear()
    storefront(page, shop, f'inline customer-token="{token_for(STORE, "zoe")}"')
    page.wait_for_selector("loyalty-panel[data-view='member']", state="attached")
    api_calls = [url for url in page.requests if url.startswith(shop.server.url) and "/panel/" not in url]
    assert len(api_calls) <= 4, api_calls


def test_the_accent_colour_themes_it_and_a_store_may_set_its_own(page: Any, shop: Storefront) -> None:
    storefront(page, shop, 'token-url="/shop/token"')
    open_panel(page, "visitor")
    header = page.locator("loyalty-panel header")
    assert header.evaluate("node => getComputedStyle(node).backgroundColor") == "rgb(31, 78, 140)"

    storefront(page, shop, 'token-url="/shop/token" style="--loyalty-accent: #8a1538"')
    open_panel(page, "visitor")
    assert header.evaluate("node => getComputedStyle(node).backgroundColor") == "rgb(138, 21, 56)"


# make dev's demo store ------------------------------------------------------------------------


def test_the_demo_store_shows_the_panel_to_its_member(page: Any, local_server: LocalServer) -> None:
    for _ in range(2):  # every start seeds it again: nothing twice
        seed_demo_store(dict(local_server.pools), WEBHOOK_SECRET.encode(), local_server.port)
    page.goto(f"{local_server.url}/demo-store/")  # the API's origin sends it to its own
    assert page.url == f"http://localhost:{local_server.port}/demo-store/"
    open_panel(page, "member")

    assert "240 points" in page.locator("loyalty-panel .balance").inner_text()
    assert "Demo Rewards" in page.locator("loyalty-panel header").inner_text()
    photograph(page, "demo-store")
    page.goto(f"http://localhost:{local_server.port}/demo-store/rewards")
    page.wait_for_selector("loyalty-panel[data-view='member']", state="attached")
    assert page.locator("loyalty-panel[inline] [role='region']").is_visible()
    assert (DEMO_STORE, DEMO_MEMBER) == ("demo-store", "demo-member")


def test_the_panel_settings_are_edited_on_the_dashboards_program_page(
    page: Any, shop: Storefront, local_server: LocalServer
) -> None:
    page.goto(f"{local_server.url}/dashboard/?store={STORE}#access_token={shop.admin_token}")
    page.get_by_role("button", name="Program").click()
    page.wait_for_selector("main[data-ready='program']")
    assert page.get_by_label("Program name").input_value() == "Acme Rewards"
    page.get_by_label("Program name").fill("Acme Club")
    page.get_by_label("Accent colour").fill("#1F4E8C")
    page.get_by_role("button", name="Save settings").click()
    try:
        page.wait_for_selector("#notice:has-text('Settings saved.')")
        panel = shop.admin("GET", "/program")["panel"]
        assert (panel["name"], panel["accent_color"], panel["currency"]) == ("Acme Club", "#1F4E8C", "EUR")
        page.get_by_label("Accent colour").fill("blue")
        page.get_by_role("button", name="Save settings").click()
        assert "#rrggbb" in page.locator(".form-error").inner_text()
        assert shop.admin("GET", "/program")["panel"]["accent_color"] == "#1F4E8C"
    finally:
        shop.admin("PUT", "/program", shop.program)


# ways to earn and campaigns (last: the program they set stays in the functions' caches for 30 s) ---

SIGNUP = {"id": "signup", "kind": "signup", "points": 100}
REVIEW = {
    "id": "review",
    "kind": "action",
    "name": "Write a review",
    "points": 25,
    "per_customer": 1,
    "per_day": None,
}
_NOW = datetime.now(UTC).replace(second=0, microsecond=0)
DOUBLE = {
    "id": "double-week",
    "name": "Double points week",
    "multiplier": "2",
    "starts_at": format_timestamp(_NOW - timedelta(days=2)),
    "ends_at": format_timestamp((_NOW + timedelta(days=5)).replace(hour=0, minute=0)),
}
LATER = {
    **DOUBLE,
    "id": "spring",
    "name": "Spring sale",
    "starts_at": format_timestamp(_NOW + timedelta(days=40)),
    "ends_at": format_timestamp(_NOW + timedelta(days=45)),
}


def until_registrations_pay(shop: Storefront) -> None:
    """Each function's container trusts its copy of the program for up to 30 seconds (as on Lambda):
    new customers register until one is paid the sign-up bonus the program now offers."""
    deadline = time.monotonic() + 45
    for number in itertools.count():
        probe = f"probe-{number}"
        registration = registration_event(probe, f"{probe}@example.com", store_id=STORE)
        webhook(shop.server, "member-registered", registration)
        if shop.balance(probe) == SIGNUP["points"]:
            return
        assert time.monotonic() < deadline, "the registrations never saw the new program"
        time.sleep(1)


def until_the_public_program_lists_ways(shop: Storefront) -> None:
    """The public program as the panel reads it, once BalanceFunction's copy of the program (up to
    30 seconds old) has the ways to earn."""
    deadline = time.monotonic() + 45
    while not call("GET", f"{shop.server.url}/stores/{STORE}/program").json()["ways_to_earn"]:
        assert time.monotonic() < deadline, "the public program never listed the ways to earn"
        time.sleep(1)


def test_the_panel_lists_the_ways_to_earn_and_the_running_campaign(page: Any, shop: Storefront) -> None:
    program = {**shop.program, "ways_to_earn": [SIGNUP, REVIEW], "campaigns": [DOUBLE, LATER]}
    shop.admin("PUT", "/program", program)
    try:
        until_the_public_program_lists_ways(shop)
        storefront(page, shop, 'token-url="/shop/token"')
        open_panel(page, "visitor")
        text = panel_text(page)
        assert "Create an account: 100 points" in text
        assert "Write a review: 25 points (once)" in text
        ends = (datetime.fromisoformat(DOUBLE["ends_at"]) - timedelta(milliseconds=1)).strftime("%B %-d, %Y")
        assert f"Double points week: points ×2 until {ends}" in text
        assert "Spring sale" not in text  # not running yet
        photograph(page, "ways-to-earn")

        until_registrations_pay(shop)
        webhook(
            shop.server,
            "member-registered",
            registration_event("una", "una@example.com", store_id=STORE),
        )
        webhook(
            shop.server,
            "order-created",
            order_event("o-una", "una", "10.00", has_account=True, store_id=STORE),
        )
        storefront(page, shop, 'inline token-url="/shop/token"', tokens=member_token("una"))
        page.wait_for_selector("loyalty-panel[data-view='member']", state="attached")
        text = panel_text(page)
        assert "+100 points, sign-up bonus" in text
        assert "Double points week" in text
        assert shop.balance("una") == 100 + 10  # the order earned at the order's time: before the campaign
        storefront(page, shop, 'token-url="/shop/token"', html_lang="fr")
        open_panel(page, "visitor")
        assert "Créez un compte : 100 points" in panel_text(page)
    finally:
        shop.admin("PUT", "/program", shop.program)
