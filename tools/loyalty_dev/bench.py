"""Benchmarks against their floors: DynamoDB calls and request units, handler time, cold start, memory."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

from loyalty_dev.apigw import LambdaContext, rest_event
from loyalty_dev.functions import Answer, InProcessApi, load_handler, module_name
from loyalty_dev.local_env import patched_environ
from loyalty_dev.template import PROJECT_ROOT, create_table_request, create_tables, load_template

STORE = "bench-store"
BARE_TABLE = "BareTable"
REGION = "us-east-1"

ORDER_PATH = "/webhooks/order-created"
REGISTER_PATH = "/webhooks/member-registered"
MERGE_PATH = "/webhooks/invitation-accepted"

READ_OPERATIONS = frozenset({"GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"})
WRITE_OPERATIONS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "ExecuteStatement"}
)

# On-demand prices, us-east-1, standard table class (AWS pricing page, after the November 2024 cut).
PRICE_PER_MILLION_WRU = 0.625
PRICE_PER_MILLION_RRU = 0.125
PRICE_STORAGE_GB_MONTH = 0.25
PRICE_PITR_GB_MONTH = 0.20
ITEM_STORAGE_OVERHEAD_BYTES = 100  # DynamoDB bills 100 bytes of indexing per item, and per index entry

TARGET_HANDLER_RATIO = 1.5
TARGET_COLD_START_RATIO = 1.6
LAMBDA_MEMORY_MB = 128


# Item sizes, by DynamoDB's rules -----------------------------------------------------------------


def number_size(text: str) -> int:
    """A number: 1 byte per two significant digits, plus 1 (leading and trailing zeros trimmed)."""
    digits = len(Decimal(text).normalize().as_tuple().digits)
    return math.ceil(digits / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(str(content).encode())
    if kind == "N":
        return number_size(str(content))
    if kind == "B":
        return len(content)
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind == "SS":
        return sum(len(str(text).encode()) for text in content)
    if kind == "NS":
        return sum(number_size(str(text)) for text in content)
    if kind == "BS":
        return sum(len(blob) for blob in content)
    if kind == "L":  # 3 bytes of overhead, 1 per element
        return 3 + sum(1 + value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(len(name.encode()) + 1 + value_size(element) for name, element in content.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: Mapping[str, Any]) -> int:
    """Bytes of an item in DynamoDB's typed JSON: attribute names plus values."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, *, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


# Counting calls with a botocore event hook ------------------------------------------------------


@dataclass
class Call:
    operation: str
    params: dict[str, Any]
    started: float
    ended: float = 0.0
    response: dict[str, Any] | None = None
    error: str | None = None


