"""What one ledger entry adds to its store's points of its UTC day (the dashboard's chart). Pure."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from loyalty.domain.entities import DayActivity, LedgerEntry

MAX_ACTIVITY_DAYS = 366

# By the entry type's wire name, so that the types issue 15 adds (a voided coupon's `refund`, the
# expiry's `expire`) count as soon as they are written, with no change here.
_COLUMNS: dict[str, tuple[str, int]] = {
    "earn": ("earned", 1),
    "adjust": ("adjusted", 1),
    "import": ("adjusted", 1),  # an imported row changes `adjusted`, as the overview counts it
    "redeem": ("redeemed", -1),  # a redeem entry's points are negative: redeemed grows
    "refund": ("redeemed", -1),  # a voided coupon gives its points back: redeemed shrinks
    "expire": ("expired", -1),
    "reverse": ("reversed", -1),
    # Pending points are earned when the return window releases them (a `pending` entry and its
    # `cancel` move no available points).
    "release": ("earned", 1),
    "bonus": ("earned", 1),  # a tier's entry bonus
}


def entry_activity(entry: LedgerEntry) -> DayActivity:
    """The entry's share of its day; merges move points between files and add nothing."""
    column = _COLUMNS.get(str(entry.type))
    if column is None or entry.points == 0:
        return DayActivity()
    name, sign = column
    return DayActivity(**{name: sign * entry.points})


def activity_day(entry: LedgerEntry) -> date:
    return entry.created_at.astimezone(UTC).date()


def days_between(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included."""
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def range_problem(first: date, last: date) -> str | None:
    """Why a chart's range is refused (None: it is fine)."""
    if last < first:
        return "`to` must not be before `from`"
    if (last - first).days + 1 > MAX_ACTIVITY_DAYS:
        return f"a range covers at most {MAX_ACTIVITY_DAYS} days"
    return None
