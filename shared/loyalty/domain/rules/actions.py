"""Custom actions (pure): what a reported action earns, once per (action, customer, reference),
within its limits per customer (ever) and per customer and UTC day of the action.

The limits are counted on items of their own (repository/actions.py): each earning adds one to
the customer's count and to its day's, conditioned on the count being below the limit, in the
same transaction as the entry, so racing reports can never pass a limit
(docs/decisions/actions-and-birthdays.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from loyalty.domain.commands import ActionCompleted
from loyalty.domain.entities import Account, ActionCount, Changes, LedgerEntry
from loyalty.domain.program import Program, WayToEarn
from loyalty.domain.rules.bonuses import paid, refusal


class ActionStatus(StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    LIMITED = "limited"


@dataclass(frozen=True, slots=True)
class ActionCounts:
    """How often the customer earned the action, ever and on the action's day, as read."""

    ever: int = 0
    day: int = 0


def action_entry_id(action_id: str, customer_id: str, reference: str) -> str:
    """The business key: an action id and a reference hold no colon, so the id reads back one way
    whatever colons the customer id holds (entry ids are unique in the store: the customer is in it)."""
    return f"action:{action_id}:{customer_id}:{reference}"


def action_day(event: ActionCompleted) -> str:
    """The UTC day a per-day limit counts the action in: the day it occurred."""
    return event.occurred_at.astimezone(UTC).date().isoformat()


def limited(way: WayToEarn, counts: ActionCounts) -> bool:
    return (way.per_customer is not None and counts.ever >= way.per_customer) or (
        way.per_day is not None and counts.day >= way.per_day
    )


@dataclass(frozen=True, slots=True)
class ActionDecision:
    status: ActionStatus
    changes: Changes | None
    account: Account
    entry: LedgerEntry | None


def decide_action(
    event: ActionCompleted,
    way: WayToEarn,
    account: Account,
    counts: ActionCounts,
    program: Program,
    now: datetime,
) -> ActionDecision:
    """What a reported action does to the account it credits (`account`: a merged id already
    followed to its member). Past a limit: `limited`, nothing written. Refused by the order rules
    (paused, excluded, a guest where guests do not earn): its entry is written with 0 points and
    the reason, as an order's would be, and it counts against no limit."""
    entry_id = action_entry_id(way.id, account.customer_id, event.reference)
    reason = refusal(account, program)
    if reason is None and limited(way, counts):
        return ActionDecision(ActionStatus.LIMITED, None, account, None)
    points = 0 if reason else way.points
    after, entry = paid(account, way.id, entry_id, points, now, event.event_id, reason)
    counted: tuple[ActionCount, ...] = ()
    if points > 0:
        day = action_day(event)
        counted = (
            ActionCount(account, way.id, None, way.per_customer),
            ActionCount(account, way.id, day, way.per_day),
        )
    changes = Changes(accounts=((account, after),), entries=(entry,), action_counts=counted)
    return ActionDecision(ActionStatus.PROCESSED, changes, after, entry)
