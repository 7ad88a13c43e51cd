"""EventsFunction on moto's table stream and EventBridge: every kind a real flow makes, the same ids
when Lambda delivers a batch twice, no personal data unless the program opts in to the email, at
most 10 entries per PutEvents, refused entries retried, and a partial batch failure when the bus
keeps refusing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest

from loyalty.domain.operations import events as publishing
from loyalty.runtime import runtime
from loyalty_dev.local.apigw import LambdaContext
from loyalty_dev.local.stream_consumer import stream_sources
from loyalty_dev.local.stream_filters import accepted
from loyalty_dev.local.streams import StreamPump
from loyalty_dev.template import load_template
from tests.conftest import restart_runtime
from tests.handlers.test_backoffice import DEFAULT_PROGRAM
from tests.handlers.test_totals import MOTO_STREAMS
from tests.harness.in_process import load_handler
from tests.support import Service, invitation_event, order_event, refund_event, registration_event

BUS = "LoyaltyEventBus"  # as the deployment tier names the template's bus (its logical id)
PERSONAL = ("ann@example.com", "bob@example.com", "Ann", "Lee", "staff")
CONTEXT = LambdaContext(function_name="EventsFunction")


class Published:
    """What reached the bus: a rule sends every `loyalty` event to a queue the test reads."""

    def __init__(self) -> None:
        self.sqs = boto3.client("sqs", region_name="us-east-1")
        self.url = self.sqs.create_queue(QueueName="published-events")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]
        events = boto3.client("events", region_name="us-east-1")
        events.create_event_bus(Name=BUS)
        events.put_rule(Name="all", EventBusName=BUS, EventPattern=json.dumps({"source": ["loyalty"]}))
        events.put_targets(Rule="all", EventBusName=BUS, Targets=[{"Id": "q", "Arn": arn["QueueArn"]}])

    def read(self) -> list[dict[str, Any]]:
        found = []
        while True:
            answer = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)
            messages = answer.get("Messages", [])
            if not messages:
                return found
            for message in messages:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def published(service: Service, monkeypatch: pytest.MonkeyPatch) -> Iterator[Published]:
    monkeypatch.setenv("EVENT_BUS_NAME", BUS)
    restart_runtime(service)
    yield Published()
    restart_runtime(service)


def a_real_flow(service: Service) -> None:
    """Every kind the service makes without tiers (the tier and bonus kinds: the test below)."""
    assert service.register(registration_event("ann", "ann@example.com")).status == 200
    assert service.order(order_event("1001", "ann", "100.00", has_account=True)).status == 200
    assert (
        service.order(order_event("1002", "bob", "20.00", has_account=True, email="bob@example.com")).status
        == 200
    )
    assert service.order(order_event("1003", "guest", "10.00", email=None)).status == 200
    assert service.merge(invitation_event("guest", "ann")).status == 200
    assert service.refund(refund_event("r1", "1001", "10.00")).status == 200
    adjusted = service.admin("POST", "/customers/ann/points", {"amount": 5, "reason": "gift"}, key="k1")
    assert adjusted.status == 201
    reward = {
        "id": "ten-off",
        "name": "€10 off",
        "points": 50,
        "kind": "amount_off",
        "value": "10.00",
        "currency": "EUR",
    }
    assert service.admin("POST", "/rewards", reward).status == 201
    first = service.redeem("ann", "ten-off", key="r-1").json()["coupon"]["code"]
    second = service.redeem("ann", "ten-off", key="r-2").json()["coupon"]["code"]
    assert service.admin("POST", f"/coupons/{first}/use", {"order_id": "1004"}).status == 200
    assert service.admin("DELETE", f"/coupons/{second}").status == 200
    assert service.admin("PUT", "/customers/bob/exclusion", key="x1").status == 200
    assert service.admin("DELETE", "/customers/bob/exclusion", key="x2").status == 200
    assert service.admin("DELETE", "/customers/bob/personal-data", key="e1").status in {200, 202}


def stream_records(service: Service) -> tuple[StreamPump, list[dict[str, Any]]]:
    pump = StreamPump(
        service.table_name, service.client, boto3.client("dynamodbstreams", config=MOTO_STREAMS)
    )
    return pump, pump.drain()


def deliver(pump: StreamPump, records: list[dict[str, Any]], batch: int = 100) -> list[dict[str, Any]]:
    (source,) = stream_sources(load_template(), "EventsFunction")
    chosen = [record for record in records if accepted(source.filters, record)]
    handler = load_handler(load_template().functions()["EventsFunction"])
    answers = []
    for start in range(0, len(chosen), batch):
        answers.append(handler(pump.event(chosen[start : start + batch]), CONTEXT))
    return answers


def test_a_real_flow_publishes_every_kind_once_per_change_and_again_with_the_same_ids(
    service: Service, published: Published
) -> None:
    a_real_flow(service)
    pump, records = stream_records(service)

    assert all(answer == {"batchItemFailures": []} for answer in deliver(pump, records, batch=7))
    first = published.read()
    deliver(pump, records)  # Lambda delivers the whole stream again
    again = published.read()

    kinds = [event["detail-type"] for event in first]
    assert set(kinds) == {
        "customer.joined",
        "points.earned",
        "customer.merged",
        "points.reversed",
        "points.adjusted",
        "points.redeemed",
        "coupon.issued",
        "coupon.used",
        "coupon.voided",
        "customer.excluded",
        "customer.included",
        "customer.erased",
    }
    assert kinds.count("points.earned") == 3
    assert kinds.count("customer.joined") == 2
    assert all(event["source"] == "loyalty" for event in first)
    ids = [event["detail"]["id"] for event in first]
    assert len(set(ids)) == len(ids)
    assert sorted(ids) == sorted(event["detail"]["id"] for event in again)
    earned = next(
        e["detail"]
        for e in first
        if e["detail-type"] == "points.earned" and e["detail"].get("order_id") == "1001"
    )
    assert (earned["customer_id"], earned["points"], earned["balance"]) == ("ann", 100, 100)
    merged = next(e["detail"] for e in first if e["detail-type"] == "customer.merged")
    assert (merged["customer_id"], merged["merged_customer_id"]) == ("ann", "guest")
    reversed_ = next(e["detail"] for e in first if e["detail-type"] == "points.reversed")
    assert reversed_["points"] == -10
    text = json.dumps(first)
    assert not [value for value in PERSONAL if value in text]


def test_a_store_that_opts_in_gets_the_email_and_nothing_else(service: Service, published: Published) -> None:
    assert service.admin("PUT", "/program", {**DEFAULT_PROGRAM, "events_include_email": True}).status == 200
    assert service.admin("GET", "/program").json()["events_include_email"] is True
    service.register(registration_event("ann", "ann@example.com"))
    service.order(order_event("1001", "ann", "49.90", has_account=True))
    pump, records = stream_records(service)

    deliver(pump, records)

    details = [event["detail"] for event in published.read()]
    assert {detail["email"] for detail in details} == {"ann@example.com"}
    text = json.dumps(details)
    assert "Ann" not in text
    assert "Lee" not in text


class CountingBus:
    """The runtime's bus client wrapped: every PutEvents call's entries, and a refusal plan."""

    def __init__(self, client: Any, refuse: int = 0) -> None:
        self._client = client
        self.calls: list[int] = []
        self.refuse = refuse  # this many entries are refused, one per call, before any is taken

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(len(Entries))
        if self.refuse:
            self.refuse -= 1
            taken = self._client.put_events(Entries=Entries[1:]) if len(Entries) > 1 else {"Entries": []}
            return {
                "FailedEntryCount": 1,
                "Entries": [
                    {"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"},
                    *taken["Entries"],
                ],
            }
        answer: dict[str, Any] = self._client.put_events(Entries=Entries)
        return answer


def bus_client(bus: CountingBus) -> None:
    runtime().event_bus._client = bus


def test_puts_at_most_ten_entries_per_call_and_retries_what_was_refused(
    service: Service, published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publishing.time, "sleep", lambda seconds: None)
    for number in range(23):
        service.order(order_event(f"o{number}", f"c{number}", "10.00"))
    pump, records = stream_records(service)
    counting = CountingBus(runtime().event_bus._client, refuse=2)
    bus_client(counting)

    assert deliver(pump, records) == [{"batchItemFailures": []}]

    assert max(counting.calls) == 10
    assert counting.calls[:2] == [10, 1]  # the refused first entry, alone, on the retry
    events = published.read()
    assert len(events) == 23
    assert len({event["detail"]["id"] for event in events}) == 23


def test_a_bus_that_keeps_refusing_fails_the_record_for_the_stream_to_deliver_again(
    service: Service, published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publishing.time, "sleep", lambda seconds: None)
    service.order(order_event("1001", "ann", "10.00"))
    service.order(order_event("1002", "bob", "10.00"))
    pump, records = stream_records(service)
    counting = CountingBus(runtime().event_bus._client, refuse=publishing.ATTEMPTS)
    bus_client(counting)

    (answer,) = deliver(pump, records)

    (source,) = stream_sources(load_template(), "EventsFunction")
    chosen = [record for record in records if accepted(source.filters, record)]
    first_entry = next(r for r in chosen if r["dynamodb"]["Keys"]["sk"]["S"] == "ENTRY")
    assert answer == {"batchItemFailures": [{"itemIdentifier": first_entry["dynamodb"]["SequenceNumber"]}]}
    assert len(counting.calls) == publishing.ATTEMPTS
    # The other order's event went through; the redelivery publishes both, under the same ids.
    (taken,) = published.read()
    deliver(pump, records)
    assert taken["detail"]["id"] in {event["detail"]["id"] for event in published.read()}


def test_a_tier_reached_and_lost_publishes_tier_upgraded_then_tier_downgraded(
    service: Service, published: Published
) -> None:
    from tests.handlers.test_tiers import _OCCURRED, KEPT_UNTIL, at, member, order, review, tiered

    tiered(service)  # Silver at 500, Gold at 2,000 qualifying points
    member(service)
    order(service, "1001", "600")  # Silver, with its entry bonus
    order(service, "1002", "1500")  # Gold
    later = at(_OCCURRED + timedelta(hours=1))
    order(service, "1003", "10", occurred=later)  # Gold kept an hour longer; listed where it was
    review(service, at(KEPT_UNTIL + timedelta(minutes=30)))  # still held: listed again, no change of tier
    review(service, at(KEPT_UNTIL + timedelta(days=1)))  # the orders left the window: the tier falls
    pump, records = stream_records(service)

    assert all(answer == {"batchItemFailures": []} for answer in deliver(pump, records))
    first = [event for event in published.read() if event["detail-type"].startswith("tier.")]
    deliver(pump, records)  # delivered again: the same ids
    again = [event for event in published.read() if event["detail-type"].startswith("tier.")]

    told = [
        (event["detail-type"], event["detail"].get("tier"), event["detail"].get("previous_tier"))
        for event in first
    ]
    assert told == [
        ("tier.upgraded", "silver", None),
        ("tier.upgraded", "gold", "silver"),
        ("tier.downgraded", None, "gold"),
    ]
    assert [event["detail"]["id"] for event in again] == [event["detail"]["id"] for event in first]
    assert all(event["detail"]["customer_id"] == "ann" for event in first)
