"""TotalsFunction on moto's table stream: the template's filter passes account changes and new
ledger entries only, and the overview and the per-day activity count each of them once even when
Lambda delivers a batch twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
from botocore.config import Config

from loyalty_dev.local.apigw import LambdaContext
from loyalty_dev.local.stream_consumer import stream_sources
from loyalty_dev.local.stream_filters import accepted
from loyalty_dev.local.streams import StreamPump, deliver
from loyalty_dev.template import load_template
from tests.harness.in_process import load_handler
from tests.support import Service, order_event, refund_event, registration_event

# botocore sends DescribeStream to an account-based endpoint (<account>.streams-ddb…) that moto
# 5.2.5 does not serve; the regional endpoint is the same API.
MOTO_STREAMS = Config(account_id_endpoint_mode="disabled")


def test_the_stream_keeps_the_overview_exact_even_with_a_batch_delivered_twice(service: Service) -> None:
    pump = StreamPump(
        service.table_name, service.client, boto3.client("dynamodbstreams", config=MOTO_STREAMS)
    )
    assert service.register(registration_event("c-1", "ann@example.com")).status == 200
    assert service.order(order_event("1001", "c-1", "40.00", has_account=True)).status == 200
    guest = service.order(order_event("1002", "g-1", "10.00", email="bob@example.com"))
    refund = service.refund(refund_event("r1", "1001", "10.00"))
    assert (guest.status, refund.status) == (200, 200)
    (source,) = stream_sources(load_template(), "TotalsFunction")
    records = [record for record in pump.drain() if accepted(source.filters, record)]
    assert records
    kinds = {(record["eventName"], record["dynamodb"]["Keys"]["sk"]["S"]) for record in records}
    assert {("INSERT", "ACCOUNT"), ("MODIFY", "ACCOUNT"), ("INSERT", "ENTRY")} <= kinds
    assert {sk for _, sk in kinds} == {"ACCOUNT", "ENTRY"}
    assert ("MODIFY", "ENTRY") not in kinds  # an order's entry gains points_reversed: not counted again
    totals = load_handler(service.api.functions["TotalsFunction"])

    deliver(totals, pump, records, LambdaContext(function_name="TotalsFunction"), batch=2)
    deliver(totals, pump, records, LambdaContext(function_name="TotalsFunction"))  # redelivered

    overview = service.admin("GET", "/overview").json()
    assert overview["customers"] == {"members": 1, "candidates": 1, "excluded": 0}
    assert overview["points"]["unredeemed"] == guest.json()["balance"] + refund.json()["balance"] == 40
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    activity = service.admin(
        "GET", "/activity", query={"from": yesterday.isoformat(), "to": today.isoformat()}
    ).json()
    days = {day["date"]: day for day in activity["days"]}
    assert list(days) == [yesterday.isoformat(), today.isoformat()]
    counted = {name: sum(day[name] for day in days.values()) for name in ("earned", "reversed", "redeemed")}
    assert counted == {"earned": 50, "reversed": 10, "redeemed": 0}
    assert counted["earned"] - counted["reversed"] == overview["points"]["earned"]
