"""Signing secrets: from the environment when set, else from SSM Parameter Store (cached).

Whatever the source, a secret is checked after it is read: at least 32 bytes, and the webhook
secret never equal to the customer token key (whoever can sign webhooks could mint tokens).
"""

from __future__ import annotations

import hmac

from loyalty.config import MIN_SECRET_BYTES, SecretSource
from loyalty.errors import ConfigurationError

SECRET_CACHE_SECONDS = 300  # a rotated secret reaches every warm container within five minutes


def resolve_secret(source: SecretSource) -> bytes:
    if source.value is not None:
        secret = source.value.get_secret_value().encode()
        origin = source.name
    elif source.parameter_name:
        # Imported here: only deployed functions without the variable pay for the SSM client.
        from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415

        value = parameters.get_parameter(source.parameter_name, decrypt=True, max_age=SECRET_CACHE_SECONDS)
        secret = str(value).encode()
        origin = f"the secret in {source.parameter_name}"
    else:
        raise ConfigurationError(f"neither {source.name} nor {source.name}_PARAMETER is set")
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigurationError(f"{origin} is shorter than {MIN_SECRET_BYTES} bytes")
    return secret


def is_configured(source: SecretSource) -> bool:
    return source.value is not None or bool(source.parameter_name)


def resolve_distinct_secret(wanted: SecretSource, other: SecretSource) -> bytes:
    """`wanted`, once checked different from `other` (both read, from whichever source each has).
    An `other` configured nowhere cannot collide, so it is not required."""
    secret = resolve_secret(wanted)
    if is_configured(other) and hmac.compare_digest(secret, resolve_secret(other)):
        raise ConfigurationError(f"{wanted.name} and {other.name} must be different secrets")
    return secret
