"""Ways to earn and campaigns through the handlers on moto: the program keeps them (422 on any
violation, nothing written), campaigns multiply orders, the sign-up bonus is paid once per
customer, and the public program lists the ways to earn and the running campaigns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.client import BaseClient

from loyalty.domain.entities import Changes, format_timestamp
from loyalty.repository import Repository
from loyalty_dev import responses
from tests import shopify_payloads
from tests.handlers.test_shopify import SHOP, shopify
from tests.support import STORE, Service, order_event, registration_event

SIGNUP = {"id": "signup", "kind": "signup", "points": 100}
REVIEW = {
    "id": "review",
    "kind": "action",
    "name": "Write a review",
    "points": 25,
    "per_customer": 1,
    "per_day": None,
}
NOW = datetime.now(UTC).replace(microsecond=0)
RUNNING = {
    "id": "double",
    "name": "Double points week",
    "multiplier": "2",
    "starts_at": format_timestamp(NOW - timedelta(days=3)),
    "ends_at": format_timestamp(NOW + timedelta(days=4)),
}
PROGRAM: dict[str, Any] = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": ["staff"],
}


def configure(service: Service, **settings: Any) -> None:
    answer = service.admin("PUT", "/program", {**PROGRAM, **settings})
    assert answer.status == 200, answer.body


def test_the_program_keeps_its_ways_to_earn_and_campaigns(service: Service) -> None:
    configure(service, ways_to_earn=[SIGNUP, REVIEW], campaigns=[RUNNING])
    program = service.admin("GET", "/program").json()
    assert program["ways_to_earn"] == [
        {**SIGNUP, "name": None, "per_customer": None, "per_day": None},
        REVIEW,
    ]
    assert program["campaigns"] == [RUNNING]
    configure(service)  # left out: none
    program = service.admin("GET", "/program").json()
    assert (program["ways_to_earn"], program["campaigns"]) == ([], [])


@pytest.mark.parametrize(
    "settings",
    [
        {"ways_to_earn": [{**REVIEW, "id": f"a{n}"} for n in range(11)]},
        {"ways_to_earn": [SIGNUP, {**REVIEW, "id": "signup"}]},
        {"ways_to_earn": [SIGNUP, {**SIGNUP, "id": "welcome"}]},
        {"ways_to_earn": [{**SIGNUP, "kind": "anniversary"}]},
        {"ways_to_earn": [{**SIGNUP, "points": 0}]},
        {"ways_to_earn": [{**REVIEW, "per_day": 0}]},
        {"ways_to_earn": [{**SIGNUP, "per_customer": 2}]},
        {"ways_to_earn": [{**REVIEW, "name": None}]},
        {"campaigns": [{**RUNNING, "id": f"c{n}"} for n in range(11)]},
        {"campaigns": [RUNNING, RUNNING]},
        {"campaigns": [{**RUNNING, "multiplier": "10.5"}]},
        {"campaigns": [{**RUNNING, "multiplier": "1.234"}]},
        {"campaigns": [{**RUNNING, "ends_at": RUNNING["starts_at"]}]},
        {"campaigns": [{**RUNNING, "starts_at": "2026-12-01T00:00:00"}]},
    ],
)
def test_bad_ways_to_earn_and_campaigns_are_422_and_change_nothing(
    service: Service, settings: dict[str, Any]
) -> None:
    configure(service, ways_to_earn=[SIGNUP])
    before = service.snapshot()
    answer = service.admin("PUT", "/program", {**PROGRAM, **settings})
    assert answer.status == 422, answer.body
    assert service.snapshot() == before


# campaigns on the order path -------------------------------------------------------------------

SILVER = {"id": "silver", "name": "Silver", "threshold": 10, "earn_multiplier": "1.25", "entry_bonus": 0}


def order_at(
    order_id: str, subtotal: str, occurred_at: datetime, customer_id: str = "ann", **kw: Any
) -> dict[str, Any]:
    return {
        **order_event(order_id, customer_id, subtotal, email=None, **kw),
        "occurred_at": format_timestamp(occurred_at),
    }


def history(service: Service, customer_id: str = "ann") -> list[dict[str, Any]]:
    return service.admin("GET", f"/customers/{customer_id}/transactions").json()["items"]  # type: ignore[no-any-return]


def test_an_order_inside_campaigns_earns_the_largest_times_the_tier_with_one_floor(service: Service) -> None:
    triple = {
        **RUNNING,
        "id": "triple",
        "multiplier": "1.5",
        "starts_at": format_timestamp(NOW - timedelta(days=1)),
    }
    configure(service, tiers=[SILVER], campaigns=[RUNNING, triple])
    first = service.order(order_at("1", "10.99", NOW - timedelta(days=2)))
    assert first.json()["points_earned"] == 21  # floor(10.99 × 2): no tier yet
    second = service.order(order_at("2", "10.99", NOW - timedelta(hours=1)))
    assert second.json()["points_earned"] == 27  # floor(10.99 × 1.25 × 2) = floor(27.475), once
    outside = service.order(order_at("3", "10.99", NOW - timedelta(days=5)))
    assert outside.json()["points_earned"] == 13  # floor(10.99 × 1.25): before the campaigns
    entries = {entry["id"]: entry for entry in history(service)}
    assert entries["order:1"]["multiplier"] == "2"
    assert entries["order:2"]["multiplier"] == "2.5"
    assert entries["order:3"]["multiplier"] == "1.25"
    service.assert_sound()


def test_the_campaign_boundaries_starts_at_inside_ends_at_outside(service: Service) -> None:
    start, end = NOW - timedelta(days=3), NOW + timedelta(days=4)
    configure(
        service,
        campaigns=[{**RUNNING, "starts_at": format_timestamp(start), "ends_at": format_timestamp(end)}],
    )
    earned = [
        service.order(order_at(str(n), "10", moment)).json()["points_earned"]
        for n, moment in enumerate(
            (start - timedelta(milliseconds=1), start, end - timedelta(milliseconds=1), end)
        )
    ]
    assert earned == [10, 20, 20, 10]
    assert "multiplier" not in {**history(service)[-1]}  # the first order earned at 1


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every AWS API call made (through any botocore client) from now on, but SSM's
    (a deployment tier's rerun reads the secrets on the container's first event: not the path)."""
    calls: list[str] = []
    original = BaseClient._make_api_call

    def recording(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        if operation_name != "GetParameter":
            calls.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return calls


def test_a_campaign_order_and_a_paid_registration_are_one_read_and_one_write(
    service: Service, aws_calls: list[str]
) -> None:
    configure(service, ways_to_earn=[SIGNUP], campaigns=[RUNNING])
    service.order(order_at("1", "10", NOW))  # the container's cache now holds the program
    aws_calls.clear()
    answer = service.order(order_at("2", "10", NOW, customer_id="bob", has_account=True))
    assert (answer.json()["points_earned"], answer.json()["balance"]) == (20, 120)
    assert aws_calls == ["GetItem", "TransactWriteItems"]
    aws_calls.clear()
    registered = service.register(registration_event("cy", "cy@example.com"))
    assert registered.json()["balance"] == 100
    assert aws_calls == ["GetItem", "TransactWriteItems"]


# the sign-up bonus ---------------------------------------------------------------------------


def signups(service: Service, customer_id: str = "ann") -> list[dict[str, Any]]:
    return [entry for entry in history(service, customer_id) if entry.get("way") == "signup"]


def test_a_registration_pays_the_sign_up_bonus_once(service: Service) -> None:
    configure(service, ways_to_earn=[SIGNUP])
    answer = service.register(registration_event("ann", "ann@example.com"))
    assert (answer.status, answer.json()["balance"]) == (200, 100)
    [bonus] = signups(service)
    assert (bonus["id"], bonus["type"], bonus["points"], bonus["balance_after"]) == (
        "signup:ann",
        "bonus",
        100,
        100,
    )
    again = service.register(
        {**registration_event("ann", "ann@example.com", first_name="Annie"), "event_id": "e2"}
    )
    assert (again.json()["status"], again.json()["balance"]) == ("updated", 100)
    service.order(order_event("1", "ann", "10", has_account=True))
    assert len(signups(service)) == 1
    assert service.account("ann").points.earned == 110
    service.assert_sound()


def test_an_order_with_an_account_pays_it_even_when_guests_may_not_earn(service: Service) -> None:
    configure(service, guests_earn_points=False, ways_to_earn=[SIGNUP])
    guest = service.order(order_event("1", "ann", "10"))
    assert (guest.json()["points_earned"], guest.json()["balance"]) == (0, 0)
    assert signups(service) == []
    member = service.order(order_event("2", "ann", "10", has_account=True))
    assert (member.json()["points_earned"], member.json()["balance"]) == (10, 110)
    assert [entry["points"] for entry in signups(service)] == [100]
    redelivered = service.order(order_event("2", "ann", "10", has_account=True))
    assert (redelivered.json()["status"], redelivered.json()["balance"]) == ("duplicate", 110)
    assert len(signups(service)) == 1


def test_an_excluded_customer_is_paid_when_included_again(service: Service) -> None:
    configure(service, ways_to_earn=[SIGNUP])
    service.order(order_event("1", "ann", "10", has_account=True, tags=["staff"]))
    service.register(registration_event("ann", "ann@example.com"))
    assert (service.account("ann").status.value, signups(service)) == ("excluded", [])
    included = service.admin("DELETE", "/customers/ann/exclusion", key="k-include")
    assert included.status == 200, included.body
    assert (included.json()["status"], included.json()["points"]["balance"]) == ("member", 100)
    assert service.admin("PUT", "/customers/ann/exclusion", key="k-out").status == 200
    assert service.admin("DELETE", "/customers/ann/exclusion", key="k-in-2").status == 200
    assert len(signups(service)) == 1
    service.assert_sound()


def test_a_paused_program_pays_no_sign_up_bonus_then_or_later(service: Service) -> None:
    configure(service, active=False, ways_to_earn=[SIGNUP])
    assert service.register(registration_event("ann", "ann@example.com")).json()["balance"] == 0
    configure(service, ways_to_earn=[SIGNUP])
    service.order(order_event("1", "ann", "10", has_account=True))
    assert signups(service) == []


def test_a_shopify_customer_created_with_an_account_is_paid_the_bonus(service: Service) -> None:
    assert (
        service.admin("PUT", "/program", {**PROGRAM, "ways_to_earn": [SIGNUP]}, store_id=SHOP).status == 200
    )
    answer = shopify(service, "customers-create", shopify_payloads.customer(state="enabled"))
    assert (answer.json()["customer_status"], answer.json()["balance"]) == ("member", 100)
    again = shopify(service, "customers-update", shopify_payloads.customer(state="enabled"), event_id="other")
    assert again.json()["balance"] == 100


# the public program ------------------------------------------------------------------------------


def test_the_public_program_lists_the_ways_to_earn_and_only_the_running_campaigns(service: Service) -> None:
    past = {
        **RUNNING,
        "id": "past",
        "starts_at": format_timestamp(NOW - timedelta(days=9)),
        "ends_at": format_timestamp(NOW - timedelta(days=8)),
    }
    future = {
        **RUNNING,
        "id": "future",
        "starts_at": format_timestamp(NOW + timedelta(days=8)),
        "ends_at": format_timestamp(NOW + timedelta(days=9)),
    }
    configure(service, ways_to_earn=[SIGNUP, REVIEW], campaigns=[past, RUNNING, future])
    answer = service.api.request("GET", f"/stores/{STORE}/program")
    assert answer.status == 200
    public = answer.json()
    assert public["ways_to_earn"] == [{**SIGNUP, "name": None, "per_customer": None, "per_day": None}, REVIEW]
    assert public["campaigns"] == [RUNNING]
    responses.PublicProgram.model_validate(public)


def _interleaved(monkeypatch: pytest.MonkeyPatch, first: str, competitor: Any) -> None:
    """The first commit writing an entry whose id starts with `first` runs `competitor` (another
    event for the same customer, its own read and write) just before: that commit then meets a
    changed account and the bonus already paid, as when two deliveries race."""
    original = Repository.commit
    raced: list[bool] = []

    def commit(self: Repository, changes: Changes) -> None:
        if not raced and any(entry.entry_id.startswith(first) for entry in changes.entries):
            raced.append(True)
            assert competitor().status == 200
        original(self, changes)

    monkeypatch.setattr(Repository, "commit", commit)


def test_an_order_that_loses_the_race_to_a_registration_still_earns_and_the_bonus_is_paid_once(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(service, ways_to_earn=[SIGNUP])
    _interleaved(
        monkeypatch, "order:", lambda: service.register(registration_event("ann", "ann@example.com"))
    )
    answer = service.order(order_event("1", "ann", "10", has_account=True))
    assert (answer.json()["status"], answer.json()["points_earned"], answer.json()["balance"]) == (
        "processed",
        10,
        110,
    )
    assert len(signups(service)) == 1
    service.assert_sound()


def test_a_registration_that_loses_the_race_to_an_order_pays_no_second_bonus(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(service, ways_to_earn=[SIGNUP])
    _interleaved(
        monkeypatch, "signup:", lambda: service.order(order_event("1", "ann", "10", has_account=True))
    )
    answer = service.register(registration_event("ann", "ann@example.com"))
    assert (answer.status, answer.json()["balance"]) == (200, 110)
    assert len(signups(service)) == 1
    service.assert_sound()
