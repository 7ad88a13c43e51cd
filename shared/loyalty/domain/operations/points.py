"""The back office's writes on one customer: give or take points, edit the balance, redeem,
exclude and include again. Each reads the account, decides with a rule of domain/rules/points.py
and commits at most once per Idempotency-Key (once.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from loyalty.domain.entities import Resolved, utc_now
from loyalty.domain.operations.customers import require, resolve
from loyalty.domain.operations.once import Answer, Once, Render, commit_once
from loyalty.domain.rules import points as rules
from loyalty.domain.rules.points import PointsTransaction
from loyalty.repository import Repository

Clock = Callable[[], datetime]


def transaction_id(kind: str, once: Once | None) -> str:
    """An entry's business key: the Idempotency-Key when given, so a repeat cannot write twice."""
    return f"{kind}:{once.key if once else uuid.uuid4().hex}"


def give_or_take_points(
    repository: Repository,
    store_id: str,
    customer_id: str,
    amount: int,
    reason: str,
    once: Once | None,
    render: Render[PointsTransaction],
    clock: Clock = utc_now,
) -> Answer:
    return commit_once(
        repository,
        store_id,
        once,
        lambda: rules.decide_points(
            resolve(repository, store_id, customer_id),
            store_id,
            customer_id,
            amount,
            reason,
            transaction_id("adjust", once),
            clock(),
        ),
        render,
        clock,
    )


def edit_balance(
    repository: Repository,
    store_id: str,
    customer_id: str,
    balance: int,
    revision: int,
    reason: str,
    once: Once | None,
    render: Render[PointsTransaction],
    clock: Clock = utc_now,
) -> Answer:
    return commit_once(
        repository,
        store_id,
        once,
        lambda: rules.decide_balance(
            require(repository, store_id, customer_id),
            balance,
            revision,
            reason,
            transaction_id("adjust", once),
            clock(),
        ),
        render,
        clock,
    )


def redeem(
    repository: Repository,
    store_id: str,
    customer_id: str,
    points: int,
    reward: str,
    once: Once | None,
    render: Render[PointsTransaction],
    clock: Clock = utc_now,
) -> Answer:
    return commit_once(
        repository,
        store_id,
        once,
        lambda: rules.decide_redemption(
            require(repository, store_id, customer_id),
            points,
            reward,
            transaction_id("redeem", once),
            clock(),
        ),
        render,
        clock,
    )


def set_exclusion(
    repository: Repository,
    store_id: str,
    customer_id: str,
    excluded: bool,
    once: Once | None,
    render: Render[Resolved],
    clock: Clock = utc_now,
) -> Answer:
    """Exclude the customer from the program (`excluded`), or include it again as it was."""
    decide = rules.decide_exclusion if excluded else rules.decide_inclusion
    return commit_once(
        repository,
        store_id,
        once,
        lambda: decide(require(repository, store_id, customer_id), clock()),
        render,
        clock,
    )
