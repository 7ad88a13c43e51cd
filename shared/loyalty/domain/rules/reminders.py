"""Expiry reminders (pure): which reminder an account is due, as of the daily run's "now".

A program's `expiry_reminder_days` (e.g. (30, 7)) asks to be told when a balance will expire within
that many days. An account is reminded once per `last_activity_at` and reminder day: new activity
moves its expiry and starts afresh. When several reminder days apply at once (the setting was just
turned on, or a run was missed), only the nearest is sent: one message, the most urgent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from loyalty.domain.entities import Account, format_timestamp
from loyalty.domain.rules.expiry import due_bound, expires_at

MAX_REMINDERS = 3
REMINDER_DAYS_RANGE = (1, 365)


@dataclass(frozen=True, slots=True)
class Reminder:
    """A balance that expires within `days` days (the reminder setting it answers)."""

    store_id: str
    customer_id: str
    last_activity_at: datetime
    days: int
    points: int  # the balance that will expire
    points_expire_at: datetime
    created_at: datetime  # the run's "now"

    @property
    def key(self) -> str:
        """The business key: once per customer, activity and reminder day."""
        return f"{self.customer_id}:{format_timestamp(self.last_activity_at)}:{self.days}"


def reminder_bound(now: datetime, months: int, reminder_days: tuple[int, ...]) -> datetime:
    """An exclusive bound on the `last_activity_at` of every account a reminder may be due to
    (those expiring within the farthest reminder day): the run reads the Expiry index up to it."""
    return due_bound(now + timedelta(days=max(reminder_days, default=0)), months)


def reminder_due(
    account: Account, months: int, reminder_days: tuple[int, ...], now: datetime
) -> Reminder | None:
    """The nearest reminder day the account's expiry falls within (None: none, or already due)."""
    moment = expires_at(account, months)
    if moment is None or moment <= now:
        return None
    within = [days for days in sorted(reminder_days) if moment <= now + timedelta(days=days)]
    if not within:
        return None
    return Reminder(
        store_id=account.store_id,
        customer_id=account.customer_id,
        last_activity_at=account.last_activity_at,
        days=within[0],
        points=account.points.balance,
        points_expire_at=moment,
        created_at=now,
    )
