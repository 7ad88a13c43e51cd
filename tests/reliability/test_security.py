"""Security on the real engine: forged, missing, stale and future signatures; tokens for another
customer or store, expired, `alg: none`, another key, the webhook secret as a key — all 401, and
nothing written. The cases are the handler suites' own, run here against DynamoDB Local."""

from __future__ import annotations

import pytest

from tests.handlers.test_balance import test_a_bad_token_is_401, test_the_scheme_must_be_bearer
from tests.handlers.test_webhook_rejections import (
    test_a_missing_wrong_or_stale_signature_is_401,
    test_the_signature_is_judged_before_the_body,
)

pytestmark = pytest.mark.dynamodb_local

__all__ = [
    "test_a_bad_token_is_401",
    "test_a_missing_wrong_or_stale_signature_is_401",
    "test_the_scheme_must_be_bearer",
    "test_the_signature_is_judged_before_the_body",
]
