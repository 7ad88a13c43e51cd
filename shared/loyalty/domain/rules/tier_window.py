"""The tiers' rolling window, exact (pure): which qualifying entries count at a moment, what an
account keeps of them, and when the counted entries fall below a threshold.

An entry counts at `now` when its time is at or after `now` minus the window's calendar months:
the same day of the month (the last day where that month is shorter) at the same time of day
(`add_months`). The account keeps its qualifying entries as records `(epoch milliseconds,
signed points)`, oldest first, one per distinct time (the ledger's precision), so any later
`now` sums exactly without reading the ledger.

Counting is not monotone on the days that clamp: with one month, on 28 March at 12:00 the window
starts on 28 February at 12:00, and on 29 March at 05:00 on 28 February at 05:00 again (29, 30
and 31 March all map to 28 February). An entry of 28 February at 10:00 leaves the window at 10:00
on 28 March and counts again in the first ten hours of each of the three days after. Pruning and
`drops_at` follow that rule literally (docs/decisions/tiers.md).
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, time, timedelta

from loyalty.domain.rules.expiry import add_months

# (epoch milliseconds, signed points), oldest first, one record per time, none of 0 points.
Records = tuple[tuple[int, int], ...]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# A lifetime window keeps the entries of the default window as well, so that a merchant who moves
# from lifetime to a window of up to 12 months counts exactly at once.
LIFETIME_KEPT_MONTHS = 12
# Records are kept a day longer than any later `now` needs: a scheduled run whose time lies a
# little before an earlier write's (a delayed schedule) still counts what that write pruned.
PRUNE_MARGIN = timedelta(days=1)


def to_ms(moment: datetime) -> int:
    """An entry's time as the ledger keeps it: epoch milliseconds (sub-millisecond parts dropped)."""
    delta = moment.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def window_start(now: datetime, months: int) -> datetime:
    """The earliest moment the window that ends at `now` counts (inclusive)."""
    return add_months(now.astimezone(UTC), -months)


def _first_counted(now: datetime, months: int) -> int:
    """The earliest record time (ms) counted at `now`: the window's start rounded up to a ms."""
    start = window_start(now, months)
    return to_ms(start) + (1 if start.microsecond % 1000 else 0)


def qualifying(records: Records, months: int, now: datetime) -> int:
    """The signed sum of the records the window that ends at `now` counts."""
    first = _first_counted(now, months)
    return sum(points for at, points in records if at >= first)


def normalised(records: Iterable[tuple[int, int]]) -> Records:
    """Records sorted by time, equal times merged into one, records of 0 points dropped."""
    merged: dict[int, int] = {}
    for at, points in records:
        merged[at] = merged.get(at, 0) + points
    return tuple(sorted((at, points) for at, points in merged.items() if points != 0))


def added(records: Records, points: int, when: datetime) -> Records:
    return normalised((*records, (to_ms(when), points))) if points else records


def pruned(records: Records, months: int | None, now: datetime) -> Records:
    """The records some moment from `now` less the margin on can still count. The window's start
    moves forward day by day, but within a day it may fall back to midnight on the days that clamp
    (see the module's docstring): everything from that day's midnight is kept."""
    start = window_start(now - PRUNE_MARGIN, months if months is not None else LIFETIME_KEPT_MONTHS)
    bound = to_ms(datetime.combine(start.date(), time(), UTC))
    first = next((index for index, (at, _) in enumerate(records) if at >= bound), len(records))
    return records[first:]


def _changes(at: int, months: int) -> Iterator[datetime]:
    """Every moment at which the window's counting of an entry at `at` can change (a few more do
    no harm): it leaves at its time of day on each day whose window starts on its date (the
    anniversary, and up to three more days when the anniversary's month is longer than the
    entry's), may come back at those days' midnights, and is gone for good at the first midnight
    whose window starts on a later date (at the latest the first day of the month after)."""
    anniversary = add_months(from_ms(at), months)
    midnight = datetime.combine(anniversary.date(), time(), UTC)
    for days in range(4):
        yield anniversary + timedelta(days=days)
    for days in range(5):
        yield midnight + timedelta(days=days)
    yield add_months(midnight.replace(day=1), 1)


def drops_at(records: Records, months: int, threshold: int, now: datetime) -> datetime | None:
    """Without new entries, the first moment after `now` from which the counted entries no longer
    meet `threshold`: the last moment a tier reviewed at `now` is kept (its `kept_until`). Most
    often an entry's time plus the window; a month-end entry may last until a midnight. None when
    they do not meet it just after `now`."""
    times = [at for at, _ in records]
    suffix = [0, *itertools.accumulate(points for _, points in reversed(records))][::-1]

    def points_at(moment: datetime) -> int:
        return suffix[bisect_left(times, _first_counted(moment, months))]

    if points_at(now + MICROSECOND) < threshold:
        return None
    moments = sorted({moment for at in times for moment in _changes(at, months) if moment > now})
    return next((moment for moment in moments if points_at(moment + MICROSECOND) < threshold), None)
