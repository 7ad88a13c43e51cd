"""Points expiry end to end on moto: the program's setting, ExpiryFunction through the template's
wiring on scheduled events, and the account answers' `points.expired` and `points_expire_at`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from loyalty.domain.entities import Account, Changes, Points, format_timestamp
from loyalty.errors import SchemaViolation
from loyalty.repository import items
from loyalty.repository.expiry import ExpiryIndex
from tests.support import STORE, Service, invitation_event, order_event, registration_event

PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
}
JAN_31 = "2026-01-31T10:00:00.000Z"


def expiry_on(service: Service, months: int | None = 1, store_id: str = STORE) -> None:
    answer = service.admin("PUT", "/program", {**PROGRAM, "points_expiry_months": months}, store_id=store_id)
    assert answer.status == 200, answer.body


def last_active(service: Service, customer_id: str, moment: str, store_id: str = STORE) -> None:
    """Move an account's last activity into the past (as if it had been dormant since `moment`)."""
    before = service.account(customer_id, store_id)
    after = replace(before, last_activity_at=datetime.fromisoformat(moment), revision=before.revision + 1)
    service.repository.commit(Changes(accounts=((before, after),)))


def customer(
    service: Service, customer_id: str, subtotal: str = "40", *, member: bool = True, **kw: Any
) -> None:
    if member:
        assert (
            service.register(registration_event(customer_id, f"{customer_id}@example.com", **kw)).status
            == 200
        )
    order = order_event(f"o-{customer_id}", customer_id, subtotal, email=None, **kw)
    assert service.order(order).status == 200


def expire(service: Service, time: str, **kw: Any) -> dict[str, Any]:
    return service.scheduled("ExpiryFunction", time, **kw)


def test_a_dormant_member_expires_at_the_calendar_month_boundary_and_never_twice(service: Service) -> None:
    expiry_on(service, 1)
    customer(service, "ann")
    last_active(service, "ann", JAN_31)

    before = expire(service, "2026-02-28T09:59:59Z")  # 31 January + 1 month = 28 February, 10:00
    assert (before["accounts_expired"], service.account("ann").points.expired) == (0, 0)
    assert service.balance("ann").json()["points_expire_at"] == "2026-02-28T10:00:00.000Z"

    at = expire(service, "2026-02-28T10:00:00Z")
    again = expire(service, "2026-03-01T00:00:00Z")  # a rerun, and a later day's run
    redelivered = expire(service, "2026-02-28T10:00:00Z")

    assert (at["accounts_expired"], at["points_expired"], at["complete"]) == (1, 40, True)
    assert again["accounts_expired"] == redelivered["accounts_expired"] == 0
    balance = service.balance("ann").json()
    assert balance["points"] == {
        "balance": 0,
        "earned": 40,
        "adjusted": 0,
        "redeemed": 0,
        "expired": 40,
        "pending": 0,
    }
    assert balance["points_expire_at"] is None
    assert balance["last_activity_at"] == JAN_31  # expiring is not activity
    history = service.admin("GET", "/customers/ann/transactions").json()["items"]
    (expired,) = (entry for entry in history if entry["type"] == "expire")  # one, whatever the reruns
    assert (expired["id"], expired["points"], expired["balance_after"]) == (f"expire:ann:{JAN_31}", -40, 0)
    service.assert_sound()


def test_candidates_expire_too_and_new_activity_starts_the_months_again(service: Service) -> None:
    expiry_on(service, 6)
    customer(service, "guest", "25", member=False)
    last_active(service, "guest", "2026-01-15T08:00:00.000Z")

    assert expire(service, "2026-07-15T08:00:00Z")["accounts_expired"] == 1
    assert service.order(order_event("o-2", "guest", "10", email=None)).status == 200
    fresh = service.balance("guest").json()
    assert (fresh["points"]["balance"], fresh["points"]["expired"]) == (10, 25)
    assert fresh["points_expire_at"] is not None
    assert expire(service, "2026-07-16T08:00:00Z")["accounts_expired"] == 0  # active again
    service.assert_sound()


