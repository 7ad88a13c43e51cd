"""The back office's writes on one customer: give or take points, edit the balance, redeem,
exclude and include again. Each reads the account, decides with a rule of domain/rules/points.py
and commits at most once per Idempotency-Key (once.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Generic, TypeVar

from loyalty.domain.entities import Planned, Resolved, utc_now
from loyalty.domain.operations.customers import require, resolve
from loyalty.domain.operations.once import Answer, Once, Render, commit_once
from loyalty.domain.program import Program
from loyalty.domain.rules import points as rules
from loyalty.domain.rules import tiers
from loyalty.domain.rules.points import PointsTransaction
from loyalty.repository import Repository

Result = TypeVar("Result")


def transaction_id(kind: str, once: Once | None) -> str:
    """An entry's business key: the Idempotency-Key when given, so a repeat cannot write twice."""
    return f"{kind}:{once.key if once else uuid.uuid4().hex}"


@dataclass(frozen=True, slots=True)
class CustomerWrite(Generic[Result]):
    """One back-office write on one customer: at most once per key, answered as `render` says."""

    repository: Repository
    store_id: str
    customer_id: str
    once: Once | None
    render: Render[Result]
    clock: Callable[[], datetime] = utc_now

    def commit(self, decide: Callable[[datetime], Planned[Result]]) -> Answer:
        """Read and decide at `now` (again after a conflict), then commit with the key's record."""
        return commit_once(
            self.repository, self.store_id, self.once, lambda: decide(self.clock()), self.render, self.clock
        )

    def found(self) -> Resolved | None:
        return resolve(self.repository, self.store_id, self.customer_id)

    def required(self) -> Resolved:
        return require(self.repository, self.store_id, self.customer_id)

    def entry_id(self, kind: str) -> str:
        return transaction_id(kind, self.once)


def with_tiers(
    planned: Planned[PointsTransaction], program: Program, now: datetime
) -> Planned[PointsTransaction]:
    """An adjustment's decision with its qualifying points counted and the tier judged (an
    adjustment's time is when it is made)."""
    if planned.changes is None:
        return planned
    changes = tiers.with_tiers(planned.changes, program, now, now)
    account = Resolved(changes.accounts[0][1], planned.result.account.merged_from)
    return Planned(changes, replace(planned.result, account=account))


def give_or_take_points(
    write: CustomerWrite[PointsTransaction], amount: int, reason: str, program: Program
) -> Answer:
    return write.commit(
        lambda now: with_tiers(
            rules.decide_points(
                write.found(),
                write.store_id,
                write.customer_id,
                amount,
                reason,
                write.entry_id("adjust"),
                now,
            ),
            program,
            now,
        )
    )


def edit_balance(
    write: CustomerWrite[PointsTransaction], balance: int, revision: int, reason: str, program: Program
) -> Answer:
    return write.commit(
        lambda now: with_tiers(
            rules.decide_balance(write.required(), balance, revision, reason, write.entry_id("adjust"), now),
            program,
            now,
        )
    )


def redeem(write: CustomerWrite[PointsTransaction], points: int, reward: str) -> Answer:
    return write.commit(
        lambda now: rules.decide_redemption(write.required(), points, reward, write.entry_id("redeem"), now)
    )


def set_exclusion(write: CustomerWrite[Resolved], excluded: bool, program: Program) -> Answer:
    """Exclude the customer from the program (`excluded`), or include it again as it was (a
    member never paid its sign-up bonus gets it then)."""
    if excluded:
        return write.commit(lambda now: rules.decide_exclusion(write.required(), now))
    event_id = write.entry_id("include")
    return write.commit(lambda now: rules.decide_inclusion(write.required(), now, program, event_id))
