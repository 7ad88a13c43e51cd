"""Signing secrets: from the environment when set, else from SSM Parameter Store (cached)."""

from __future__ import annotations

from loyalty.config import MIN_SECRET_BYTES, SecretSource
from loyalty.errors import ConfigurationError

SECRET_CACHE_SECONDS = 300  # a rotated secret reaches every warm container within five minutes


def resolve_secret(source: SecretSource) -> bytes:
    if source.value is not None:
        return source.value.get_secret_value().encode()
    if not source.parameter_name:
        raise ConfigurationError(f"neither {source.name} nor {source.name}_PARAMETER is set")
    # Imported here: only deployed functions without the variable pay for the SSM client.
    from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415

    value = parameters.get_parameter(source.parameter_name, decrypt=True, max_age=SECRET_CACHE_SECONDS)
    secret = str(value).encode()
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigurationError(f"the secret in {source.parameter_name} is shorter than 32 bytes")
    return secret
