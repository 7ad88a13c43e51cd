"""GET /admin/stores/{store_id}/activity: points per UTC day from the stream's per-day counters,
every day of the range present, bad ranges refused with 422 (moto)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from loyalty_dev.local.apigw import LambdaContext
from loyalty_dev.local.stream_consumer import stream_sources
from loyalty_dev.local.stream_filters import accepted
from loyalty_dev.local.streams import StreamPump, deliver
from loyalty_dev.template import load_template
from tests.handlers.test_totals import MOTO_STREAMS
from tests.harness.in_process import load_handler
from tests.support import Service, order_event, refund_event, registration_event

COLUMNS = ("earned", "adjusted", "redeemed", "expired", "reversed")


def count_stream(service: Service, pump: StreamPump, *, twice: bool = False) -> None:
    (source,) = stream_sources(load_template(), "TotalsFunction")
    records = [record for record in pump.drain() if accepted(source.filters, record)]
    totals = load_handler(service.api.functions["TotalsFunction"])
    deliver(totals, pump, records, LambdaContext(function_name="TotalsFunction"), batch=3)
    if twice:
        deliver(totals, pump, records[::-1], LambdaContext(function_name="TotalsFunction"))


def activity(service: Service, first: str, last: str) -> tuple[int, dict]:
    answer = service.admin("GET", "/activity", query={"from": first, "to": last})
    return answer.status, answer.json()


@pytest.fixture
def pump(service: Service) -> StreamPump:
    return StreamPump(
        service.table_name, service.client, boto3.client("dynamodbstreams", config=MOTO_STREAMS)
    )


def test_every_kind_of_change_lands_in_its_column_of_the_day_once(service: Service, pump: StreamPump) -> None:
    assert service.register(registration_event("c-1", "ann@example.com")).status == 200
    assert service.order(order_event("1001", "c-1", "100.00", has_account=True)).status == 200
    assert service.refund(refund_event("r1", "1001", "25.00")).status == 200
    assert service.admin("POST", "/customers/c-1/points", {"amount": -5, "reason": "typo"}).status == 201
    assert service.admin("POST", "/customers/g-9/points", {"amount": 30, "reason": "welcome"}).status == 201
    redeemed = service.admin("POST", "/customers/c-1/redemptions", {"points": 20, "reward": "mug"})
    assert redeemed.status == 201
    count_stream(service, pump, twice=True)  # every record delivered twice, the second time reordered

    today = datetime.now(UTC).date()
    status, answer = activity(service, (today - timedelta(days=2)).isoformat(), today.isoformat())

    assert status == 200
    assert [day["date"] for day in answer["days"]] == [
        (today - timedelta(days=offset)).isoformat() for offset in (2, 1, 0)
    ]
    assert answer["days"][0] == {"date": answer["days"][0]["date"], **dict.fromkeys(COLUMNS, 0)}
    assert answer["days"][-1] == {
        "date": today.isoformat(),
        "earned": 100,
        "adjusted": 25,
        "redeemed": 20,
        "expired": 0,
        "reversed": 25,
    }
    overview = service.admin("GET", "/overview").json()["points"]
    assert (overview["earned"], overview["adjusted"], overview["redeemed"]) == (75, 25, 20)


def test_a_range_with_nothing_counted_answers_every_day_with_zeros(service: Service) -> None:
    status, answer = activity(service, "2024-01-01", "2024-12-31")  # a leap year: 366 days

    assert status == 200
    assert len(answer["days"]) == 366
    assert answer["days"][59]["date"] == "2024-02-29"
    assert all(all(day[name] == 0 for name in COLUMNS) for day in answer["days"])


def test_one_day_is_a_range(service: Service) -> None:
    assert activity(service, "2026-11-20", "2026-11-20") == (
        200,
        {"days": [{"date": "2026-11-20", **dict.fromkeys(COLUMNS, 0)}]},
    )


@pytest.mark.parametrize(
    ("first", "last", "says"),
    [
        pytest.param("2026-11-02", "2026-11-01", "before", id="to-before-from"),
        pytest.param("2025-01-01", "2026-01-02", "366", id="367-days"),
        pytest.param("2026-02-30", "2026-03-01", "YYYY-MM-DD", id="no-such-day"),
        pytest.param("2026-1-01", "2026-01-02", "YYYY-MM-DD", id="not-zero-padded"),
        pytest.param("2026-11-01T00:00:00Z", "2026-11-02", "YYYY-MM-DD", id="a-timestamp"),
        pytest.param("1700000000", "2026-11-02", "YYYY-MM-DD", id="epoch-seconds"),
        pytest.param("", "2026-11-02", "YYYY-MM-DD", id="empty"),
    ],
)
def test_a_bad_range_is_a_422_that_says_why(service: Service, first: str, last: str, says: str) -> None:
    status, answer = activity(service, first, last)

    assert status == 422
    assert answer["error"] == "invalid_request"
    assert says in answer["message"] + str(answer.get("details"))


def test_from_and_to_are_both_required(service: Service) -> None:
    missing = service.admin("GET", "/activity", query={"from": "2026-11-01"})

    assert missing.status == 422
    assert ["query", "to"] in [detail["loc"] for detail in missing.json()["details"]]


def test_the_days_are_the_utc_days_of_the_entries(service: Service, pump: StreamPump) -> None:
    day = datetime.now(UTC).date()
    assert service.admin("POST", "/customers/g-1/points", {"amount": 7, "reason": "welcome"}).status == 201
    count_stream(service, pump)

    _, answer = activity(service, day.isoformat(), day.isoformat())

    assert answer["days"][0]["adjusted"] == 7


def test_a_voided_coupon_gives_its_points_back_on_the_day_s_redeemed(
    service: Service, pump: StreamPump
) -> None:
    assert service.register(registration_event("c-1", "ann@example.com")).status == 200
    assert service.order(order_event("1001", "c-1", "100.00", has_account=True)).status == 200
    reward = {"id": "mug", "name": "A mug", "points": 40, "kind": "free_shipping"}
    assert service.admin("POST", "/rewards", reward).status == 201
    redeemed = service.admin("POST", "/customers/c-1/redemptions", {"reward_id": "mug"})
    assert redeemed.status == 201
    code = redeemed.json()["coupon"]["code"]
    count_stream(service, pump)
    today = datetime.now(UTC).date().isoformat()
    assert activity(service, today, today)[1]["days"][0]["redeemed"] == 40

    assert service.admin("DELETE", f"/coupons/{code}").status == 200
    count_stream(service, pump, twice=True)

    assert activity(service, today, today)[1]["days"][0]["redeemed"] == 0
    assert service.admin("GET", "/overview").json()["points"]["redeemed"] == 0
