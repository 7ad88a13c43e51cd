"""The service in this process on moto: the template's functions behind an in-process API Gateway,
called through the harness's client, with a recorder of their DynamoDB calls."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from loyalty_dev.local.environment import patched_environ
from loyalty_dev.local.service_environment import REAL_AWS_VARIABLES, REGION, dummy_aws, service_environment
from loyalty_dev.template import create_tables
from tests.benchmarks.recorder import CallRecorder
from tests.harness.client import ORDER_PATH, ServiceClient
from tests.harness.events import invitation_event, order_event, registration_event

STORE = "bench-store"

# The contract's events, in the benchmark's store; an order's customer has no email unless given.
order = partial(order_event, email=None, store_id=STORE)
registration = partial(registration_event, store_id=STORE)
invitation = partial(invitation_event, store_id=STORE)


def new_secrets() -> dict[str, str]:
    """Two distinct secrets of at least 32 bytes (the webhook secret, the customer token key)."""
    return {
        "LOYALTY_WEBHOOK_SECRET": secrets.token_hex(24),
        "LOYALTY_CUSTOMER_TOKEN_SECRET": secrets.token_hex(24),
    }


@dataclass
class Harness(ServiceClient):
    """The harness's client, with the calls it causes recorded."""

    recorder: CallRecorder = field(default_factory=CallRecorder)
    stash: dict[str, Any] = field(default_factory=dict)  # what a scenario's setup hands its request


@contextlib.contextmanager
def moto_harness() -> Iterator[Harness]:
    """A fresh moto DynamoDB with the template's tables, the functions' environment and a call recorder.
    (The handlers are imported as functions.<name>.app: run from the project root, as `make bench` does.)"""
    import boto3
    from moto import mock_aws

    from loyalty.runtime import reset_runtime

    chosen = new_secrets()
    environment = service_environment(chosen, extra=dummy_aws("bench"))
    previous_session = boto3.DEFAULT_SESSION
    with patched_environ(environment, unset=REAL_AWS_VARIABLES), mock_aws():
        reset_runtime()
        boto3.setup_default_session()
        recorder = CallRecorder()
        recorder.attach(boto3.DEFAULT_SESSION.events)
        client = boto3.client("dynamodb", region_name=REGION)
        create_tables(client)
        harness = Harness(
            client=client,
            table_name=environment["TABLE_NAME"],
            webhook_secret=chosen["LOYALTY_WEBHOOK_SECRET"].encode(),
            token_secret=chosen["LOYALTY_CUSTOMER_TOKEN_SECRET"].encode(),
            recorder=recorder,
        )
        # A warm container: one order of the store served before anything is counted.
        if harness.post(ORDER_PATH, order("warm-up", "warm-up")).status != 200:
            raise RuntimeError("the warm-up order failed")
        recorder.take()
        try:
            yield harness
        finally:
            reset_runtime()
            boto3.DEFAULT_SESSION = previous_session
