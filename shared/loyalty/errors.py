"""The service's errors: one family, mapped to HTTP answers in exactly one place (loyalty.http.resolver)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class LoyaltyError(Exception):
    """Base of every error the service answers on purpose."""

    code = "internal_error"

    def __init__(self, message: str, *, details: Sequence[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details) if details is not None else None


class InvalidRequest(LoyaltyError):
    """The body is not a JSON object."""

    code = "invalid_request"


class SchemaViolation(LoyaltyError):
    """Well-formed JSON that breaks the schema, or a path parameter outside its pattern."""

    code = "invalid_request"


class Unauthorized(LoyaltyError):
    """A missing, wrong or stale signature or token."""

    code = "unauthorized"


class NotFound(LoyaltyError):
    code = "not_found"


class Conflict(LoyaltyError):
    """The event conflicts with the current state; retrying it will not help.

    `reason` is a short code for logs and metrics; the message (for the caller) may name an email."""

    code = "conflict"

    def __init__(
        self, message: str, *, reason: str = "conflict", details: Sequence[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message, details=details)
        self.reason = reason


class TransientFault(LoyaltyError):
    """Throttling, an unreachable store, or contention that retries could not clear: redeliver."""

    code = "service_unavailable"


class InvalidCursor(LoyaltyError):
    """A page cursor the service did not make, or made for another list."""

    code = "invalid_request"


class ConfigurationError(LoyaltyError):
    """The deployment is misconfigured (a missing or weak secret): an operator must act."""

    code = "configuration_error"
