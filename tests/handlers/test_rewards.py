"""The rewards catalog, redeeming a reward (back office and storefront) and the coupon's life, on
moto through the template's routes; the invariants hold after every scenario."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from loyalty.domain.entities import CatalogSummary, CouponStatus, Reward, RewardKind
from loyalty.repository.reward_items import catalog_item, reward_item
from tests.support import STORE, Service, order_event, registration_event, token_for

TEN_OFF = {
    "id": "ten-off",
    "name": "€10 off",
    "points": 50,
    "kind": "amount_off",
    "value": "10.00",
    "currency": "EUR",
}
SHIPPING = {"id": "ship", "name": "Free shipping", "points": 30, "kind": "free_shipping"}


def member(service: Service, customer_id: str = "ann", subtotal: str = "100") -> None:
    service.register(registration_event(customer_id, f"{customer_id}@example.com"))
    service.order(order_event(f"o-{customer_id}", customer_id, subtotal))


def reward(service: Service, document: dict[str, Any] = TEN_OFF) -> dict[str, Any]:
    answer = service.admin("POST", "/rewards", document)
    assert answer.status == 201, answer.body
    return answer.json()  # type: ignore[no-any-return]


def unchanged(service: Service, call: Any, status: int) -> dict[str, Any]:
    before = service.snapshot()
    answer = call()
    assert answer.status == status, answer.body
    assert service.snapshot() == before, "a refused request wrote something"
    return answer.json()  # type: ignore[no-any-return]


@pytest.fixture
def shop(service: Service) -> Service:
    member(service)  # ann: a member with 100 points
    reward(service)
    return service


# the catalog ------------------------------------------------------------------------------------


def test_a_reward_is_created_read_listed_and_replaced(service: Service) -> None:
    created = reward(service)
    assert created["active"] is True
    assert {key: created[key] for key in TEN_OFF} == TEN_OFF
    reward(service, SHIPPING)

    assert service.admin("GET", "/rewards/ten-off").json() == created
    replaced = service.admin(
        "PUT", "/rewards/ten-off", {"name": "10% off", "points": 80, "kind": "percent_off", "value": "10"}
    )
    assert replaced.status == 200
    assert (replaced.json()["kind"], replaced.json()["points"], "currency" in replaced.json()) == (
        "percent_off",
        80,
        False,
    )
    listed = service.admin("GET", "/rewards").json()["items"]
    assert [item["id"] for item in listed] == ["ship", "ten-off"]


def test_a_client_can_put_back_what_it_read(service: Service) -> None:
    created = reward(service)

    again = service.admin("PUT", "/rewards/ten-off", {**created, "name": "€10 off, again"})

    assert again.status == 200, again.body
    assert again.json()["name"] == "€10 off, again"
    assert again.json()["created_at"] == created["created_at"]  # the server's own, not the client's
    sent_back = {
        **again.json(),
        "created_at": "1999-01-01T00:00:00.000Z",
        "updated_at": "1999-01-01T00:00:00.000Z",
    }
    retired = service.admin("PUT", "/rewards/ten-off", {**sent_back, "active": False})
    assert retired.json()["active"] is False
    assert retired.json()["created_at"] == created["created_at"]
    assert retired.json()["updated_at"] != "1999-01-01T00:00:00.000Z"


def test_a_reward_may_be_created_retired_and_created_as_a_read_shows_it(service: Service) -> None:
    retired = reward(service, {**SHIPPING, "active": False})
    shown = {**TEN_OFF, "active": True, "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "x"}
    created = reward(service, shown)

    assert retired["active"] is False
    assert service.admin("GET", "/rewards/ship").json()["active"] is False
    assert created["active"] is True
    assert created["created_at"] != "2026-01-01T00:00:00.000Z"


def test_a_replacement_s_id_is_ignored_the_path_names_the_reward(service: Service) -> None:
    created = reward(service)

    answer = service.admin("PUT", "/rewards/ten-off", {**created, "id": "other", "points": 70})

    assert answer.status == 200
    assert (answer.json()["id"], answer.json()["points"]) == ("ten-off", 70)
    assert service.admin("GET", "/rewards/other").status == 404


def test_retired_rewards_are_listed_after_the_active_ones(service: Service) -> None:
    reward(service)
    reward(service, SHIPPING)

    retired = service.admin("DELETE", "/rewards/ship")

    assert retired.status == 200
    assert retired.json()["active"] is False
    assert [item["id"] for item in service.admin("GET", "/rewards").json()["items"]] == ["ten-off", "ship"]
    assert service.admin("DELETE", "/rewards/ship").status == 200  # retiring twice changes nothing


def test_creating_an_id_that_exists_is_409(service: Service) -> None:
    reward(service)

    document = unchanged(service, lambda: service.admin("POST", "/rewards", {**TEN_OFF, "points": 1}), 409)

    assert document["error"] == "conflict"


def test_a_store_holds_at_most_100_rewards(service: Service) -> None:
    # 99 rewards written as the catalog writes them (the summary beside them), the 100th by the API.
    now = datetime.now(UTC)
    for number in range(99):
        kept = Reward(STORE, f"r-{number}", "r", 30, RewardKind.FREE_SHIPPING, None, None, True, now, now)
        service.client.put_item(TableName=service.table_name, Item=reward_item(kept))
    summary = CatalogSummary(cheapest_active_points=30, rewards=99, version=99)
    service.client.put_item(TableName=service.table_name, Item=catalog_item(STORE, summary))
    reward(service, SHIPPING)

    unchanged(service, lambda: service.admin("POST", "/rewards", {**SHIPPING, "id": "one-more"}), 409)


@pytest.mark.parametrize(
    "document",
    [
        {**TEN_OFF, "id": ""},
        {**TEN_OFF, "id": "x" * 65},
        {**TEN_OFF, "id": "ten off"},
        {**TEN_OFF, "id": "ten/off"},
        {**TEN_OFF, "points": 0},
        {**TEN_OFF, "points": 10_000_001},
        {**TEN_OFF, "points": "50"},
        {**TEN_OFF, "kind": "cashback"},
        {key: value for key, value in TEN_OFF.items() if key != "currency"},
        {key: value for key, value in TEN_OFF.items() if key != "value"},
        {**TEN_OFF, "value": "0"},
        {**TEN_OFF, "value": 10},
        {**TEN_OFF, "currency": "eur"},
        {**TEN_OFF, "kind": "percent_off", "currency": None, "value": "100.01"},
        {**TEN_OFF, "kind": "percent_off", "currency": None, "value": "0"},
        {**TEN_OFF, "kind": "percent_off"},  # a percentage has no currency
        {**SHIPPING, "value": "5"},
        {**SHIPPING, "currency": "EUR"},
        {**TEN_OFF, "name": "  "},
    ],
)
def test_a_reward_outside_the_contract_is_422_and_nothing_is_written(
    service: Service, document: dict[str, Any]
) -> None:
    body = {key: value for key, value in document.items() if value is not None}

    answer = unchanged(service, lambda: service.admin("POST", "/rewards", body), 422)

    assert answer["error"] == "invalid_request"


def test_the_edges_of_the_contract_are_accepted(service: Service) -> None:
    reward(service, {**TEN_OFF, "id": "A.z_-9" + "x" * 58, "points": 10_000_000})
    reward(service, {"id": "p", "name": "all", "points": 1, "kind": "percent_off", "value": "100"})


def test_an_unknown_reward_is_404(service: Service) -> None:
    assert service.admin("GET", "/rewards/nope").status == 404
    replacement = {key: value for key, value in SHIPPING.items() if key != "id"}
    assert service.admin("PUT", "/rewards/nope", replacement).status == 404
    assert service.admin("DELETE", "/rewards/nope").status == 404


# reward_available ---------------------------------------------------------------------------------


def test_reward_available_follows_the_cheapest_active_reward(service: Service) -> None:
    member(service, subtotal="40")  # 40 points
    assert service.balance("ann").json()["reward_available"] is False  # no catalog yet

    reward(service)  # 50 points
    assert service.balance("ann").json()["reward_available"] is False
    reward(service, SHIPPING)  # 30 points
    assert service.balance("ann").json()["reward_available"] is True
    assert service.admin("GET", "/customers/ann").json()["reward_available"] is True

    service.admin("DELETE", "/rewards/ship")
    assert service.balance("ann").json()["reward_available"] is False


def test_a_candidate_never_has_a_reward_available(service: Service) -> None:
    service.order(order_event("o-1", "guest", "500"))
    reward(service)

    document = service.balance("guest").json()

    assert (document["can_redeem"], document["reward_available"]) == (False, False)


# redeeming from the storefront ------------------------------------------------------------------


def test_a_member_redeems_a_reward_from_the_storefront(shop: Service) -> None:
    answer = shop.redeem("ann", "ten-off")

    assert answer.status == 201, answer.body
    document = answer.json()
    coupon = document["coupon"]
    assert document["transaction"]["type"] == "redeem"
    assert document["transaction"]["points"] == -50
    assert document["transaction"]["coupon_code"] == coupon["code"]
    assert document["account"]["points"]["balance"] == 50
    assert document["account"]["points"]["redeemed"] == 50
    assert (coupon["reward_id"], coupon["status"], coupon["customer_id"]) == ("ten-off", "issued", "ann")
    assert (coupon["kind"], coupon["value"], coupon["currency"]) == ("amount_off", "10.00", "EUR")
    assert len(coupon["code"]) >= 12
    assert shop.admin("GET", f"/coupons/{coupon['code']}").json() == coupon
    shop.assert_sound()


def test_a_repeated_idempotency_key_replays_and_spends_once(shop: Service) -> None:
    first = shop.redeem("ann", "ten-off", key="click-1")
    again = shop.redeem("ann", "ten-off", key="click-1")

    assert (again.status, again.body) == (first.status, first.body)
    assert shop.account("ann").points.balance == 50
    another = shop.redeem("ann", "ten-off", key="click-2")
    assert another.status == 201
    assert another.json()["coupon"]["code"] != first.json()["coupon"]["code"]
    assert shop.account("ann").points.balance == 0
    shop.assert_sound()


def test_the_storefront_requires_an_idempotency_key(shop: Service) -> None:
    answer = unchanged(shop, lambda: shop.redeem("ann", "ten-off", key=None), 422)

    assert answer["details"][0]["loc"] == ["header", "Idempotency-Key"]


def test_the_storefront_requires_the_customers_token(shop: Service) -> None:
    other = f"Bearer {token_for(STORE, 'someone-else')}"
    answer = unchanged(
        shop,
        lambda: shop.api.request(
            "POST",
            f"/stores/{STORE}/customers/ann/redemptions",
            headers={"Idempotency-Key": "k", "Authorization": other},
            body=b'{"reward_id": "ten-off"}',
        ),
        401,
    )
    assert answer["error"] == "unauthorized"


@pytest.mark.parametrize(
    ("customer", "reward_id", "status", "prepare"),
    [
        pytest.param("guest", "ten-off", 409, "candidate", id="a-candidate"),
        pytest.param("ann", "ten-off", 409, "excluded", id="an-excluded-member"),
        pytest.param("ann", "nope", 404, "", id="an-unknown-reward"),
        pytest.param("ann", "ten-off", 409, "retired", id="a-retired-reward"),
        pytest.param("ann", "big", 409, "", id="not-enough-points"),
        pytest.param("nobody", "ten-off", 404, "", id="an-unknown-customer"),
    ],
)
def test_every_refusal_writes_nothing(
    shop: Service, customer: str, reward_id: str, status: int, prepare: str
) -> None:
    reward(shop, {**SHIPPING, "id": "big", "points": 101})
    if prepare == "candidate":
        shop.order(order_event("o-guest", "guest", "500"))
    if prepare == "excluded":
        shop.admin("PUT", "/customers/ann/exclusion")
    if prepare == "retired":
        shop.admin("DELETE", "/rewards/ten-off")

    unchanged(shop, lambda: shop.redeem(customer, reward_id), status)
    unchanged(
        shop,
        lambda: shop.admin("POST", f"/customers/{customer}/redemptions", {"reward_id": reward_id}),
        status,
    )
    shop.assert_sound()


def test_the_back_office_redeems_a_reward_and_free_text_redemption_stays(shop: Service) -> None:
    catalog = shop.admin("POST", "/customers/ann/redemptions", {"reward_id": "ten-off"}, key="bo-1")
    free_text = shop.admin("POST", "/customers/ann/redemptions", {"points": 10, "reward": "a mug"})

    assert catalog.status == 201
    assert catalog.json()["coupon"]["status"] == "issued"
    assert free_text.status == 201
    assert "coupon" not in free_text.json()
    assert shop.account("ann").points.balance == 40
    shop.assert_sound()


def test_a_retired_rewards_coupons_stay_valid(shop: Service) -> None:
    code = shop.redeem("ann", "ten-off").json()["coupon"]["code"]

    shop.admin("DELETE", "/rewards/ten-off")

    used = shop.admin("POST", f"/coupons/{code}/use", {"order_id": "1002"})
    assert used.status == 200
    assert used.json()["status"] == "used"


# the coupon's life --------------------------------------------------------------------------------


def test_a_coupon_is_used_once_and_the_same_order_may_say_so_again(shop: Service) -> None:
    code = shop.redeem("ann", "ten-off").json()["coupon"]["code"]

    used = shop.admin("POST", f"/coupons/{code}/use", {"order_id": "1002"})
    assert used.status == 200
    assert (used.json()["status"], used.json()["order_id"]) == ("used", "1002")
    assert "used_at" in used.json()

    again = unchanged(shop, lambda: shop.admin("POST", f"/coupons/{code}/use", {"order_id": "1002"}), 200)
    assert again == used.json()
    unchanged(shop, lambda: shop.admin("POST", f"/coupons/{code}/use", {"order_id": "1003"}), 409)
    unchanged(shop, lambda: shop.admin("DELETE", f"/coupons/{code}"), 409)  # used: no void
    shop.assert_sound()


def test_voiding_gives_the_points_back_once(shop: Service) -> None:
    code = shop.redeem("ann", "ten-off").json()["coupon"]["code"]
    assert shop.account("ann").points.balance == 50

    void = shop.admin("DELETE", f"/coupons/{code}")

    assert void.status == 200
    assert void.json()["status"] == "void"
    assert shop.account("ann").points.balance == 100
    assert shop.account("ann").points.redeemed == 0
    history = shop.admin("GET", "/customers/ann/transactions").json()["items"]
    refunds = [entry for entry in history if entry["type"] == "refund"]
    assert [(entry["points"], entry["coupon_code"]) for entry in refunds] == [(50, code)]

    again = unchanged(shop, lambda: shop.admin("DELETE", f"/coupons/{code}"), 200)
    assert again["status"] == "void"
    assert shop.account("ann").points.balance == 100
    unchanged(shop, lambda: shop.admin("POST", f"/coupons/{code}/use", {"order_id": "1002"}), 409)
    assert shop.repository.get_coupon(STORE, code).status is CouponStatus.VOID  # type: ignore[union-attr]
    shop.assert_sound()


def test_an_unknown_coupon_is_404(shop: Service) -> None:
    assert shop.admin("GET", "/coupons/NOSUCHCODE000000").status == 404
    unchanged(shop, lambda: shop.admin("POST", "/coupons/NOSUCHCODE000000/use", {"order_id": "1"}), 404)
    unchanged(shop, lambda: shop.admin("DELETE", "/coupons/NOSUCHCODE000000"), 404)
    assert shop.admin("GET", "/coupons/bad%20code").status in {404, 422}
