"""Bounded retries, with jittered backoff, of a decision whose account changed under it."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from loyalty.errors import TransientFault
from loyalty.repository import AccountChanged

T = TypeVar("T")

MAX_ATTEMPTS = 6
BASE_DELAY_SECONDS = 0.01
MAX_DELAY_SECONDS = 0.25


def with_contention_retries(attempt: Callable[[], T], sleep: Callable[[float], None] = time.sleep) -> T:
    """Run `attempt` (read, decide, write) until it is not cancelled by a concurrent writer.

    Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter") spreads the retries of
    writers that collided. After MAX_ATTEMPTS the event is answered 503 and the platform redelivers.
    """
    for number in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except AccountChanged:
            if number + 1 == MAX_ATTEMPTS:
                break
            ceiling = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2**number)
            sleep(random.uniform(0, ceiling))  # noqa: S311 — jitter, not cryptography
    raise TransientFault("too many concurrent changes to this customer; retry later")