class CallRecorder:
    """Records every DynamoDB API call of the clients of a session (one record per call, not per retry)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def attach(self, events: Any) -> None:
        events.register("before-parameter-build.dynamodb", self._before)
        events.register("after-call.dynamodb", self._after)
        events.register("after-call-error.dynamodb", self._failed)

    def take(self) -> list[Call]:
        calls, self.calls = self.calls, []
        return calls

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append(Call(str(model.name), params, time.perf_counter()))

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        # Emitted for every answer, errors included (botocore raises after this event).
        if self.calls and self.calls[-1].operation == model.name:
            self.calls[-1].ended = time.perf_counter()
            self.calls[-1].response = parsed
            if http_response.status_code >= 300:
                self.calls[-1].error = str(parsed.get("Error", {}).get("Code", http_response.status_code))

    def _failed(self, exception: Exception, model: Any, **_: Any) -> None:
        if self.calls and self.calls[-1].operation == model.name:
            self.calls[-1].ended = time.perf_counter()
            self.calls[-1].error = type(exception).__name__


def counts_by_operation(calls: Iterable[Call]) -> Counter[str]:
    return Counter(call.operation for call in calls)


# The service in this process, on moto ------------------------------------------------------------


def service_environment(webhook_secret: str, token_secret: str) -> dict[str, str]:
    """What template.yaml gives every function, with local secrets instead of SSM and dummy credentials."""
    environment: dict[str, str] = {}
    for function in load_template().functions().values():
        environment.update(function.environment)
    environment.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_SESSION_TOKEN": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "LOYALTY_WEBHOOK_SECRET": webhook_secret,
            "LOYALTY_CUSTOMER_TOKEN_SECRET": token_secret,
        }
    )
    return environment


# Only moto may answer: no real endpoint or AWS profile may leak into the measured process.
UNSET_FOR_MOTO = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_CONFIG_FILE")


def new_secrets() -> tuple[str, str]:
    """Two distinct secrets of at least 32 bytes (the webhook secret, the customer token key)."""
    return secrets.token_hex(24), secrets.token_hex(24)


@dataclass
class Harness:
    """The template's functions behind an in-process API Gateway, on an in-process moto DynamoDB."""

    client: Any
    recorder: CallRecorder
    webhook_secret: bytes
    token_secret: bytes
    table_name: str
    api: InProcessApi = field(default_factory=InProcessApi)
    stash: dict[str, Any] = field(default_factory=dict)  # what a scenario's setup hands its request

    def post(self, path: str, payload: Mapping[str, Any]) -> Answer:
        from loyalty.signatures import SIGNATURE_HEADER, signature_header

        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature_header(self.webhook_secret, int(time.time()), body),
        }
        return self.api.request("POST", path, headers=headers, body=body)

    def balance(self, customer_id: str) -> Answer:
        from loyalty.tokens import mint_customer_token

        token = mint_customer_token(self.token_secret, STORE, customer_id, int(time.time()), 3600)
        return self.api.request(
            "GET",
            f"/stores/{STORE}/customers/{customer_id}/balance",
            headers={"Authorization": f"Bearer {token}"},
        )

    def items(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every item of the table by key (a consistent scan, for write-unit accounting)."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        request: dict[str, Any] = {"TableName": self.table_name, "ConsistentRead": True}
        while True:
            page = self.client.scan(**request)
            for item in page["Items"]:
                found[(item["pk"]["S"], item["sk"]["S"])] = item
            if "LastEvaluatedKey" not in page:
                return found
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@contextlib.contextmanager
def moto_harness() -> Iterator[Harness]:
    """A fresh moto DynamoDB with the template's tables, the functions' environment and a call recorder."""
    import boto3
    from moto import mock_aws

    from loyalty.runtime import reset_runtime

    if str(PROJECT_ROOT) not in sys.path:  # the handlers are imported as functions.<name>.app
        sys.path.insert(0, str(PROJECT_ROOT))
    webhook_secret, token_secret = new_secrets()
    environment = service_environment(webhook_secret, token_secret)
    previous_session = boto3.DEFAULT_SESSION
    with patched_environ(environment, unset=UNSET_FOR_MOTO), mock_aws():
        reset_runtime()
        boto3.setup_default_session()
        recorder = CallRecorder()
        recorder.attach(boto3.DEFAULT_SESSION.events)
        client = boto3.client("dynamodb", region_name=REGION)
        create_tables(client)
        harness = Harness(
            client=client,
            recorder=recorder,
            webhook_secret=webhook_secret.encode(),
            token_secret=token_secret.encode(),
            table_name=environment["TABLE_NAME"],
        )
        # A warm container: one order of the store served before anything is counted.
        if harness.post(ORDER_PATH, order_payload("warm-up", "warm-up")).status != 200:
            raise RuntimeError("the warm-up order failed")
        recorder.take()
        try:
            yield harness
        finally:
            reset_runtime()
            boto3.DEFAULT_SESSION = previous_session


# Payloads of the contract ------------------------------------------------------------------------


def order_payload(
    order_id: str,
    customer_id: str,
    *,
    subtotal: str = "49.90",
    has_account: bool = False,
    email: str | None = None,
) -> dict[str, Any]:
    customer: dict[str, Any] = {"id": customer_id, "has_account": has_account}
    if email is not None:
        customer["email"] = email
    return {
        "event_id": f"evt-order-{order_id}",
        "store_id": STORE,
        "occurred_at": "2026-11-20T10:00:00Z",
        "order": {"id": order_id, "subtotal": subtotal, "currency": "EUR", "customer": customer},
    }


def registration_payload(customer_id: str, email: str) -> dict[str, Any]:
    return {
        "event_id": f"evt-register-{customer_id}",
        "store_id": STORE,
        "occurred_at": "2026-11-20T10:00:00Z",
        "customer": {"id": customer_id, "email": email, "first_name": "Ann", "last_name": "Lee"},
    }


def invitation_payload(guest_id: str, member_id: str) -> dict[str, Any]:
    return {
        "event_id": f"evt-merge-{guest_id}-{member_id}",
        "store_id": STORE,
        "occurred_at": "2026-11-20T10:00:00Z",
        "invitation": {"guest_customer_id": guest_id, "member_customer_id": member_id},
    }


# Scenarios: the calls one event makes ------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    text: str
    check: Callable[[Counter[str]], bool]


def reads(counts: Counter[str]) -> int:
    return sum(number for operation, number in counts.items() if operation in READ_OPERATIONS)


def writes(counts: Counter[str]) -> int:
    return sum(number for operation, number in counts.items() if operation in WRITE_OPERATIONS)


ORDER_TARGET = Target("<=1 read, <=1 write", lambda c: reads(c) <= 1 and writes(c) <= 1)
ORDER_GOAL = Target(
    "goal: 1 TransactWriteItems, no read",
    lambda c: reads(c) == 0 and c == Counter({"TransactWriteItems": 1}),
)
DUPLICATE_TARGET = Target("<=2 calls", lambda c: c.total() <= 2)
BALANCE_TARGET = Target("exactly 1 GetItem", lambda c: c == Counter({"GetItem": 1}))
MERGED_BALANCE_TARGET = Target("<=2 GetItem (id -> member)", lambda c: c == Counter({"GetItem": 2}))
EVENT_TARGET = Target("<=1 read call, 1 write", lambda c: reads(c) <= 1 and writes(c) <= 1)


@dataclass(frozen=True)
class Scenario:
    name: str
    prepare: Callable[[Harness], str]  # sets the table up; returns a note ("" when none)
    request: Callable[[Harness], Answer]
    targets: tuple[Target, ...]
    is_order: bool = False


@dataclass
class Measured:
    scenario: Scenario
    status: int
    calls: list[Call]
    before: dict[tuple[str, str], dict[str, Any]]
    after: dict[tuple[str, str], dict[str, Any]]
    table_name: str
    note: str = ""

    @property
    def counts(self) -> Counter[str]:
        return counts_by_operation(self.calls)

    @property
    def implemented(self) -> bool:
        return self.status not in {0, 501}


def _nothing(_: Harness) -> str:
    return ""


def _ordered(*orders: tuple[str, str, bool]) -> Callable[[Harness], str]:
    def prepare(harness: Harness) -> str:
        for order_id, customer_id, has_account in orders:
            email = f"{customer_id}@example.com" if has_account else None
            answer = harness.post(
                ORDER_PATH, order_payload(order_id, customer_id, has_account=has_account, email=email)
            )
            if answer.status != 200:
                raise RuntimeError(f"setting up: order {order_id} answered {answer.status}: {answer.body}")
        return ""

    return prepare


def _merged(guest_id: str, member_id: str) -> Callable[[Harness], str]:
    """A guest file merged into a member: through invitation-accepted, or seeded when it answers 501."""

    def prepare(harness: Harness) -> str:
        _ordered((f"{guest_id}-1", guest_id, False), (f"{member_id}-1", member_id, True))(harness)
        answer = harness.post(MERGE_PATH, invitation_payload(guest_id, member_id))
        if answer.status == 200:
            return ""
        if answer.status != 501:
            raise RuntimeError(f"setting up: invitation-accepted answered {answer.status}: {answer.body}")
        from loyalty.entities import Changes, CustomerStatus, Points, utc_now
        from loyalty.repository import Repository

        repository = Repository(harness.table_name, harness.client)
        guest = repository.get_account(STORE, guest_id)
        if guest is None:
            raise RuntimeError(f"setting up: no account for {guest_id}")
        merged = guest.changed(
            utc_now(), status=CustomerStatus.MERGED, merged_into=member_id, points=Points()
        )
        repository.commit(Changes(accounts=((guest, merged),)))
        return "merged state seeded: invitation-accepted answered 501"

    return prepare


class Unavailable(Exception):
    """The template has no function for this scenario."""


TOTALS_FUNCTION = "TotalsFunction"
STREAM_SCENARIO = "stream: totals of an order"


def _order_change(harness: Harness) -> str:
    """An order of a known customer; the account's images before and after, as its stream record."""
    if TOTALS_FUNCTION not in harness.api.functions:
        raise Unavailable(f"no {TOTALS_FUNCTION} in the template")
    _ordered(("s-1", "s", False))(harness)
    key = (f"STORE#{STORE}#CUSTOMER#s", "ACCOUNT")
    old = harness.items()[key]
    _ordered(("s-2", "s", False))(harness)
    harness.stash["change"] = (old, harness.items()[key])
    return ""


def _count_change(harness: Harness) -> Answer:
    old, new = harness.stash.pop("change")
    return count_change(harness, old, new)


def count_change(harness: Harness, old: dict[str, Any] | None, new: dict[str, Any]) -> Answer:
    """TotalsFunction invoked with the DynamoDB Streams record of an account change, as Lambda delivers it."""
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": time.time(),
        "Keys": {"pk": new["pk"], "sk": new["sk"]},
        "NewImage": new,
        "SequenceNumber": "100000000000000000001",
        "SizeBytes": item_size(new),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        change["OldImage"] = old
    record = {
        "eventID": "1",
        "eventName": "INSERT" if old is None else "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": change,
        "eventSourceARN": f"arn:aws:dynamodb:{REGION}:000000000000:table/{harness.table_name}/stream/x",
    }
    handler = load_handler(harness.api.functions[TOTALS_FUNCTION])
    result = handler({"Records": [record]}, LambdaContext(function_name=TOTALS_FUNCTION))
    failed = result.get("batchItemFailures") or []
    return Answer(500 if failed else 200, {}, json.dumps(result))


def _fresh_container(harness: Harness) -> str:
    from loyalty.runtime import reset_runtime

    reset_runtime()  # a new container: settings, client and caches rebuilt on first use
    return ""


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "order, first in a new container",
        _fresh_container,
        lambda h: h.post(ORDER_PATH, order_payload("z-1", "z")),
        (ORDER_TARGET,),
        is_order=True,
    ),
    Scenario(
        "order, new customer",
        _nothing,
        lambda h: h.post(ORDER_PATH, order_payload("a-1", "a")),
        (ORDER_TARGET,),
        is_order=True,
    ),
    Scenario(
        "order, known customer",
        _ordered(("b-1", "b", False)),
        lambda h: h.post(ORDER_PATH, order_payload("b-2", "b")),
        (ORDER_TARGET, ORDER_GOAL),
        is_order=True,
    ),
    Scenario(
        "order, new member (email claim)",
        _nothing,
        lambda h: h.post(ORDER_PATH, order_payload("c-1", "c", has_account=True, email="c@example.com")),
        (ORDER_TARGET,),
        is_order=True,
    ),
    Scenario(
        "duplicate order",
        _ordered(("d-1", "d", False)),
        lambda h: h.post(ORDER_PATH, order_payload("d-1", "d")),
        (DUPLICATE_TARGET,),
        is_order=True,
    ),
    Scenario(
        "balance lookup",
        _ordered(("e-1", "e", False)),
        lambda h: h.balance("e"),
        (BALANCE_TARGET,),
    ),
    Scenario(
        "balance lookup, merged id",
        _merged("f-guest", "f-member"),
        lambda h: h.balance("f-guest"),
        (MERGED_BALANCE_TARGET,),
    ),
    Scenario(
        "member registration (candidate)",
        _ordered(("g-1", "g", False)),
        lambda h: h.post(REGISTER_PATH, registration_payload("g", "g@example.com")),
        (EVENT_TARGET,),
    ),
    Scenario(
        "member registration (new)",
        _nothing,
        lambda h: h.post(REGISTER_PATH, registration_payload("i", "i@example.com")),
        (EVENT_TARGET,),
    ),
    Scenario(
        "merge (invitation accepted)",
        _ordered(("h-1", "h-guest", False), ("h-2", "h-member", True)),
        lambda h: h.post(MERGE_PATH, invitation_payload("h-guest", "h-member")),
        (EVENT_TARGET,),
    ),
    Scenario(
        STREAM_SCENARIO,
        _order_change,
        _count_change,
        (Target("1 write, no read", lambda c: reads(c) == 0 and writes(c) == 1),),
    ),
)


