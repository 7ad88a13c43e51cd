"""Secrets are checked after they are read, whichever source gave them: at least 32 bytes, and
the webhook secret never equal to the customer token key."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

from loyalty.config import SecretSource
from loyalty.errors import ConfigurationError
from loyalty.runtime import Runtime
from loyalty.secrets import resolve_distinct_secret, resolve_secret

WEBHOOK = "w" * 32
TOKEN = "t" * 32


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    parameters.clear_caches()
    with mock_aws():
        yield boto3.client("ssm", region_name="us-east-1")
    parameters.clear_caches()


def from_ssm(client: object, name: str, value: str) -> SecretSource:
    parameter = f"/loyalty/{name.lower()}"
    client.put_parameter(Name=parameter, Value=value, Type="SecureString")  # type: ignore[attr-defined]
    return SecretSource(name=name, parameter_name=parameter)


def from_env(name: str, value: str) -> SecretSource:
    return SecretSource(name=name, value=value)  # type: ignore[arg-type]


def test_a_secret_from_ssm_is_decrypted_and_returned(ssm: object) -> None:
    assert resolve_secret(from_ssm(ssm, "WEBHOOK", WEBHOOK)) == WEBHOOK.encode()


def test_a_short_secret_from_ssm_is_refused(ssm: object) -> None:
    with pytest.raises(ConfigurationError, match="shorter than 32 bytes"):
        resolve_secret(from_ssm(ssm, "WEBHOOK", "x" * 31))


def test_a_short_secret_given_directly_is_refused_too() -> None:
    with pytest.raises(ConfigurationError, match="shorter than 32 bytes"):
        resolve_secret(from_env("WEBHOOK", "x" * 31))


@pytest.mark.parametrize("sources", ["ssm+ssm", "ssm+env", "env+ssm"])
def test_equal_webhook_secret_and_token_key_are_refused_whichever_source(ssm: object, sources: str) -> None:
    same = "s" * 40
    webhook_from, token_from = sources.split("+")
    webhook = from_ssm(ssm, "WEBHOOK", same) if webhook_from == "ssm" else from_env("WEBHOOK", same)
    token = from_ssm(ssm, "TOKEN", same) if token_from == "ssm" else from_env("TOKEN", same)

    with pytest.raises(ConfigurationError, match="must be different secrets"):
        resolve_distinct_secret(webhook, token)
    with pytest.raises(ConfigurationError, match="must be different secrets"):
        resolve_distinct_secret(token, webhook)


def test_distinct_secrets_from_ssm_are_both_usable(ssm: object) -> None:
    webhook, token = from_ssm(ssm, "WEBHOOK", WEBHOOK), from_ssm(ssm, "TOKEN", TOKEN)

    assert resolve_distinct_secret(webhook, token) == WEBHOOK.encode()
    assert resolve_distinct_secret(token, webhook) == TOKEN.encode()


def test_an_other_secret_configured_nowhere_cannot_collide() -> None:
    assert (
        resolve_distinct_secret(from_env("WEBHOOK", WEBHOOK), SecretSource(name="TOKEN")) == WEBHOOK.encode()
    )


def test_the_runtime_refuses_equal_secrets_read_from_ssm(
    ssm: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    same = "s" * 40
    for variable, parameter in (
        ("LOYALTY_WEBHOOK_SECRET", "/loyalty/webhook-secret"),
        ("LOYALTY_CUSTOMER_TOKEN_SECRET", "/loyalty/customer-token-secret"),
    ):
        ssm.put_parameter(Name=parameter, Value=same, Type="SecureString")  # type: ignore[attr-defined]
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.setenv(f"{variable}_PARAMETER", parameter)
    monkeypatch.setenv("TABLE_NAME", "LoyaltyTable")

    with pytest.raises(ConfigurationError, match="must be different secrets"):
        Runtime().webhook_secret()
    # The read-only balance function checks its own key only: it never reads the webhook secret.
    assert Runtime().customer_token_secret() == same.encode()
