"""VIP tiers through the handlers on moto: the program's tiers (422 on any violation), the tier
reached by an order with its entry bonus, the multiplier, refunds and adjustments, the answers,
and the daily review (TierReviewFunction) with its reruns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from loyalty.domain.entities import format_timestamp
from loyalty.domain.rules.expiry import add_months
from tests.support import STORE, Service, invitation_event, order_event, refund_event, registration_event

SILVER = {"id": "silver", "name": "Silver", "threshold": 500, "earn_multiplier": "1.25", "entry_bonus": 100}
GOLD = {"id": "gold", "name": "Gold", "threshold": 2000, "earn_multiplier": "1.5", "entry_bonus": 300}
PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
    "tiers": [SILVER, GOLD],
    "tier_window_months": 12,
}
# The handlers judge tiers at the real clock's now: the orders occur two weeks before it, at 10:00.
_OCCURRED = (datetime.now(UTC) - timedelta(days=14)).replace(hour=10, minute=0, second=0, microsecond=0)
OCCURRED = format_timestamp(_OCCURRED)
KEPT_UNTIL = add_months(_OCCURRED, 12)
# A day of the month every month has: its anniversary never clamps.
_PLAIN = _OCCURRED.replace(day=min(_OCCURRED.day, 28))


def at(moment: datetime) -> str:
    return format_timestamp(moment)


def tiered(service: Service, **settings: Any) -> None:
    answer = service.admin("PUT", "/program", {**PROGRAM, **settings})
    assert answer.status == 200, answer.body


def order(
    service: Service, order_id: str, subtotal: str, customer_id: str = "ann", occurred: str = OCCURRED
) -> dict[str, Any]:
    event = {**order_event(order_id, customer_id, subtotal, email=None), "occurred_at": occurred}
    answer = service.order(event)
    assert answer.status == 200, answer.body
    return answer.json()  # type: ignore[no-any-return]


def member(service: Service, customer_id: str = "ann") -> None:
    assert service.register(registration_event(customer_id, f"{customer_id}@example.com")).status == 200


def customer(service: Service, customer_id: str = "ann") -> dict[str, Any]:
    return service.admin("GET", f"/customers/{customer_id}").json()  # type: ignore[no-any-return]


def history(service: Service, customer_id: str = "ann") -> list[dict[str, Any]]:
    return service.admin("GET", f"/customers/{customer_id}/transactions").json()["items"]  # type: ignore[no-any-return]


def review(service: Service, time: str, **kw: Any) -> dict[str, Any]:
    return service.scheduled("TierReviewFunction", time, **kw)


def test_the_program_keeps_its_tiers_and_the_public_program_shows_them(service: Service) -> None:
    tiered(service)
    program = service.admin("GET", "/program").json()
    assert (program["tiers"], program["tier_window_months"]) == ([SILVER, GOLD], 12)
    tiered(service, tier_window_months=None, tiers=[{"id": "vip", "name": "VIP", "threshold": 1}])
    program = service.admin("GET", "/program").json()
    assert program["tier_window_months"] is None
    assert program["tiers"] == [
        {"id": "vip", "name": "VIP", "threshold": 1, "earn_multiplier": "1", "entry_bonus": 0}
    ]


@pytest.mark.parametrize(
    "settings",
    [
        {"tiers": [SILVER, GOLD, *({**SILVER, "id": f"t{n}", "threshold": 3000 + n} for n in range(4))]},
        {"tiers": [SILVER, {**GOLD, "id": "silver"}]},
        {"tiers": [GOLD, SILVER]},
        {"tiers": [SILVER, {**GOLD, "threshold": 500}]},
        {"tiers": [{**SILVER, "id": "Silver"}]},
        {"tiers": [{**SILVER, "id": "x" * 33}]},
        {"tiers": [{**SILVER, "threshold": 0}]},
        {"tiers": [{**SILVER, "earn_multiplier": "1.255"}]},
        {"tiers": [{**SILVER, "earn_multiplier": "0.5"}]},
        {"tiers": [{**SILVER, "earn_multiplier": "10.01"}]},
        {"tiers": [{**SILVER, "earn_multiplier": 1.25}]},
        {"tiers": [{**SILVER, "entry_bonus": 1_000_001}]},
        {"tiers": [{**SILVER, "entry_bonus": -1}]},
        {"tier_window_months": 0},
        {"tier_window_months": 37},
        {"tier_window_months": "12"},
    ],
)
def test_bad_tiers_are_422_and_change_nothing(service: Service, settings: dict[str, Any]) -> None:
    tiered(service)
    before = service.snapshot()
    answer = service.admin("PUT", "/program", {**PROGRAM, **settings})
    assert answer.status == 422, answer.body
    assert service.snapshot() == before


def test_an_order_reaches_a_tier_at_once_pays_its_bonus_and_the_next_order_is_multiplied(
    service: Service,
) -> None:
    tiered(service)
    member(service)
    first = order(service, "1001", "600")
    assert first["points_earned"] == 600  # the tier it reaches applies from the next order
    assert first["balance"] == 700  # ... and its entry bonus is in the same transaction
    account = customer(service)
    assert account["tier"]["id"] == "silver"
    assert account["tier"]["since"] == OCCURRED
    assert account["tier"]["kept_until"] == at(KEPT_UNTIL)
    assert account["next_tier"] == {"id": "gold", "name": "Gold", "threshold": 2000, "points_needed": 1400}
    assert account["qualifying_points"] == 600  # bonuses never qualify
    bonus = next(entry for entry in history(service) if entry["type"] == "bonus")
    assert (bonus["id"], bonus["points"], bonus["balance_after"]) == ("tier-bonus:ann:silver", 100, 700)
    second = order(service, "1002", "100")
    assert second["points_earned"] == 125  # floor(100 × 1 × 1.25)
    assert service.balance("ann").json()["tier"]["id"] == "silver"
    service.assert_sound()


def test_a_jump_pays_every_bonus_on_the_way_up_once_and_a_redelivery_nothing(service: Service) -> None:
    tiered(service)
    member(service)
    order(service, "1001", "2500")
    redelivered = order(service, "1001", "2500")
    assert redelivered["status"] == "duplicate"
    bonuses = sorted(entry["id"] for entry in history(service) if entry["type"] == "bonus")
    assert bonuses == ["tier-bonus:ann:gold", "tier-bonus:ann:silver"]
    assert customer(service)["points"]["balance"] == 2900
    service.assert_sound()


def test_a_refund_lowers_the_qualifying_points_and_the_tier_is_kept_until_kept_until(
    service: Service,
) -> None:
    tiered(service)
    member(service)
    order(service, "1001", "600")
    assert service.refund(refund_event("r1", "1001", "300")).status == 200
    account = customer(service)
    assert account["qualifying_points"] == 300
    assert account["tier"]["id"] == "silver"  # held until kept_until, below the threshold meanwhile
    assert service.admin("POST", "/customers/ann/points", {"amount": -50, "reason": "fix"}).status == 201
    assert customer(service)["qualifying_points"] == 250
    service.assert_sound()


def test_an_adjustment_can_reach_a_tier(service: Service) -> None:
    tiered(service)
    member(service)
    answer = service.admin("POST", "/customers/ann/points", {"amount": 2000, "reason": "welcome gift"})
    assert answer.status == 201, answer.body
    account = customer(service)
    assert account["tier"]["id"] == "gold"
    assert account["points"]["balance"] == 2400
    service.assert_sound()


def test_the_daily_review_lists_again_then_lets_the_tier_fall_to_the_millisecond_and_reruns_change_nothing(
    service: Service,
) -> None:
    tiered(service)
    member(service)
    order(service, "1001", "600", occurred=at(_PLAIN))
    order(service, "1002", "10", occurred=at(_PLAIN + timedelta(hours=1)))  # kept_until moves an hour on
    kept_until = add_months(_PLAIN + timedelta(hours=1), 12)
    assert customer(service)["tier"]["kept_until"] == at(kept_until)
    # Listed under the first kept_until: the run half an hour after it lists the account again.
    first_run = at(add_months(_PLAIN, 12) + timedelta(minutes=30))
    relisted = review(service, first_run)
    assert (relisted["accounts_read"], relisted["accounts_changed"]) == (1, 1)
    assert customer(service)["tier"]["kept_until"] == at(kept_until)
    assert review(service, first_run)["accounts_read"] == 0
    before = service.snapshot()
    # A millisecond after the second order's anniversary both orders have left the window.
    gone = at(kept_until + timedelta(milliseconds=1))
    fallen = review(service, gone, event_id="run-1")
    assert fallen["accounts_changed"] == 1
    after = service.snapshot()
    assert after != before
    assert review(service, gone, event_id="run-1")["accounts_read"] == 0
    assert service.snapshot() == after
    item = service.items()[("STORE#acme#CUSTOMER#ann", "ACCOUNT")]
    assert "tier" not in item
    assert "tiers_pk" not in item
    service.assert_sound()


def test_the_review_keeps_a_lower_tier_until_exactly_an_entry_s_anniversary(service: Service) -> None:
    tiered(service)
    member(service)
    later = _PLAIN + timedelta(hours=2, seconds=3, milliseconds=456)
    order(service, "1001", "550", occurred=at(later))  # Silver, kept until its anniversary
    # An order that happened earlier but arrives later reaches Gold (1,300 × 1.25 = 1,625 points).
    order(service, "1000", "1300", occurred=at(_PLAIN))
    account = customer(service)
    assert (account["tier"]["id"], account["tier"]["kept_until"]) == ("gold", at(add_months(_PLAIN, 12)))
    # Gold's order leaves the window first; the later order still reaches Silver, kept until its
    # own anniversary to the millisecond (whole months would have said the first of a month).
    run = at(add_months(_PLAIN, 12) + timedelta(hours=1))
    reviewed = review(service, run)
    assert reviewed["accounts_changed"] == 1
    # (The answers are judged at the real clock's now, whose window still holds both orders: the
    # recorded tier is read from the account.)
    held = service.account("ann").tiering.held
    assert (held.id, at(held.since), at(held.kept_until)) == ("silver", run, at(add_months(later, 12)))
    assert review(service, run)["accounts_read"] == 0
    assert review(service, at(add_months(later, 12) + timedelta(seconds=1)))["accounts_changed"] == 1
    assert service.account("ann").tiering.held is None
    service.assert_sound()


def test_the_answers_count_from_exactly_now_minus_the_window(service: Service) -> None:
    tiered(service)
    member(service)
    start = add_months(datetime.now(UTC), -12)
    order(service, "old", "300", occurred=at(start - timedelta(minutes=3)))  # just before the window
    order(service, "new", "250", occurred=at(start + timedelta(minutes=3)))  # just inside it
    account = customer(service)
    assert account["qualifying_points"] == 250
    assert account["tier"] is None
    assert account["next_tier"]["points_needed"] == 250
    balance = service.balance("ann").json()
    assert (balance["qualifying_points"], balance["tier"]) == (250, None)
    order(service, "today", "250")  # 500 in the window: Silver, while 800 were earned in all
    assert service.balance("ann").json()["tier"]["id"] == "silver"
    service.assert_sound()


def test_an_account_written_in_the_old_month_form_answers_and_is_rewritten_in_the_exact_form(
    service: Service,
) -> None:
    tiered(service)
    member(service)
    order(service, "1001", "100")
    key = ("STORE#acme#CUSTOMER#ann", "ACCOUNT")
    item = service.items()[key]
    assert "tier_window" in item
    this_month = datetime.now(UTC).strftime("%Y-%m")
    year_and_a_month_ago = add_months(datetime.now(UTC), -13).strftime("%Y-%m")
    old = {k: v for k, v in item.items() if k != "tier_window"}
    old["tier_months"] = {"M": {this_month: {"N": "450"}, year_and_a_month_ago: {"N": "900"}}}
    old["tier_points"] = {"N": "1350"}
    service.client.put_item(TableName=service.table_name, Item=old)
    # This month's 450 count (as a record at the month's last millisecond); the older month not.
    assert customer(service)["qualifying_points"] == 450
    order(service, "1002", "60")  # 510: Silver, and the item is written in the exact form
    account = customer(service)
    assert (account["qualifying_points"], account["tier"]["id"]) == (510, "silver")
    rewritten = service.items()[key]
    assert "tier_months" not in rewritten
    assert len(rewritten["tier_window"]["S"].split()) == 2  # the month's record and the new order's


def test_a_change_of_the_tiers_shows_in_the_answers_at_once(service: Service) -> None:
    tiered(service)
    member(service)
    order(service, "1001", "300")
    assert customer(service)["tier"] is None
    tiered(service, tiers=[{**SILVER, "threshold": 200}, GOLD])
    account = customer(service)
    assert account["tier"] == {"id": "silver", "name": "Silver", "since": None, "kept_until": None}
    assert service.balance("ann").json()["tier"]["id"] == "silver"
    public = service.api.request("GET", f"/stores/{STORE}/program")
    assert public.status == 200, public.body
    assert [tier["threshold"] for tier in public.json()["tiers"]] == [200, 2000]


def test_a_merge_adds_the_guest_s_qualifying_points_and_the_next_order_records_the_tier(
    service: Service,
) -> None:
    tiered(service)
    order(service, "g-1", "300", customer_id="guest")
    member(service)
    order(service, "m-1", "300")
    assert service.merge(invitation_event("guest", "ann")).status == 200
    account = customer(service)
    assert account["qualifying_points"] == 600
    assert account["tier"] == {"id": "silver", "name": "Silver", "since": None, "kept_until": None}
    assert not [entry for entry in history(service) if entry["type"] == "bonus"]
    order(service, "m-2", "10")  # earns with Silver's multiplier, and records it with its bonus
    account = customer(service)
    assert account["tier"]["since"] == OCCURRED
    assert [entry["id"] for entry in history(service) if entry["type"] == "bonus"] == [
        "tier-bonus:ann:silver"
    ]
    assert account["qualifying_points"] == 612  # floor(10 × 1.25)
    service.assert_sound()