def scenario_named(name: str) -> Scenario:
    for scenario in SCENARIOS:
        if scenario.name == name:
            return scenario
    raise KeyError(name)


def measure(harness: Harness, scenario: Scenario) -> Measured:
    try:
        note = scenario.prepare(harness)
    except Unavailable as missing:
        return Measured(scenario, 0, [], {}, {}, harness.table_name, str(missing))
    before = harness.items()
    harness.recorder.take()
    answer = scenario.request(harness)
    calls = harness.recorder.take()
    after = harness.items()
    harness.recorder.take()
    if answer.status not in {200, 501}:
        raise RuntimeError(f"{scenario.name}: answered {answer.status}: {answer.body}")
    return Measured(scenario, answer.status, calls, before, after, harness.table_name, note)


def count_calls(names: Sequence[str] | None = None) -> list[Measured]:
    """Run the scenarios (all, or those named) on a fresh moto table, each on customers of its own."""
    chosen = [scenario_named(name) for name in names] if names else list(SCENARIOS)
    with moto_harness() as harness:
        return [measure(harness, scenario) for scenario in chosen]


@dataclass
class Spread:
    orders: int
    busiest: dict[str, tuple[str, int]]  # table or index name → (its busiest partition, orders that wrote it)


def partition_spread(harness: Harness, orders: int = 32) -> Spread:
    """Which partitions the orders of one store write, on the request path and on the stream path
    (totals): a partition that every order writes is a hot item."""
    indexes = table_indexes(harness.table_name)
    with_totals = TOTALS_FUNCTION in harness.api.functions
    writers: dict[str, dict[str, set[int]]] = {"table": {}}
    for number in range(orders):
        customer = f"spread-{number}"
        key = {"pk": {"S": f"STORE#{STORE}#CUSTOMER#{customer}"}, "sk": {"S": "ACCOUNT"}}
        old = harness.client.get_item(TableName=harness.table_name, Key=key, ConsistentRead=True).get("Item")
        harness.recorder.take()
        answer = harness.post(ORDER_PATH, order_payload(customer, customer))
        if answer.status != 200:
            raise RuntimeError(f"spread order answered {answer.status}: {answer.body}")
        calls = harness.recorder.take()
        if with_totals:
            new = harness.client.get_item(TableName=harness.table_name, Key=key, ConsistentRead=True)["Item"]
            harness.recorder.take()
            if count_change(harness, old, new).status != 200:
                raise RuntimeError("the totals function failed on a spread order")
            calls += harness.recorder.take()
        for call in calls:
            if call.operation != "TransactWriteItems" or call.error:
                continue
            for action in call.params["TransactItems"]:
                ((name, body),) = action.items()
                written = _action_key(name, body)
                writers["table"].setdefault(written[0], set()).add(number)
                item = body.get("Item") or {}
                for index in indexes:
                    if index.entry(item) is not None:
                        partition = str(next(iter(item[index.keys[0]].values())))
                        writers.setdefault(index.name, {}).setdefault(partition, set()).add(number)
    busiest: dict[str, tuple[str, int]] = {}
    for where, partitions in writers.items():
        partition, numbers = max(partitions.items(), key=lambda pair: len(pair[1]))
        busiest[where] = (partition, len(numbers))
    return Spread(orders, busiest)


