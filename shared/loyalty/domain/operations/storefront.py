"""What the storefront routes need of a store besides the account: its program (the browsers'
origins) and its catalog's cheapest active reward, cached by a warm container as programs are."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from loyalty.config import ProgramSettings
from loyalty.domain.entities import CatalogSummary
from loyalty.domain.operations.program import PROGRAM_CACHE_SECONDS
from loyalty.repository import Repository


@dataclass(frozen=True, slots=True)
class Storefront:
    program: ProgramSettings
    catalog: CatalogSummary

    @property
    def cheapest_reward(self) -> int | None:
        return self.catalog.cheapest_active_points

    def allows_origin(self, origin: str | None) -> bool:
        return origin is not None and origin.lower() in self.program.storefront_origins


class StorefrontCache:
    """Each store's Storefront as a warm container read it, trusted for PROGRAM_CACHE_SECONDS:
    the balance lookup then stays one GetItem (the account's)."""

    def __init__(self, defaults: ProgramSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.defaults = defaults
        self._clock = clock
        self._known: dict[str, tuple[float, Storefront]] = {}

    def get(self, repository: Repository, store_id: str) -> Storefront:
        cached = self._known.get(store_id)
        if cached is not None and self._clock() - cached[0] <= PROGRAM_CACHE_SECONDS:
            return cached[1]
        program, catalog = repository.get_storefront(store_id)
        storefront = Storefront(program or self.defaults, catalog)
        self._known[store_id] = (self._clock(), storefront)
        return storefront

    def forget(self, store_id: str) -> None:
        """After this container changed the store's program or catalog: its next read is fresh."""
        self._known.pop(store_id, None)
