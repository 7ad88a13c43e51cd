"""DynamoDB's transient failures, named: every read and write of the repository goes through here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from loyalty.errors import TransientFault

# Errors after which the platform's redelivery will succeed: answered 503, never 4xx.
_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
        "LimitExceededException",
    }
)


@contextmanager
def infrastructure_faults() -> Iterator[None]:
    """Turn DynamoDB's transient failures into TransientFault (answered 503, redelivered)."""
    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in _TRANSIENT_CODES:
            raise TransientFault(f"DynamoDB answered {code}") from error
        raise
    except BotoCoreError as error:
        raise TransientFault(f"DynamoDB unreachable: {type(error).__name__}") from error