def run_calls() -> tuple[list[Measured], Spread]:
    with moto_harness() as harness:
        measured = [measure(harness, scenario) for scenario in SCENARIOS]
        return measured, partition_spread(harness)


# Write units -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Index:
    """A global secondary index of the table, as the template declares it."""

    name: str
    keys: tuple[str, ...]  # the index's own key attributes
    table_keys: tuple[str, ...]  # the table's key attributes (every index entry holds them)
    projection: str
    included: tuple[str, ...] = ()

    def entry(self, item: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The index entry an item makes (None when it lacks a key attribute: sparse index)."""
        if item is None or not all(key in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return dict(item)
        kept = {*self.keys, *self.table_keys, *self.included}
        return {name: value for name, value in item.items() if name in kept}

    def writes(self, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[int]:
        """Sizes of the index entries a change writes: one per entry put or deleted, two if its key moves."""
        before, after = self.entry(old), self.entry(new)
        if before is None and after is None:
            return []
        if before is None or after is None:
            return [entry_size(after or before or {})]
        if all(before[key] == after[key] for key in self.keys):
            return [] if before == after else [max(entry_size(before), entry_size(after))]
        return [entry_size(before), entry_size(after)]


def entry_size(entry: Mapping[str, Any]) -> int:
    """An item or index entry as stored and billed: its attributes plus 100 bytes of overhead."""
    return item_size(entry) + ITEM_STORAGE_OVERHEAD_BYTES


def table_indexes(table_name: str) -> list[Index]:
    properties = load_template().tables()[table_name]
    table_keys = tuple(str(key["AttributeName"]) for key in properties["KeySchema"])
    return [
        Index(
            name=str(index["IndexName"]),
            keys=tuple(str(key["AttributeName"]) for key in index["KeySchema"]),
            table_keys=table_keys,
            projection=str(index["Projection"]["ProjectionType"]),
            included=tuple(index["Projection"].get("NonKeyAttributes", ())),
        )
        for index in properties.get("GlobalSecondaryIndexes", [])
    ]


@dataclass(frozen=True)
class ItemWrite:
    kind: str
    action: str
    size: int  # the larger of the item before and after
    units: int  # transactional: twice the standard units
    index_writes: tuple[tuple[str, int, int], ...]  # (index, entry bytes, standard write units)
    stored: int  # bytes the item occupies afterwards, index entries included (0: deleted)

    @property
    def index_units(self) -> int:
        return sum(units for _, _, units in self.index_writes)


def _key_of(item: Mapping[str, Any]) -> tuple[str, str]:
    return item["pk"]["S"], item["sk"]["S"]


def _kind(sort_key: str) -> str:
    known = {"ACCOUNT": "account", "ENTRY": "ledger entry", "EMAIL": "email claim", "PROGRAM": "program"}
    return known.get(sort_key, sort_key.lower())


def _action_key(name: str, body: Mapping[str, Any]) -> tuple[str, str]:
    return _key_of(body["Item"] if name == "Put" else body["Key"])


def transaction_writes(measured: Measured, indexes: Sequence[Index] | None = None) -> list[ItemWrite]:
    """The items each successful TransactWriteItems of the event wrote, with their write units."""
    indexes = table_indexes(measured.table_name) if indexes is None else indexes
    written: list[ItemWrite] = []
    for call in measured.calls:
        if call.operation != "TransactWriteItems" or call.error is not None:
            continue
        for action in call.params["TransactItems"]:
            ((name, body),) = action.items()
            key = _action_key(name, body)
            old, new = measured.before.get(key), measured.after.get(key)
            size = max(item_size(old) if old else 0, item_size(new) if new else 0)
            index_writes = tuple(
                (index.name, bytes_, write_units(bytes_))
                for index in indexes
                for bytes_ in index.writes(old, new)
            )
            stored = 0
            if new is not None:
                entries = [index.entry(new) for index in indexes]
                stored = entry_size(new) + sum(entry_size(entry) for entry in entries if entry is not None)
            written.append(
                ItemWrite(
                    kind=_kind(key[1]),
                    action=name,
                    size=size,
                    units=2 * write_units(size),
                    index_writes=index_writes,
                    stored=stored,
                )
            )
    return written


def read_cost(measured: Measured) -> float:
    """Read request units of the event's reads: per item, 1 RRU per 4 KB consistent (half eventually),
    a missing item billed as the smallest read; a TransactGetItems item twice."""
    total = 0.0
    for call in measured.calls:
        response = call.response or {}
        if call.operation == "GetItem":
            item = response.get("Item") or {}
            total += read_units(item_size(item), consistent=bool(call.params.get("ConsistentRead")))
        elif call.operation == "BatchGetItem":
            for table, request in call.params["RequestItems"].items():
                found = {_key_of(item): item for item in response.get("Responses", {}).get(table, [])}
                for key in request["Keys"]:
                    item = found.get(_key_of(key), {})
                    total += read_units(item_size(item), consistent=bool(request.get("ConsistentRead")))
        elif call.operation == "TransactGetItems":
            for answer in response.get("Responses", []):
                total += 2 * read_units(item_size(answer.get("Item") or {}), consistent=True)
    return total


def cancelled_writes(measured: Measured) -> int:
    return sum(1 for call in measured.calls if call.operation == "TransactWriteItems" and call.error)


# Handler time against a bare transaction --------------------------------------------------------


@dataclass
class Timing:
    handler_ms: list[float]
    handler_dynamodb_ms: list[float]
    bare_write_ms: list[float]
    bare_read_ms: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.handler_ms) / statistics.median(self.bare_write_ms)

    def round_ratios(self, per_round: int) -> list[float]:
        """The ratio of each round on its own: how much the machine's noise moves the figure."""
        return [
            statistics.median(self.handler_ms[start : start + per_round])
            / statistics.median(self.bare_write_ms[start : start + per_round])
            for start in range(0, len(self.handler_ms), per_round)
        ]


def time_orders(rounds: int, per_round: int) -> Timing:
    """Orders of a known customer through the handler, each followed by the same transaction replayed
    bare on a twin table. moto copies a table for every transaction (its rollback), so its time grows
    with the table: both tables are recreated every round and hold the same items throughout."""
    import boto3

    from loyalty.runtime import DYNAMODB_CLIENT_CONFIG

    timing = Timing([], [], [], [])
    with moto_harness() as harness:
        function = harness.api.functions["OrderCreatedFunction"]
        handler = load_handler(function)
        context = LambdaContext(function_name=function.name)
        properties = load_template().tables()[harness.table_name]
        bare = boto3.client("dynamodb", config=DYNAMODB_CLIENT_CONFIG)
        customer = "t"
        account_key = {"pk": {"S": f"STORE#{STORE}#CUSTOMER#{customer}"}, "sk": {"S": "ACCOUNT"}}
        number = 0
        for _ in range(rounds):
            for table in (harness.table_name, BARE_TABLE):
                with contextlib.suppress(harness.client.exceptions.ResourceNotFoundException):
                    harness.client.delete_table(TableName=table)
                harness.client.create_table(**create_table_request(harness.table_name, properties, table))
            number += 1
            if harness.post(ORDER_PATH, order_payload(f"t-{number}", customer)).status != 200:
                raise RuntimeError("setting up the timed customer failed")
            account = harness.client.get_item(
                TableName=harness.table_name, Key=account_key, ConsistentRead=True
            )
            bare.put_item(TableName=BARE_TABLE, Item=account["Item"])
            events = []
            for _ in range(per_round):
                number += 1
                body = json.dumps(order_payload(f"t-{number}", customer)).encode()
                events.append(_signed_event(harness.webhook_secret, ORDER_PATH, body))
            harness.recorder.take()
            for event in events:
                started = time.perf_counter()
                result = handler(event, context)
                elapsed = time.perf_counter() - started
                calls = harness.recorder.take()
                if result["statusCode"] != 200 or json.loads(result["body"])["status"] != "processed":
                    raise RuntimeError(f"timed order failed: {result}")
                timing.handler_ms.append(elapsed * 1000)
                timing.handler_dynamodb_ms.append(sum(call.ended - call.started for call in calls) * 1000)
                (write,) = [call for call in calls if call.operation == "TransactWriteItems"]
                actions = [
                    {name: {**body, "TableName": BARE_TABLE} for name, body in action.items()}
                    for action in write.params["TransactItems"]
                ]
                started = time.perf_counter()
                bare.transact_write_items(TransactItems=actions)
                timing.bare_write_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                bare.get_item(TableName=BARE_TABLE, Key=account_key, ConsistentRead=True)
                timing.bare_read_ms.append((time.perf_counter() - started) * 1000)
                harness.recorder.take()
    return timing


def _signed_event(secret: bytes, path: str, body: bytes) -> dict[str, Any]:
    from loyalty.signatures import SIGNATURE_HEADER, signature_header

    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(secret, int(time.time()), body),
    }
    return rest_event("POST", path, path, headers=headers, body=body)


