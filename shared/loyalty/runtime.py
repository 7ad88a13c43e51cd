"""What a warm Lambda container keeps between events: settings, the DynamoDB client, secrets.

Built on first use rather than at import, so a cold start pays only for what its event needs.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import random
import sys
from functools import cached_property, lru_cache

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from loyalty.config import Settings, settings_from_env
from loyalty.domain.operations.imports import Transfers
from loyalty.domain.operations.program import ProgramCache
from loyalty.domain.operations.storefront import StorefrontCache
from loyalty.domain.operations.webhooks import EndpointCache
from loyalty.errors import ConfigurationError, TransientFault
from loyalty.repository import Repository
from loyalty.repository.delivery_queue import DeliveryQueue
from loyalty.repository.event_bus import EventBus
from loyalty.repository.files import Files
from loyalty.repository.webhook_sender import WebhookSender
from loyalty.repository.work_queue import WorkQueue
from loyalty.secrets import resolve_distinct_secret, resolve_secret
from loyalty.snapstart import register_after_restore, register_before_snapshot

# Throttling and 5xx are retried by botocore's standard mode (exponential backoff with jitter);
# the timeouts keep a stalled connection from eating the function's whole time budget.
# No client-side parameter validation: every request is built by the repository from values the
# wire models (pydantic) and the domain rules already validated, and DynamoDB validates again; the
# SDK's walk over each request's shapes was about a third of the handler's own CPU per order
# (docs/benchmarks.md, "Own CPU per event").
DYNAMODB_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=2,
    read_timeout=5,
    tcp_keepalive=True,
    parameter_validation=False,
)

SQS_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=2, read_timeout=5)


class MessageQueue:
    """An SQS queue the service sends its own work to (a shop's erasure, step by step)."""

    def __init__(self, client: object, url: str) -> None:
        self._client = client
        self.url = url

    def send(self, body: str, delay_seconds: int = 0) -> None:
        try:
            self._client.send_message(  # type: ignore[attr-defined]
                QueueUrl=self.url, MessageBody=body, DelaySeconds=delay_seconds
            )
        except (BotoCoreError, ClientError) as error:
            raise TransientFault(f"the queue did not take the message: {type(error).__name__}") from None


# S3 (pre-signed links are signed with SigV4, as the bucket's region requires) and SQS.
TRANSFER_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=2,
    read_timeout=30,
    signature_version="s3v4",
)


class Runtime:
    @cached_property
    def settings(self) -> Settings:
        return settings_from_env()

    @cached_property
    def repository(self) -> Repository:
        client = boto3.client("dynamodb", config=DYNAMODB_CLIENT_CONFIG)
        return Repository(self.settings.table_name, client)

    @cached_property
    def shop_redaction_queue(self) -> MessageQueue:
        url = self.settings.shop_redaction_queue_url
        if not url:
            raise ConfigurationError("LOYALTY_SHOP_REDACTION_QUEUE_URL is not set")
        return MessageQueue(boto3.client("sqs", config=SQS_CLIENT_CONFIG), url)

    @cached_property
    def transfers(self) -> Transfers:
        """Imports and exports: the table, the private bucket and the work queue (S3 and SQS with
        the same standard retries as DynamoDB)."""
        settings = self.settings
        if not settings.transfer_bucket or not settings.import_queue_url:
            raise ConfigurationError(
                "TRANSFER_BUCKET and IMPORT_QUEUE_URL must be set for imports and exports"
            )
        s3 = boto3.client("s3", config=TRANSFER_CLIENT_CONFIG)
        sqs = boto3.client("sqs", config=TRANSFER_CLIENT_CONFIG)
        return Transfers(
            self.repository, Files(settings.transfer_bucket, s3), WorkQueue(settings.import_queue_url, sqs)
        )

    @cached_property
    def event_bus(self) -> EventBus:
        """Outbound events' bus (EventBridge, with the same standard retries as DynamoDB)."""
        if not self.settings.event_bus_name:
            raise ConfigurationError("EVENT_BUS_NAME is not set")
        return EventBus(self.settings.event_bus_name, boto3.client("events", config=SQS_CLIENT_CONFIG))

    @cached_property
    def delivery_queue(self) -> DeliveryQueue:
        if not self.settings.webhook_queue_url:
            raise ConfigurationError("WEBHOOK_QUEUE_URL is not set")
        return DeliveryQueue(self.settings.webhook_queue_url, boto3.client("sqs", config=SQS_CLIENT_CONFIG))

    @cached_property
    def webhook_sender(self) -> WebhookSender:
        return WebhookSender(allow_local=self.settings.allow_local_webhooks)

    @cached_property
    def endpoints(self) -> EndpointCache:
        return EndpointCache()

    @cached_property
    def programs(self) -> ProgramCache:
        return ProgramCache(self.settings.program)

    @cached_property
    def storefronts(self) -> StorefrontCache:
        return StorefrontCache(self.settings.program)

    # The webhook secret is checked against the token key after both are read (from the
    # environment or SSM), by the webhook functions: they may already write every account, so
    # reading the token key grants them nothing new. The read-only balance function does not read
    # the webhook secret, which would let it forge webhooks; its key is checked for length only.
    def webhook_secret(self) -> bytes:
        return resolve_distinct_secret(self.settings.webhook_secret, self.settings.customer_token_secret)

    def customer_token_secret(self) -> bytes:
        return resolve_secret(self.settings.customer_token_secret)

    def shopify_secret(self) -> bytes:
        return resolve_secret(self.settings.shopify_secret)

    def wix_public_key(self) -> bytes:
        """The Wix app's public key, PEM (LOYALTY_WIX_PUBLIC_KEY, or its SSM parameter)."""
        return resolve_secret(self.settings.wix_public_key)


@lru_cache(maxsize=1)
def runtime() -> Runtime:
    return Runtime()


def reset_runtime() -> None:
    """Forget settings and clients (tests change the environment between cases)."""
    runtime.cache_clear()


# SnapStart (docs/decisions/snapstart.md). Before the snapshot: make one DynamoDB client, so that
# the session's loaded service model, endpoint rules and client class are in the snapshot (the
# first client of a process costs about 70-120 ms of CPU here, a later one about 6 ms); the client
# itself is thrown away. After a restore, every environment restored from that one snapshot must
# not share what the snapshot froze: the random generator's state (the retries' jitter), the
# container's services (settings, the DynamoDB client with its connection pool and credentials,
# the program cache and its clock), and the secrets Powertools cached with their expiry times and
# the SSM client that read them.


@register_before_snapshot
def load_the_sdk_before_snapshot() -> None:
    with contextlib.suppress(BotoCoreError):  # no region here: the first event will say so
        boto3.client("dynamodb", config=DYNAMODB_CLIENT_CONFIG)
    if any(name.endswith("_SECRET_PARAMETER") for name in os.environ):
        # Secrets come from SSM as deployed: load Powertools' Parameters into the snapshot too
        # (it is imported on first use, so that functions given their secrets directly never pay).
        importlib.import_module("aws_lambda_powertools.utilities.parameters")


@register_after_restore
def refresh_after_restore() -> None:
    random.seed()  # from os.urandom: each restored environment draws its own jitter
    reset_runtime()
    forget_cached_parameters()


def forget_cached_parameters() -> None:
    """Drop Powertools' parameter providers: their cached values, expiry clocks and clients."""
    base = sys.modules.get("aws_lambda_powertools.utilities.parameters.base")
    if base is not None:  # never imported when every secret came from the environment
        base.DEFAULT_PROVIDERS.clear()
