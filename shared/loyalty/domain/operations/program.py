"""Per-store program settings: stored by the back office, read (and briefly cached) by webhooks."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from loyalty.domain.entities import Account, Changes, Planned, ProgramUpdate, utc_now
from loyalty.domain.operations.once import Answer, Once, Render, commit_once
from loyalty.domain.program import Program
from loyalty.repository import Repository

PROGRAM_CACHE_SECONDS = 30.0  # how stale a warm container's view of a store's program may be


class ProgramCache:
    """The programs a warm container has read, each trusted for PROGRAM_CACHE_SECONDS."""

    def __init__(self, defaults: Program, clock: Callable[[], float] = time.monotonic) -> None:
        self.defaults = defaults
        self._clock = clock
        self._known: dict[str, tuple[float, Program]] = {}

    def fresh(self, store_id: str) -> Program | None:
        """The cached program if it is recent enough, else None (the caller reads it)."""
        cached = self._known.get(store_id)
        if cached is None or self._clock() - cached[0] > PROGRAM_CACHE_SECONDS:
            return None
        return cached[1]

    def remember(self, store_id: str, stored: Program | None) -> Program:
        program = stored or self.defaults
        self._known[store_id] = (self._clock(), program)
        return program


def cached_program(programs: ProgramCache, repository: Repository, store_id: str) -> Program:
    """The store's program through the container's cache (one GetItem when it is not fresh)."""
    program = programs.fresh(store_id)
    if program is None:
        program = programs.remember(store_id, repository.get_program(store_id))
    return program


def account_and_program(
    programs: ProgramCache, repository: Repository, store_id: str, customer_id: str
) -> tuple[Account | None, Program]:
    """The account an id names (not following a merge) and the store's program, in one round trip:
    the program from the container's cache, or read with the account (BatchGetItem)."""
    program = programs.fresh(store_id)
    if program is None:
        addressed, stored = repository.get_account_and_program(store_id, customer_id)
        return addressed, programs.remember(store_id, stored)
    return repository.get_account(store_id, customer_id), program


def read_program(repository: Repository, store_id: str, defaults: Program) -> Program:
    """The store's program as it stands (the back office reads through, never from a cache)."""
    return repository.get_program(store_id) or defaults


def set_program(
    repository: Repository,
    store_id: str,
    program: Program,
    once: Once | None,
    render: Render[Program],
    clock: Callable[[], datetime] = utc_now,
) -> Answer:
    """Replace the store's program (nothing to read: the new settings are the whole decision)."""
    return commit_once(
        repository,
        store_id,
        once,
        lambda: Planned(Changes(program=ProgramUpdate(store_id, program, clock())), program),
        render,
        clock,
    )
