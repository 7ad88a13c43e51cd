"""The action webhook through the handlers on moto: earning once per (action, customer,
reference), every refusal (bad signature 401, unknown action or customer 404, bad body 400/422),
duplicates, the per-customer and per-day limits answered `limited`, and the order rules."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness.client import SIGNATURE_HEADER
from tests.support import STORE, Service, order_event, registration_event

ACTION_PATH = "/webhooks/action-completed"
BASE = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
}
REVIEW = {
    "id": "review",
    "kind": "action",
    "name": "Write a review",
    "points": 25,
    "per_customer": None,
    "per_day": None,
}


def ways(service: Service, *ways_to_earn: dict[str, Any], **settings: Any) -> None:
    answer = service.admin("PUT", "/program", {**BASE, **settings, "ways_to_earn": list(ways_to_earn)})
    assert answer.status == 200, answer.body


def action_event(
    reference: str,
    customer_id: str = "ann",
    action_id: str = "review",
    occurred_at: str = "2026-11-20T10:00:00Z",
    event_id: str | None = None,
) -> dict[str, Any]:
    return {
        "event_id": event_id or f"evt-{action_id}-{reference}",
        "store_id": STORE,
        "occurred_at": occurred_at,
        "action": {"id": action_id, "customer_id": customer_id, "reference": reference},
    }


def report(service: Service, payload: Any, **kw: Any) -> Any:
    return service.post(ACTION_PATH, payload, **kw)


def member(service: Service, customer_id: str = "ann") -> None:
    assert service.register(registration_event(customer_id, f"{customer_id}@example.com")).status == 200


def history(service: Service, customer_id: str = "ann") -> list[dict[str, Any]]:
    return service.admin("GET", f"/customers/{customer_id}/transactions").json()["items"]  # type: ignore[no-any-return]


def test_an_action_earns_its_points_once_per_reference(service: Service) -> None:
    ways(service, REVIEW)
    member(service)
    first = report(service, action_event("review-881"))
    assert first.status == 200, first.body
    assert first.json() == {"status": "processed", "customer_id": "ann", "points_earned": 25, "balance": 25}
    again = report(service, action_event("review-881", event_id="evt-redelivered"))
    assert again.json() == {"status": "duplicate", "customer_id": "ann", "points_earned": 25, "balance": 25}
    second = report(service, action_event("review-882"))
    assert second.json()["balance"] == 50
    entries = [entry for entry in history(service) if entry["type"] == "bonus"]
    assert [(entry["id"], entry["points"], entry.get("way")) for entry in entries] == [
        ("action:review:ann:review-882", 25, "review"),
        ("action:review:ann:review-881", 25, "review"),
    ]
    account = service.account("ann")
    assert (account.points.earned, account.points.balance) == (50, 50)
    service.assert_sound()


def test_the_same_reference_of_another_customer_or_action_is_another_earning(service: Service) -> None:
    ways(service, REVIEW, {**REVIEW, "id": "follow", "name": "Follow us", "points": 5})
    member(service)
    member(service, "bob")
    assert report(service, action_event("r-1")).json()["status"] == "processed"
    assert report(service, action_event("r-1", customer_id="bob")).json()["status"] == "processed"
    assert report(service, action_event("r-1", action_id="follow")).json()["points_earned"] == 5
    assert service.account("ann").points.balance == 30


def test_per_customer_limit_answers_limited_and_a_counted_reference_stays_a_duplicate(
    service: Service,
) -> None:
    ways(service, {**REVIEW, "per_customer": 2})
    member(service)
    assert [report(service, action_event(f"r-{n}")).json()["status"] for n in range(3)] == [
        "processed",
        "processed",
        "limited",
    ]
    limited = report(service, action_event("r-9", occurred_at="2027-01-05T10:00:00Z")).json()
    assert limited == {"status": "limited", "customer_id": "ann", "points_earned": 0, "balance": 50}
    assert report(service, action_event("r-0")).json()["status"] == "duplicate"  # even past the limit
    assert len([entry for entry in history(service) if entry["type"] == "bonus"]) == 2
    member(service, "bob")  # another customer has a count of its own
    assert report(service, action_event("r-0", customer_id="bob")).json()["status"] == "processed"


def test_per_day_limit_counts_the_utc_day_of_the_action(service: Service) -> None:
    ways(service, {**REVIEW, "per_day": 1})
    member(service)
    # 23:30 at -02:00 is 01:30 UTC the next day: a day of its own.
    assert (
        report(service, action_event("a", occurred_at="2026-11-20T10:00:00Z")).json()["status"] == "processed"
    )
    assert (
        report(service, action_event("b", occurred_at="2026-11-20T23:59:59Z")).json()["status"] == "limited"
    )
    assert report(service, action_event("c", occurred_at="2026-11-20T23:30:00-02:00")).json()["status"] == (
        "processed"
    )
    assert report(service, action_event("d", occurred_at="2026-11-21T05:00:00+01:00")).json()["status"] == (
        "limited"
    )
    assert service.account("ann").points.balance == 50


def test_a_merged_guest_id_earns_for_its_member(service: Service) -> None:
    ways(service, REVIEW)
    assert service.order(order_event("1", "guest", "10.00", email=None)).status == 200
    member(service)
    merged = service.merge(
        {
            "event_id": "evt-merge",
            "store_id": STORE,
            "occurred_at": "2026-11-20T10:00:00Z",
            "invitation": {"guest_customer_id": "guest", "member_customer_id": "ann"},
        }
    )
    assert merged.status == 200, merged.body
    assert report(service, action_event("r-1", customer_id="guest")).json()["customer_id"] == "ann"
    assert report(service, action_event("r-1")).json()["status"] == "duplicate"


@pytest.mark.parametrize(
    ("settings", "status", "reason"),
    [
        ({"active": False}, "member", "program paused"),
        ({"excluded_customer_tags": ["staff"]}, "excluded", "customer excluded"),
        ({"guests_earn_points": False}, "candidate", "guests do not earn points"),
    ],
)
def test_the_order_rules_hold_and_answer_as_an_order_does(
    service: Service, settings: dict[str, Any], status: str, reason: str
) -> None:
    ways(service, REVIEW, **settings)
    if status == "member":
        member(service)
    else:
        tags = ["staff"] if status == "excluded" else None
        assert service.order(order_event("1", "ann", "0.00", email=None, tags=tags)).status == 200
    answer = report(service, action_event("r-1")).json()
    assert (answer["status"], answer["points_earned"], answer["reason"]) == ("processed", 0, reason)
    assert service.account("ann").points.earned == 0
    assert report(service, action_event("r-1")).json()["status"] == "duplicate"


def test_refusals_write_nothing(service: Service) -> None:
    ways(service, {**REVIEW, "per_customer": 1})
    member(service)
    before = service.snapshot()
    body = action_event("r-1")
    assert report(service, body, headers={SIGNATURE_HEADER: "t=1,v1=00"}).status == 401
    assert report(service, body, signed=False).status == 401
    assert report(service, action_event("r-1", action_id="unknown")).status == 404
    assert report(service, action_event("r-1", customer_id="nobody")).status == 404
    ways(service, {**REVIEW, "per_customer": 1}, {"id": "signup", "kind": "signup", "points": 10})
    assert report(service, action_event("r-1", action_id="signup")).status == 404  # not an action
    assert report(service, b"not json").status == 400
    for broken in (
        {k: v for k, v in body.items() if k != "action"},
        {**body, "action": {**body["action"], "reference": "has:colon"}},
        {**body, "action": {**body["action"], "reference": ""}},
        {**body, "action": {**body["action"], "customer_id": 42}},
        {**body, "occurred_at": "yesterday"},
    ):
        answer = report(service, broken)
        assert answer.status == 422, (broken, answer.body)
        assert answer.json()["error"] == "invalid_request"
    after = service.snapshot()
    program_items = [item for item in after if "PROGRAM" in str(item.get("pk"))]
    assert [item for item in after if item not in program_items] == [
        item for item in before if "PROGRAM" not in str(item.get("pk"))
    ]
