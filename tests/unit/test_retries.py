"""Contention retries: bounded, jittered, then a transient fault (503)."""

from __future__ import annotations

import pytest

from loyalty.domain.operations.retries import MAX_ATTEMPTS, MAX_DELAY_SECONDS, with_contention_retries
from loyalty.errors import TransientFault
from loyalty.repository import AccountChanged


def test_a_cancelled_attempt_is_retried_until_it_passes() -> None:
    calls, sleeps = [], []

    def attempt() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise AccountChanged
        return "done"

    assert with_contention_retries(attempt, sleep=sleeps.append) == "done"
    assert len(calls) == 3
    assert len(sleeps) == 2
    assert all(0 <= delay <= MAX_DELAY_SECONDS for delay in sleeps)


def test_after_the_last_attempt_it_is_a_transient_fault() -> None:
    calls = []

    def attempt() -> None:
        calls.append(1)
        raise AccountChanged

    with pytest.raises(TransientFault):
        with_contention_retries(attempt, sleep=lambda _: None)
    assert len(calls) == MAX_ATTEMPTS
