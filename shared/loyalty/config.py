"""Configuration: one settings object read from the environment once per cold start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, SecretStr

from loyalty.domain.program import Program, normalize_tag
from loyalty.errors import ConfigurationError

MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key is at least as long as the hash output


class SecretSource(BaseModel):
    """A secret given directly (local runs, tests) or by the name of an SSM SecureString."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    value: SecretStr | None = None
    parameter_name: str | None = None


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    table_name: str
    program: Program  # the deployment defaults; a store's own program overrides them
    webhook_secret: SecretSource
    customer_token_secret: SecretSource
    shopify_secret: SecretSource
    wix_public_key: SecretSource  # public, but read as the secrets are: env locally, SSM in AWS
    # The queue a shop's erasure goes through (PrivacyFunction sends, ShopRedactionFunction works).
    shop_redaction_queue_url: str | None = None
    # Imports and exports (AdminFunction, ImportFunction): the private bucket and the work queue.
    transfer_bucket: str = ""
    import_queue_url: str = ""
    # The EventBridge bus outbound events go to (EventsFunction).
    event_bus_name: str = ""
    # Webhook endpoints: the delivery queue (EventsFunction sends, WebhookFunction delivers), and
    # whether endpoints may be http://127.0.0.1 or localhost (make dev and tests; never deployed).
    webhook_queue_url: str = ""
    allow_local_webhooks: bool = False


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    table_name = env.get("TABLE_NAME", "")
    if not table_name:
        raise ConfigurationError("TABLE_NAME is not set")
    webhook = _secret_source(env, "LOYALTY_WEBHOOK_SECRET")
    token = _secret_source(env, "LOYALTY_CUSTOMER_TOKEN_SECRET")
    if webhook.value is not None and token.value is not None and webhook.value == token.value:
        raise ConfigurationError(
            "LOYALTY_WEBHOOK_SECRET and LOYALTY_CUSTOMER_TOKEN_SECRET must be different secrets"
        )
    return Settings(
        table_name=table_name,
        program=Program(
            points_per_currency_unit=_rate(env.get("POINTS_PER_CURRENCY_UNIT", "1")),
            guests_earn_points=_flag(env, "GUESTS_EARN_POINTS", default=True),
            excluded_customer_tags=frozenset(
                normalize_tag(tag) for tag in env.get("EXCLUDED_CUSTOMER_TAGS", "").split(",") if tag.strip()
            ),
        ),
        webhook_secret=webhook,
        customer_token_secret=token,
        shopify_secret=_secret_source(env, "LOYALTY_SHOPIFY_SECRET"),
        wix_public_key=_secret_source(env, "LOYALTY_WIX_PUBLIC_KEY"),
        shop_redaction_queue_url=env.get("LOYALTY_SHOP_REDACTION_QUEUE_URL") or None,
        transfer_bucket=env.get("TRANSFER_BUCKET", ""),
        import_queue_url=env.get("IMPORT_QUEUE_URL", ""),
        event_bus_name=env.get("EVENT_BUS_NAME", ""),
        webhook_queue_url=env.get("WEBHOOK_QUEUE_URL", ""),
        allow_local_webhooks=_flag(env, "LOYALTY_ALLOW_LOCAL_WEBHOOKS", default=False),
    )


def _secret_source(env: Mapping[str, str], name: str) -> SecretSource:
    value = env.get(name) or None
    if value is not None and len(value.encode()) < MIN_SECRET_BYTES:
        raise ConfigurationError(f"{name} must be at least {MIN_SECRET_BYTES} bytes")
    return SecretSource(
        name=name,
        value=SecretStr(value) if value is not None else None,
        parameter_name=env.get(f"{name}_PARAMETER") or None,
    )


def _rate(raw: str) -> Decimal:
    try:
        rate = Decimal(raw.strip())
    except InvalidOperation:
        raise ConfigurationError(f"POINTS_PER_CURRENCY_UNIT is not a decimal: {raw!r}") from None
    if not rate.is_finite() or rate < 0:
        raise ConfigurationError("POINTS_PER_CURRENCY_UNIT must be a finite decimal >= 0")
    return rate


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"true", "false"}:
        return raw == "true"
    raise ConfigurationError(f"{name} must be 'true' or 'false', not {raw!r}")
