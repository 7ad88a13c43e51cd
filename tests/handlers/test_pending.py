"""Pending points (the return window) end to end on moto: an order's points held as `pending`,
ReleaseFunction through the template's wiring on scheduled events, refunds inside the window,
merges, exclusion, redemption and expiry, and the answers' `points.pending` and
`pending_release_at`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from loyalty.domain.entities import LedgerEntry, Points
from loyalty.repository.pending import PendingIndex
from tests.support import Service, invitation_event, order_event, refund_event, registration_event

PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
}
OCCURRED = "2026-11-20T10:00:00Z"  # every order_event's occurred_at
DUE = "2026-12-04T10:00:00.000Z"  # OCCURRED + 14 days


def window(service: Service, days: int = 14, **settings: Any) -> None:
    answer = service.admin("PUT", "/program", {**PROGRAM, "pending_days": days, **settings})
    assert answer.status == 200, answer.body


def order(
    service: Service, order_id: str, customer_id: str, subtotal: str, occurred_at: str = OCCURRED, **kw: Any
) -> dict[str, Any]:
    event = {**order_event(order_id, customer_id, subtotal, email=None, **kw), "occurred_at": occurred_at}
    answer = service.order(event)
    assert answer.status == 200, answer.body
    return answer.json()  # type: ignore[no-any-return]


def member(service: Service, customer_id: str = "ann") -> None:
    assert service.register(registration_event(customer_id, f"{customer_id}@example.com")).status == 200


def release(service: Service, time: str, **kw: Any) -> dict[str, Any]:
    return service.scheduled("ReleaseFunction", time, **kw)


def history(service: Service, customer_id: str = "ann") -> list[dict[str, Any]]:
    return service.admin("GET", f"/customers/{customer_id}/transactions").json()["items"]  # type: ignore[no-any-return]


def test_an_order_inside_the_window_is_pending_outside_the_balance(service: Service) -> None:
    window(service, 14)
    member(service)
    before = service.account("ann")

    answer = order(service, "1001", "ann", "49.90")

    assert answer == {
        "status": "processed",
        "customer_id": "ann",
        "points_earned": 49,
        "points_pending": 49,
        "available_at": DUE,
        "balance": 0,
    }
    balance = service.balance("ann").json()
    assert balance["points"] == {
        "balance": 0,
        "earned": 0,
        "adjusted": 0,
        "redeemed": 0,
        "expired": 0,
        "pending": 49,
    }
    assert balance["pending_release_at"] == DUE
    assert balance["reward_available"] is False
    assert balance["last_activity_at"] > before.last_activity_at.isoformat()[:10]  # the order is activity
    (pending,) = history(service)[:1]
    assert (pending["type"], pending["points"], pending["balance_after"], pending["available_at"]) == (
        "pending",
        49,
        0,
        DUE,
    )
    again = service.order({**order_event("1001", "ann", "49.90", email=None), "occurred_at": OCCURRED})
    assert (again.json()["status"], again.json()["points_pending"]) == ("duplicate", 49)
    assert service.account("ann").points == Points(pending=49)
    service.assert_sound()


def test_the_release_makes_the_points_available_once_and_is_not_activity(service: Service) -> None:
    window(service, 14)
    member(service)
    order(service, "1001", "ann", "49.90")
    active = service.balance("ann").json()["last_activity_at"]

    early = release(service, "2026-12-04T09:59:59Z")
    assert (early["entries_read"], early["entries_released"]) == (0, 0)
    at = release(service, "2026-12-04T10:00:00Z")
    rerun = release(service, "2026-12-04T11:00:00Z")
    redelivered = release(service, "2026-12-04T10:00:00Z", event_id="same-schedule")

    assert (at["entries_released"], at["points_released"], at["complete"]) == (1, 49, True)
    assert rerun["entries_released"] == redelivered["entries_released"] == 0
    balance = service.balance("ann").json()
    assert balance["points"]["balance"] == balance["points"]["earned"] == 49
    assert (balance["points"]["pending"], balance["pending_release_at"]) == (0, None)
    assert balance["last_activity_at"] == active
    released = [entry for entry in history(service) if entry["type"] == "release"]
    assert [(entry["id"], entry["points"], entry["balance_after"]) for entry in released] == [
        ("release:1001", 49, 49)
    ]
    service.assert_sound()


def test_pending_points_cannot_be_redeemed_in_the_back_office_or_the_storefront(service: Service) -> None:
    window(service, 14)
    member(service)
    order(service, "1001", "ann", "100")
    assert (
        service.admin(
            "POST", "/rewards", {"id": "five", "name": "€5", "points": 50, "kind": "free_shipping"}
        ).status
        == 201
    )
    before = service.snapshot()

    back_office = service.admin("POST", "/customers/ann/redemptions", {"points": 50, "reward": "€5 off"})
    storefront = service.redeem("ann", "five")

    assert (back_office.status, storefront.status) == (409, 409)
    assert service.snapshot() == before
    release(service, "2026-12-05T00:00:00Z")
    assert service.redeem("ann", "five").status == 201
    service.assert_sound()


def test_a_refund_inside_the_window_cancels_and_the_release_gives_what_remains(service: Service) -> None:
    window(service, 14)
    member(service)
    order(service, "1001", "ann", "100.00")

    refunded = service.refund(refund_event("r1", "1001", "30.00"))
    repeated = service.refund(refund_event("r1", "1001", "30.00"))

    assert refunded.json() == {
        "status": "processed",
        "customer_id": "ann",
        "points_reversed": 0,
        "points_cancelled": 30,
        "shortfall": 0,
        "balance": 0,
    }
    assert (repeated.json()["status"], repeated.json()["points_cancelled"]) == ("duplicate", 30)
    assert service.account("ann").points == Points(pending=70)
    assert release(service, "2026-12-05T00:00:00Z")["points_released"] == 70
    after = service.refund(refund_event("r2", "1001", "100.00"))  # after the release: from the balance
    assert (after.json()["points_reversed"], after.json()["points_cancelled"]) == (70, 0)
    assert service.account("ann").points == Points(earned=0)
    kinds = sorted(entry["type"] for entry in history(service))
    assert kinds == ["cancel", "pending", "release", "reverse"]
    service.assert_sound()


def test_a_fully_refunded_order_releases_nothing_and_the_next_order_sets_the_release(
    service: Service,
) -> None:
    window(service, 14)
    member(service)
    order(service, "1001", "ann", "40")
    order(service, "1002", "ann", "10", occurred_at="2026-11-25T10:00:00Z")
    assert service.balance("ann").json()["pending_release_at"] == DUE

    assert service.refund(refund_event("r1", "1001", "40")).json()["points_cancelled"] == 40

    balance = service.balance("ann").json()
    assert (balance["points"]["pending"], balance["pending_release_at"]) == (10, "2026-12-09T10:00:00.000Z")
    assert release(service, "2026-12-05T00:00:00Z")["entries_read"] == 0  # the emptied entry left the index
    assert release(service, "2026-12-09T10:00:00Z")["points_released"] == 10
    assert service.account("ann").points == Points(earned=10)
    service.assert_sound()


def test_two_pending_orders_release_one_by_one_earliest_first(service: Service) -> None:
    window(service, 14)
    member(service)
    order(service, "1002", "ann", "10", occurred_at="2026-11-25T10:00:00Z")
    order(service, "1001", "ann", "40")
    assert service.balance("ann").json()["pending_release_at"] == DUE  # the earlier, though it came later

    assert release(service, "2026-12-05T00:00:00Z")["points_released"] == 40
    assert service.balance("ann").json()["pending_release_at"] == "2026-12-09T10:00:00.000Z"
    assert release(service, "2026-12-10T00:00:00Z")["points_released"] == 10
    assert service.account("ann").points == Points(earned=50)
    service.assert_sound()


def test_a_window_set_later_applies_to_later_orders_only_and_off_again_still_releases(
    service: Service,
) -> None:
    member(service)
    order(service, "1001", "ann", "20")  # no window: available at once
    window(service, 7)
    order(service, "1002", "ann", "30")
    window(service, 0)  # the merchant turns the window off: what waits still waits for its day
    order(service, "1003", "ann", "5")
    assert service.account("ann").points == Points(earned=25, pending=30)
    assert release(service, "2026-11-27T10:00:00Z")["points_released"] == 30
    assert service.account("ann").points == Points(earned=55)
    service.assert_sound()


def test_a_merge_moves_pending_points_and_their_release_credits_the_member(service: Service) -> None:
    window(service, 14)
    order(service, "g1", "guest", "30")
    member(service)
    order(service, "m1", "ann", "20", occurred_at="2026-11-10T10:00:00Z")

    assert service.merge(invitation_event("guest", "ann")).status == 200

    merged = service.balance("ann").json()
    assert (merged["points"]["pending"], merged["pending_release_at"]) == (50, "2026-11-24T10:00:00.000Z")
    assert service.account("guest").points == Points()
    assert release(service, "2026-11-24T10:00:00Z")["points_released"] == 20
    assert service.balance("ann").json()["pending_release_at"] == DUE  # the guest's order, now the member's
    assert service.refund(refund_event("rg", "g1", "10")).json()["points_cancelled"] == 10
    assert release(service, DUE)["points_released"] == 20
    assert service.account("ann").points == Points(earned=40)
    service.assert_sound()


def test_an_excluded_customer_s_pending_points_release_into_its_frozen_balance(service: Service) -> None:
    window(service, 14)
    member(service)
    order(service, "1001", "ann", "30")
    assert service.admin("PUT", "/customers/ann/exclusion").status == 200

    assert order(service, "1002", "ann", "99")["points_pending"] == 0  # excluded: earns nothing
    assert release(service, DUE)["points_released"] == 30
    balance = service.balance("ann").json()
    assert (balance["status"], balance["points"]["balance"], balance["can_redeem"]) == ("excluded", 30, False)
    service.assert_sound()


def test_pending_points_do_not_expire(service: Service) -> None:
    window(service, 90, points_expiry_months=1)
    member(service)
    order(service, "1001", "ann", "30")
    expired = service.scheduled("ExpiryFunction", "2027-01-15T00:00:00Z")
    assert expired["points_expired"] == 0
    assert service.account("ann").points == Points(pending=30)
    service.assert_sound()


def test_an_order_or_a_refund_racing_the_run_wins(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    window(service, 14)
    member(service)
    order(service, "1001", "ann", "40")
    due = PendingIndex.due
    landed: list[str] = []

    def writes_meanwhile(self: PendingIndex, *args: Any, **kwargs: Any) -> Iterator[LedgerEntry]:
        for seen in due(self, *args, **kwargs):
            order(service, "1002", "ann", "5", occurred_at="2026-11-30T10:00:00Z")
            assert service.refund(refund_event("r1", "1001", "10")).status == 200
            landed.append(seen.entry_id)
            yield seen  # as read before both: the run reads it again and decides on what is there

    monkeypatch.setattr(PendingIndex, "due", writes_meanwhile)
    run = release(service, DUE)

    assert landed == ["order:1001"]
    assert (run["entries_released"], run["points_released"]) == (1, 30)
    account = service.account("ann")
    assert account.points == Points(earned=30, pending=5)
    assert service.balance("ann").json()["pending_release_at"] == "2026-12-14T10:00:00.000Z"
    service.assert_sound()


def test_a_run_out_of_time_stops_between_entries_and_the_next_run_finishes(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loyalty.domain.operations import scheduled

    window(service, 14)
    for name in ("ann", "bob"):
        member(service, name)
        order(service, f"o-{name}", name, "10")
    before = service.snapshot()
    monkeypatch.setattr(scheduled, "STOP_WITH_SECONDS_LEFT", 11.0)  # the local context has 10 s left
    cut_short = release(service, DUE)
    assert (cut_short["complete"], cut_short["entries_released"]) == (False, 0)
    assert service.snapshot() == before
    monkeypatch.setattr(scheduled, "STOP_WITH_SECONDS_LEFT", 0.0)
    finished = release(service, DUE)
    assert (finished["complete"], finished["entries_released"]) == (True, 2)
    service.assert_sound()


def test_a_scheduled_event_without_a_time_releases_nothing(service: Service) -> None:
    from loyalty.errors import SchemaViolation
    from loyalty_dev.local.apigw import LambdaContext
    from tests.harness.in_process import load_handler

    window(service, 14)
    member(service)
    order(service, "1001", "ann", "10")
    before = service.snapshot()
    handler = load_handler(service.api.functions["ReleaseFunction"])
    with pytest.raises(SchemaViolation):
        handler({"detail-type": "Scheduled Event"}, LambdaContext(function_name="ReleaseFunction"))
    assert service.snapshot() == before


def test_the_overview_counts_pending_points_from_the_stream_even_delivered_twice(service: Service) -> None:
    import boto3

    from loyalty_dev.local.apigw import LambdaContext
    from loyalty_dev.local.stream_consumer import stream_sources
    from loyalty_dev.local.stream_filters import accepted
    from loyalty_dev.local.streams import StreamPump, deliver
    from loyalty_dev.template import load_template
    from tests.handlers.test_totals import MOTO_STREAMS
    from tests.harness.in_process import load_handler

    pump = StreamPump(
        service.table_name, service.client, boto3.client("dynamodbstreams", config=MOTO_STREAMS)
    )
    window(service, 14)
    member(service)
    order(service, "1001", "ann", "40")
    order(service, "1002", "bob", "25")  # a guest
    service.refund(refund_event("r1", "1002", "5"))
    release(service, DUE)
    (source,) = stream_sources(load_template(), "TotalsFunction")
    records = [record for record in pump.drain() if accepted(source.filters, record)]
    totals = load_handler(service.api.functions["TotalsFunction"])

    deliver(totals, pump, records, LambdaContext(function_name="TotalsFunction"))
    deliver(totals, pump, records, LambdaContext(function_name="TotalsFunction"))  # redelivered

    points = service.admin("GET", "/overview").json()["points"]
    assert (points["pending"], points["earned"], points["unredeemed"]) == (0, 60, 60)
    activity = service.admin("GET", "/activity", query={"from": "2026-12-04", "to": "2026-12-04"}).json()
    (day,) = activity["days"]  # the release day: pending points count as earned when released
    assert (day["earned"], day["reversed"]) == (60, 0)


def test_the_overview_counts_what_is_still_pending(service: Service) -> None:
    import boto3

    from loyalty_dev.local.apigw import LambdaContext
    from loyalty_dev.local.stream_consumer import stream_sources
    from loyalty_dev.local.stream_filters import accepted
    from loyalty_dev.local.streams import StreamPump, deliver
    from loyalty_dev.template import load_template
    from tests.handlers.test_totals import MOTO_STREAMS
    from tests.harness.in_process import load_handler

    pump = StreamPump(
        service.table_name, service.client, boto3.client("dynamodbstreams", config=MOTO_STREAMS)
    )
    window(service, 14)
    member(service)
    order(service, "1001", "ann", "40")
    order(service, "1002", "bob", "25")
    assert service.admin("PUT", "/customers/bob/exclusion").status == 200
    service.refund(refund_event("r1", "1001", "10"))
    (source,) = stream_sources(load_template(), "TotalsFunction")
    records = [record for record in pump.drain() if accepted(source.filters, record)]
    totals = load_handler(service.api.functions["TotalsFunction"])
    deliver(totals, pump, records, LambdaContext(function_name="TotalsFunction"))
    deliver(totals, pump, records, LambdaContext(function_name="TotalsFunction"))

    points = service.admin("GET", "/overview").json()["points"]
    assert (points["pending"], points["earned"], points["unredeemed"], points["frozen"]) == (55, 0, 0, 0)