def test_an_order_that_lands_while_the_run_decides_wins(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    expiry_on(service, 1)
    customer(service, "ann")
    last_active(service, "ann", JAN_31)
    dormant = ExpiryIndex.dormant

    def order_meanwhile(self: ExpiryIndex, *args: Any, **kwargs: Any) -> Iterator[Account]:
        for seen in dormant(self, *args, **kwargs):
            assert service.order(order_event("o-late", seen.customer_id, "5", email=None)).status == 200
            yield seen  # the revision before the order: its commit fails, the account is read again

    monkeypatch.setattr(ExpiryIndex, "dormant", order_meanwhile)
    run = expire(service, "2026-06-01T00:00:00Z")

    assert (run["accounts_read"], run["accounts_expired"]) == (1, 0)
    assert service.account("ann").points == Points(earned=45)
    service.assert_sound()


def test_a_store_without_expiry_and_excluded_and_merged_files_are_untouched(service: Service) -> None:
    customer(service, "quiet", store_id="elsewhere")  # no program: the deployment's default, never
    last_active(service, "quiet", "2020-01-01T00:00:00.000Z", store_id="elsewhere")
    expiry_on(service, 1)
    customer(service, "staff")
    assert service.admin("PUT", "/customers/staff/exclusion").status == 200
    last_active(service, "staff", "2020-01-01T00:00:00.000Z")
    customer(service, "member")
    customer(service, "guest", member=False)
    assert service.merge(invitation_event("guest", "member")).status == 200
    last_active(service, "guest", "2020-01-01T00:00:00.000Z")
    before = service.snapshot()

    run = expire(service, "2026-11-25T00:00:00Z")

    assert (run["stores"], run["accounts_read"], run["accounts_expired"]) == (1, 0, 0)
    assert service.snapshot() == before
    assert service.balance("staff").json()["points_expire_at"] is None  # frozen, not expiring
    service.assert_sound()
    service.assert_sound("elsewhere")


@pytest.mark.parametrize(
    "event",
    [{}, {"time": "yesterday"}, {"time": "2026-02-28T10:00:00"}, {"time": 1767225600}, {"time": None}],
)
def test_a_scheduled_event_without_a_valid_time_fails_and_writes_nothing(
    service: Service, event: dict
) -> None:
    from loyalty_dev.local.apigw import LambdaContext
    from tests.harness.in_process import load_handler

    expiry_on(service, 1)
    customer(service, "ann")
    last_active(service, "ann", JAN_31)
    before = service.snapshot()
    handler = load_handler(service.api.functions["ExpiryFunction"])

    with pytest.raises(SchemaViolation, match=r"event\.time"):
        handler({"detail-type": "Scheduled Event", "source": "aws.events", **event}, LambdaContext())

    assert service.snapshot() == before


def test_account_answers_say_when_the_points_expire(service: Service) -> None:
    customer(service, "ann")
    assert service.balance("ann").json()["points_expire_at"] is None  # expiry off
    expiry_on(service, 12)
    last_active(service, "ann", "2024-02-29T12:00:00.000Z")

    expected = "2025-02-28T12:00:00.000Z"  # a leap day + 12 months: the end of February
    assert service.balance("ann").json()["points_expire_at"] == expected
    assert service.admin("GET", "/customers/ann").json()["points_expire_at"] == expected
    listed = service.admin("GET", "/customers", query={"status": "member"}).json()["items"]
    assert [item["points_expire_at"] for item in listed] == [expected]
    given = service.admin("POST", "/customers/ann/points", {"amount": 5, "reason": "gift"}).json()
    assert given["account"]["points_expire_at"] > expected  # an adjustment is activity


@pytest.mark.parametrize("months", [0, 61, -1, "12", 1.5, True])
def test_an_expiry_setting_outside_1_to_60_months_is_422_and_changes_nothing(
    service: Service, months: object
) -> None:
    before = service.snapshot()
    answer = service.admin("PUT", "/program", {**PROGRAM, "points_expiry_months": months})
    assert answer.status == 422, answer.body
    assert answer.json()["error"] == "invalid_request"
    assert service.snapshot() == before


@pytest.mark.parametrize("months", [1, 60, None])
def test_the_expiry_setting_is_kept_and_read_back(service: Service, months: int | None) -> None:
    expiry_on(service, months)
    assert service.admin("GET", "/program").json()["points_expiry_months"] == months


def test_an_account_written_before_expiry_existed_reads_as_nothing_expired(service: Service) -> None:
    customer(service, "old")
    key = ("STORE#acme#CUSTOMER#old", "ACCOUNT")
    legacy = {name: value for name, value in service.items()[key].items() if name != "expired"}
    account = items.account_from_item(items.plain(legacy))
    assert (account.points.expired, account.points.balance) == (0, 40)
    assert format_timestamp(account.last_activity_at).endswith("Z")


def test_the_overview_counts_expired_points_from_the_stream(service: Service) -> None:
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
    expiry_on(service, 1)
    customer(service, "ann")
    customer(service, "bob", "15")
    last_active(service, "ann", JAN_31)
    assert expire(service, "2026-03-01T00:00:00Z")["points_expired"] == 40
    (source,) = stream_sources(load_template(), "TotalsFunction")
    records = [record for record in pump.drain() if accepted(source.filters, record)]
    totals = load_handler(service.api.functions["TotalsFunction"])

    deliver(totals, pump, records, LambdaContext(function_name="TotalsFunction"))
    deliver(totals, pump, records, LambdaContext(function_name="TotalsFunction"))  # redelivered

    points = service.admin("GET", "/overview").json()["points"]
    assert points == {
        "earned": 55,
        "adjusted": 0,
        "redeemed": 0,
        "expired": 40,
        "unredeemed": 15,
        "frozen": 0,
        "pending": 0,
    }


def test_a_run_out_of_time_stops_between_accounts_and_the_next_run_finishes(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loyalty.domain.operations import expiry

    expiry_on(service, 1)
    for name in ("ann", "bob"):
        customer(service, name)
        last_active(service, name, JAN_31)
    before = service.snapshot()
    monkeypatch.setattr(expiry, "STOP_WITH_SECONDS_LEFT", 11.0)  # the local context has 10 s left

    cut_short = expire(service, "2026-06-01T00:00:00Z")

    assert (cut_short["complete"], cut_short["accounts_expired"]) == (False, 0)
    assert service.snapshot() == before
    monkeypatch.setattr(expiry, "STOP_WITH_SECONDS_LEFT", 1.0)
    finished = expire(service, "2026-06-01T00:00:00Z")
    assert (finished["complete"], finished["accounts_expired"]) == (True, 2)
    service.assert_sound()