# Fresh processes: cold start and memory ----------------------------------------------------------


def _distribution(requirement: str) -> str:
    found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    return _normalize(found.group(0)) if found else ""


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def layer_closure() -> set[str]:
    """Distributions a deployed function can import: shared/requirements.txt, the runtime's boto3,
    and what they require (extras left out)."""
    lines = (PROJECT_ROOT / "shared" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    pending = [_distribution(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]
    pending.append("boto3")
    closure: set[str] = set()
    while pending:
        name = pending.pop()
        if not name or name in closure:
            continue
        closure.add(name)
        try:
            requirements = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        pending.extend(_distribution(req) for req in requirements if "extra ==" not in req)
    return closure


def modules_outside_layer() -> list[str]:
    """Top-level modules of this venv that the deployed layer does not ship (cryptography, moto, …)."""
    closure = layer_closure()
    project = {"loyalty", "functions"}
    return sorted(
        module
        for module, distributions in metadata.packages_distributions().items()
        if module not in project and not any(_normalize(name) in closure for name in distributions)
    )


_BLOCKER = """
class _OutsideLayer:
    blocked = frozenset({blocked!r})

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.blocked:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not in the Lambda layer)", name=name)
        return None

import sys
sys.meta_path.insert(0, _OutsideLayer())
"""

_PEAK = """
def _peak_kb():
    # VmHWM: the peak RSS of this process's memory. (ru_maxrss would also count the parent's, which
    # Linux carries over when a forked child execs.)
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

_COLD_HANDLER = """
import time
started, cpu_started = time.perf_counter(), time.process_time()
import importlib
importlib.import_module({module!r})
from loyalty.runtime import runtime
services = runtime()
services.settings
services.repository
print(time.perf_counter() - started, time.process_time() - cpu_started, _peak_kb())
"""

_COLD_BOTO3 = """
import time
started, cpu_started = time.perf_counter(), time.process_time()
import boto3
boto3.client("dynamodb")
print(time.perf_counter() - started, time.process_time() - cpu_started, _peak_kb())
"""

BASELINE = "boto3 + DynamoDB client"


@dataclass
class ColdStart:
    label: str
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_ms)


def _child_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    webhook_secret, token_secret = new_secrets()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTHON", "AWS_ENDPOINT_URL", "AWS_PROFILE"))
    }
    environment.update(service_environment(webhook_secret, token_secret))
    environment.update(extra or {})
    return environment


def _run_child(code: str, environment: Mapping[str, str]) -> tuple[float, float, int]:
    """(wall ms, CPU ms, peak RSS KB) that a fresh process reports for `code`."""
    finished = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=dict(environment),
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"child process failed:\n{finished.stderr}")
    wall, cpu, rss = finished.stdout.split()[-3:]
    return float(wall) * 1000, float(cpu) * 1000, int(rss)


def handler_modules() -> dict[str, str]:
    """Function logical id → its handler module (functions.<name>.app), from the template."""
    return {name: module_name(function) for name, function in load_template().functions().items()}


def cold_starts(runs: int) -> dict[str, list[ColdStart]]:
    """Median over `runs` fresh processes each, as deployed ("layer": modules outside the Lambda
    layer blocked) and in this venv; interleaved, so that the machine's noise hits every figure alike."""
    blockers = {"layer": _BLOCKER.format(blocked=modules_outside_layer()), "venv": ""}
    environment = _child_environment()
    programs: dict[tuple[str, str], str] = {}
    for mode, blocker in blockers.items():
        programs[(mode, BASELINE)] = blocker + _PEAK + _COLD_BOTO3
        for function, module in handler_modules().items():
            programs[(mode, function)] = blocker + _PEAK + _COLD_HANDLER.format(module=module)
    for code in programs.values():  # compile the bytecode caches once, outside the measurement
        _run_child(code, environment)
    results = {key: ColdStart(key[1]) for key in programs}
    for _ in range(runs):
        for key, code in programs.items():
            wall, cpu, rss = _run_child(code, environment)
            results[key].wall_ms.append(wall)
            results[key].cpu_ms.append(cpu)
            results[key].rss_kb.append(rss)
    return {mode: [result for key, result in results.items() if key[0] == mode] for mode in blockers}


def import_profile(module: str, top: int = 6) -> list[tuple[str, float]]:
    """Self import time by top-level package (`python -X importtime`), as the deployed layer sees it."""
    code = _BLOCKER.format(blocked=modules_outside_layer()) + f"import {module}\n"
    finished = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=PROJECT_ROOT,
        env=_child_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    totals: Counter[str] = Counter()
    for line in finished.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if found:
            totals[found.group(2).split(".")[0]] += int(found.group(1))
    return [(package, microseconds / 1000) for package, microseconds in totals.most_common(top)]


_SERVE = """
import json, sys, types, importlib
modules = {{name: importlib.import_module(name) for name in {modules!r}}}
from loyalty.runtime import runtime
runtime().repository
loaded = _peak_kb()
with open(sys.argv[1], encoding="utf-8") as stream:
    events = json.load(stream)
statuses = {{}}
for number, (module, event) in enumerate(events):
    context = types.SimpleNamespace(
        function_name=module, function_version="$LATEST", memory_limit_in_mb=128,
        aws_request_id=f"req-{{number}}", log_group_name="/aws/lambda/bench", log_stream_name="bench",
        invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:bench",
        get_remaining_time_in_millis=lambda: 10_000,
    )
    answer = modules[module].lambda_handler(event, context)
    statuses[str(answer["statusCode"])] = statuses.get(str(answer["statusCode"]), 0) + 1
peak = _peak_kb()
with open(sys.argv[2], "w", encoding="utf-8") as stream:
    json.dump({{"loaded_kb": loaded, "peak_kb": peak, "statuses": statuses}}, stream)
"""


@dataclass
class Memory:
    loaded_kb: int
    peak_kb: int
    statuses: dict[str, int]
    events: int
    handlers: int


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """moto's server in a process of its own, so the measured process holds only the functions."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto server did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def serve_events(total: int) -> Memory:
    """Peak RSS of one fresh process that loads every handler and serves `total` events."""
    import boto3

    from loyalty.signatures import SIGNATURE_HEADER, signature_header
    from loyalty.tokens import mint_customer_token

    modules = handler_modules()
    with moto_server() as endpoint, tempfile.TemporaryDirectory() as scratch:
        environment = _child_environment({"AWS_ENDPOINT_URL_DYNAMODB": endpoint})
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",  # noqa: S106 — moto's dummy credentials
        )
        create_tables(client)
        webhook_secret = environment["LOYALTY_WEBHOOK_SECRET"].encode()
        token_secret = environment["LOYALTY_CUSTOMER_TOKEN_SECRET"].encode()
        now = int(time.time())

        def webhook(function: str, path: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            body = json.dumps(payload).encode()
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature_header(webhook_secret, now, body),
            }
            return modules[function], rest_event("POST", path, path, headers=headers, body=body)

        def lookup(customer_id: str) -> tuple[str, dict[str, Any]]:
            token = mint_customer_token(token_secret, STORE, customer_id, now, 3600)
            path = f"/stores/{STORE}/customers/{customer_id}/balance"
            resource_path = "/stores/{store_id}/customers/{customer_id}/balance"
            return modules["BalanceFunction"], rest_event(
                "GET",
                resource_path,
                path,
                headers={"Authorization": f"Bearer {token}"},
                path_parameters={"store_id": STORE, "customer_id": customer_id},
            )

        events: list[tuple[str, dict[str, Any]]] = []
        for number in range(total):
            customer = f"m-{number % 200}"
            step = number % 10
            if step < 6:  # orders: new customers first, then known ones
                events.append(
                    webhook("OrderCreatedFunction", ORDER_PATH, order_payload(f"m-{number}", customer))
                )
            elif step == 6:  # a redelivery of the order before
                events.append(
                    webhook(
                        "OrderCreatedFunction",
                        ORDER_PATH,
                        order_payload(f"m-{number - 1}", f"m-{(number - 1) % 200}"),
                    )
                )
            elif step < 9:
                events.append(lookup(f"m-{(number - step) % 200}"))
            else:
                events.append(
                    webhook(
                        "MemberRegisteredFunction",
                        REGISTER_PATH,
                        registration_payload(customer, f"{customer}@example.com"),
                    )
                )
        events_path = Path(scratch) / "events.json"
        result_path = Path(scratch) / "result.json"
        events_path.write_text(json.dumps(events), encoding="utf-8")
        code = (
            _BLOCKER.format(blocked=modules_outside_layer())
            + _PEAK
            + _SERVE.format(modules=sorted(set(modules.values())))
        )
        served = subprocess.run(
            [sys.executable, "-c", code, str(events_path), str(result_path)],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        if served.returncode != 0:
            raise RuntimeError(f"the serving process failed:\n{served.stderr}")
        result = json.loads(result_path.read_text(encoding="utf-8"))
    return Memory(
        result["loaded_kb"], result["peak_kb"], result["statuses"], total, len(set(modules.values()))
    )


# The report --------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    return (
        f"{cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; boto3 {metadata.version('boto3')}, "
        f"moto {metadata.version('moto')}, "
        f"aws-lambda-powertools {metadata.version('aws-lambda-powertools')}, "
        f"pydantic {metadata.version('pydantic')}"
    )


class Report:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.verdicts: list[tuple[str, str, str]] = []  # (target, figure, ok / FAIL / n/a)

    def line(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def title(self, text: str) -> None:
        self.line()
        self.line(text)
        self.line("-" * len(text))

    def verdict(self, target: str, figure: str, held: bool | None) -> str:
        word = "n/a" if held is None else ("ok" if held else "FAIL")
        self.verdicts.append((target, figure, word))
        return word


def _format_counts(counts: Counter[str]) -> str:
    return ", ".join(f"{number} {operation}" for operation, number in sorted(counts.items())) or "none"


def report_calls(report: Report, measured: list[Measured]) -> None:
    report.title("1. DynamoDB calls per event (botocore before-parameter-build hook, in-process moto)")
    report.line(f"{'event':36} {'HTTP':>4}  {'calls':36} {'reads':>5} {'writes':>6}  target")
    for result in measured:
        counts = result.counts
        name = result.scenario.name
        if not result.implemented:
            missing = result.note or "not implemented (501)"
            report.line(f"{name:36} {result.status or '-':>4}  {missing}")
            for target in result.scenario.targets:
                report.verdict(f"{name}: {target.text}", missing, None)
            continue
        verdicts = []
        for target in result.scenario.targets:
            held = target.check(counts)
            verdicts.append(
                f"{target.text}: {report.verdict(f'{name}: {target.text}', _format_counts(counts), held)}"
            )
        report.line(
            f"{name:36} {result.status:>4}  {_format_counts(counts):36} "
            f"{reads(counts):>5} {writes(counts):>6}  " + "; ".join(verdicts)
        )
        cancelled = cancelled_writes(result)
        if cancelled:
            report.line(f"{'':43}({cancelled} of them cancelled by a condition: nothing written)")
        if result.note:
            report.line(f"{'':43}({result.note})")


def report_write_units(report: Report, measured: list[Measured]) -> None:
    report.title("2. Request units per event (item sizes by DynamoDB's rules; transactional writes x2)")
    report.line(
        "Write: ceil(item bytes / 1 KB) x 2 per item of a TransactWriteItems; an index entry (ALL "
        "projection: item + 100 B) is a standard write, two when its key moves."
    )
    report.line(
        "Read: a consistent read is 1 RRU per 4 KB (min 1) per item; a cancelled transaction writes nothing."
    )
    for result in measured:
        if not result.implemented:
            continue
        writes_ = transaction_writes(result)
        parts = []
        for item in writes_:
            text = f"{item.kind} {item.size} B -> {item.units} WRU"
            for index, bytes_, units in item.index_writes:
                text += f" + {index} index {bytes_} B -> {units} WRU"
            parts.append(text)
        total_write = sum(item.units + item.index_units for item in writes_)
        cancelled = cancelled_writes(result)
        if cancelled:
            parts.append(f"{cancelled} cancelled transaction (nothing written)")
        report.line(f"  {result.scenario.name}: {total_write} WRU + {read_cost(result):g} RRU")
        for part in parts:
            report.line(f"      {part}")


def report_spread(report: Report, spread: Spread) -> None:
    report.line()
    report.line(
        f"  hot partitions: {spread.orders} orders of {spread.orders} customers of one store, their totals "
        "included; the partition (table pk or index partition key) that the most of them wrote:"
    )
    worst = 0.0
    for where, (partition, orders) in sorted(spread.busiest.items()):
        share = orders / spread.orders
        worst = max(worst, share)
        report.line(f"    {where:8} {orders:3} of {spread.orders} orders ({share:.0%})  {partition}")
    held = worst < 1
    word = report.verdict(
        "no item or index partition written by every order of a store", f"busiest {worst:.0%} of orders", held
    )
    report.line(f"  no item written by every order of a store: {word}")


def report_timing(report: Report, timing: Timing, rounds: int, per_round: int) -> None:
    report.title("3. Handler time per order event vs a bare TransactWriteItems of the same items (moto)")
    handler = statistics.median(timing.handler_ms)
    inside = statistics.median(timing.handler_dynamodb_ms)
    bare = statistics.median(timing.bare_write_ms)
    read = statistics.median(timing.bare_read_ms)
    report.line(f"  {rounds} rounds x {per_round} orders of a known customer; medians")
    report.line(f"  handler (API Gateway event in, response out):  {handler:7.2f} ms")
    report.line(f"    of which inside DynamoDB calls (read+write):  {inside:7.2f} ms")
    report.line(f"  bare TransactWriteItems, same two items:        {bare:7.2f} ms")
    report.line(f"  bare consistent GetItem of the account:         {read:7.2f} ms")
    report.line(f"  floor with the read (GetItem + transaction):    {bare + read:7.2f} ms")
    word = report.verdict(
        f"handler time <= {TARGET_HANDLER_RATIO}x bare transaction",
        f"{timing.ratio:.2f}x",
        timing.ratio <= TARGET_HANDLER_RATIO,
    )
    report.line(
        f"  ratio handler / bare transaction: {timing.ratio:.2f}x (target <= {TARGET_HANDLER_RATIO}x: {word})"
    )
    spread = timing.round_ratios(per_round)
    report.line(f"  the same ratio round by round: {min(spread):.2f}x to {max(spread):.2f}x")
    report.line(f"  ratio handler / (bare read + transaction): {handler / (bare + read):.2f}x")
    report.line(f"  the handler's own time (outside DynamoDB calls): {handler - inside:.2f} ms")


def report_cold_starts(report: Report, runs: int, starts: dict[str, list[ColdStart]]) -> None:
    report.title(
        f"4. Cold start: import + ready (settings, DynamoDB client), median of {runs} fresh processes"
    )
    blocked = modules_outside_layer()
    report.line(
        "  layer = what a deployed function can import (shared/requirements.txt + the runtime's boto3; "
        f"{len(blocked)} venv-only"
    )
    report.line(
        "  modules such as cryptography, moto and aws_xray_sdk blocked); venv = this virtualenv as is. "
        "Ratios against the baseline."
    )
    report.line(
        f"  {'process':30} {'layer wall':>10} {'ratio':>6} {'CPU':>6} {'ratio':>6} "
        f"{'venv wall':>10} {'ratio':>6} {'peak RSS':>9}"
    )
    layer, venv = starts["layer"], starts["venv"]
    base, venv_base = layer[0], venv[0]
    for mine, theirs in zip(layer, venv, strict=True):
        wall_ratio, cpu_ratio = mine.wall / base.wall, mine.cpu / base.cpu
        venv_ratio = theirs.wall / venv_base.wall
        report.line(
            f"  {mine.label:30} {mine.wall:8.0f}ms {wall_ratio:5.2f}x {mine.cpu:4.0f}ms {cpu_ratio:5.2f}x "
            f"{theirs.wall:8.0f}ms {venv_ratio:5.2f}x {statistics.median(mine.rss_kb) / 1024:6.1f} MB"
        )
        if mine is not base:
            report.verdict(
                f"cold start {mine.label} <= {TARGET_COLD_START_RATIO}x boto3-only",
                f"{wall_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (venv {venv_ratio:.2f}x)",
                wall_ratio <= TARGET_COLD_START_RATIO,
            )
    report.line(
        "  where the import time goes (self time by top-level package, layer, one -X importtime run, ms):"
    )
    for function, module in handler_modules().items():
        profile = import_profile(module)
        report.line(f"    {function}: " + ", ".join(f"{package} {ms:.0f}" for package, ms in profile))


def report_memory(report: Report, memory: Memory) -> None:
    report.title(f"5. Peak memory: one process, every handler loaded, {memory.events} events served")
    report.line(
        "  (moto runs as a server in another process, so the measured process holds the functions only)"
    )
    loaded = f"after loading the {memory.handlers} handlers and a DynamoDB client:"
    served = f"peak after serving {memory.events} events:"
    report.line(f"  {loaded:52} {memory.loaded_kb / 1024:6.1f} MB RSS")
    report.line(f"  {served:52} {memory.peak_kb / 1024:6.1f} MB RSS")
    report.line(
        f"  answers: {', '.join(f'{count} x {status}' for status, count in sorted(memory.statuses.items()))}"
    )
    held = memory.peak_kb / 1024 <= LAMBDA_MEMORY_MB
    word = report.verdict(
        f"peak memory fits a {LAMBDA_MEMORY_MB} MB Lambda", f"{memory.peak_kb / 1024:.1f} MB", held
    )
    report.line(f"  fits a {LAMBDA_MEMORY_MB} MB Lambda: {word}")


@dataclass(frozen=True)
class CostInputs:
    customers: int = 1_000_000
    member_share: float = 0.5
    orders_per_month: int = 1_000_000
    lookups_per_month: int = 5_000_000
    months_of_ledger: int = 12
    marker_days: int = 7  # the stream consumer's applied-change markers expire (TTL) after this


def report_cost(report: Report, measured: list[Measured], inputs: CostInputs) -> None:
    report.title("6. A million-customer store in DynamoDB per month (on-demand, us-east-1)")
    by_name = {result.scenario.name: result for result in measured}
    known = by_name["order, known customer"]
    written = transaction_writes(known)
    order_wru = sum(item.units + item.index_units for item in written)
    order_rru = read_cost(known)
    account = next(item.stored for item in written if item.kind == "account")
    entry = next(item.stored for item in written if item.kind == "ledger entry")
    member_writes = transaction_writes(by_name["order, new member (email claim)"])
    claim = next((item.stored for item in member_writes if item.kind == "email claim"), 0)
    lookup_rru = read_cost(by_name["balance lookup"])
    stream = by_name.get(STREAM_SCENARIO)
    totals_writes = transaction_writes(stream) if stream is not None and stream.implemented else []
    totals_wru = sum(item.units + item.index_units for item in totals_writes)
    marker = sum(item.stored for item in totals_writes if item.kind != "totals")
    entries = inputs.orders_per_month * inputs.months_of_ledger
    markers = inputs.orders_per_month * inputs.marker_days / 30
    storage_bytes = (
        inputs.customers * account
        + int(inputs.customers * inputs.member_share) * claim
        + entries * entry
        + markers * marker
    )
    gigabytes = storage_bytes / 1024**3
    writes_cost = inputs.orders_per_month * order_wru / 1e6 * PRICE_PER_MILLION_WRU
    totals_cost = inputs.orders_per_month * totals_wru / 1e6 * PRICE_PER_MILLION_WRU
    reads_cost = (inputs.orders_per_month * order_rru + inputs.lookups_per_month * lookup_rru) / 1e6
    reads_cost *= PRICE_PER_MILLION_RRU
    storage_cost = gigabytes * PRICE_STORAGE_GB_MONTH
    pitr_cost = gigabytes * PRICE_PITR_GB_MONTH
    total = writes_cost + totals_cost + reads_cost + storage_cost + pitr_cost
    report.line(
        f"  prices: ${PRICE_PER_MILLION_WRU}/M WRU, ${PRICE_PER_MILLION_RRU}/M RRU, "
        f"${PRICE_STORAGE_GB_MONTH}/GB-month storage, ${PRICE_PITR_GB_MONTH}/GB-month PITR "
        "(free tier ignored; stream reads by a Lambda trigger are free)"
    )
    report.line(
        f"  store: {inputs.customers:,} customers ({inputs.member_share:.0%} members), "
        f"{inputs.orders_per_month:,} orders/month (all of known customers), "
        f"{inputs.lookups_per_month:,} balance lookups/month, ledger kept {inputs.months_of_ledger} months"
    )
    report.line(
        f"  per order: {order_wru} WRU + {order_rru:g} RRU on the request path, {totals_wru} WRU on the "
        f"stream (totals); per lookup: {lookup_rru:g} RRU"
    )
    report.line(
        f"  stored bytes per item (index entries and 100 B per item and per entry included): account "
        f"{account}, ledger entry {entry}, email claim {claim}, stream marker {marker} "
        f"(kept {inputs.marker_days} days)"
    )
    report.line(f"  order writes    ${writes_cost:9.2f}")
    report.line(f"  totals writes   ${totals_cost:9.2f}")
    report.line(f"  reads           ${reads_cost:9.2f}")
    months = inputs.months_of_ledger
    report.line(f"  storage         ${storage_cost:9.2f}   ({gigabytes:.2f} GB after {months} months)")
    report.line(f"  PITR            ${pitr_cost:9.2f}")
    report.line(f"  total           ${total:9.2f} per month")


def report_verdicts(report: Report) -> None:
    report.title("Targets")
    for target, figure, word in report.verdicts:
        report.line(f"  {word:4}  {target}: {figure}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loyalty_dev.bench", description=__doc__)
    parser.add_argument("--cold-runs", type=int, default=7, help="fresh processes per cold-start figure")
    parser.add_argument("--events", type=int, default=1000, help="events served by the memory process")
    parser.add_argument("--rounds", type=int, default=10, help="timing rounds (fresh tables each)")
    parser.add_argument("--per-round", type=int, default=20, help="orders per timing round")
    parser.add_argument(
        "--only",
        choices=["calls", "timing", "cold", "memory", "rejections"],
        action="append",
        help="run only these parts",
    )
    arguments = parser.parse_args(argv)
    parts = set(arguments.only or ["calls", "timing", "cold", "memory", "rejections"])
    report = Report(sys.stdout)
    report.line(f"Loyalty service benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    report.line(f"machine: {machine()}")
    report.line("command: make bench  (.venv/bin/python -m loyalty_dev.bench)")
    # The functions log and publish metrics to stdout, as on Lambda: that work is timed, its text dropped.
    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        import warnings

        warnings.simplefilter("ignore")
        if "calls" in parts:
            measured, spread = run_calls()
            report_calls(report, measured)
            report_write_units(report, measured)
            report_spread(report, spread)
        if "timing" in parts:
            report_timing(
                report,
                time_orders(arguments.rounds, arguments.per_round),
                arguments.rounds,
                arguments.per_round,
            )
        if "cold" in parts:
            report_cold_starts(report, arguments.cold_runs, cold_starts(arguments.cold_runs))
        if "memory" in parts:
            report_memory(report, serve_events(arguments.events))
        if "calls" in parts:
            report_cost(report, measured, CostInputs())
        if "rejections" in parts:
            from loyalty_dev.bench_rejections import report_rejections, time_rejections

            report_rejections(report, time_rejections(arguments.rounds, arguments.per_round))
    report_verdicts(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
