"""What the scheduled runs share: working through what an index lists as due, one item at a time,
within the invocation's time budget. An item a transient fault stops stays due (the next run
takes it); a run about to time out stops between items and says so."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from loyalty.errors import TransientFault

STOP_WITH_SECONDS_LEFT = 10.0  # leave the function this long to finish and report

Due = TypeVar("Due")


@dataclass
class Tally:
    """What a run did: items read from its index, items changed with the points they moved, items
    left for a later run (contention), and whether it reached the end."""

    read: int = 0
    changed: int = 0
    points: int = 0
    deferred: int = 0
    complete: bool = True


def work_through(
    due: Iterable[Due], act: Callable[[Due], int | None], time_left: Callable[[], float] | None
) -> Tally:
    """`act` on each due item: it answers None when it changed nothing, else the points it moved
    (0 for a change that moves none, such as a tier kept or lost)."""
    tally = Tally()
    for item in due:
        if time_left is not None and time_left() < STOP_WITH_SECONDS_LEFT:
            tally.complete = False
            return tally
        tally.read += 1
        try:
            moved = act(item)
        except TransientFault:
            tally.deferred += 1  # still due: the next run takes it
            continue
        if moved is not None:
            tally.changed += 1
            tally.points += moved
    return tally
