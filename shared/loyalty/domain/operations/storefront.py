"""What the storefront routes need of a store besides the account: its program (the browsers'
origins) and its catalog's cheapest active reward, cached by a warm container as programs are."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from loyalty.domain.entities import CatalogSummary, Coupon, CouponStatus, Resolved, Reward
from loyalty.domain.operations.customers import follow_merge, require, resolve
from loyalty.domain.operations.program import PROGRAM_CACHE_SECONDS
from loyalty.domain.program import Program
from loyalty.errors import NotFound
from loyalty.repository import Repository


@dataclass(frozen=True, slots=True)
class Storefront:
    program: Program
    catalog: CatalogSummary

    @property
    def cheapest_reward(self) -> int | None:
        return self.catalog.cheapest_active_points

    def allows_origin(self, origin: str | None) -> bool:
        return origin is not None and origin.lower() in self.program.storefront_origins


class StorefrontCache:
    """Each store's Storefront as a warm container read it, trusted for PROGRAM_CACHE_SECONDS:
    the balance lookup then stays one GetItem (the account's)."""

    def __init__(self, defaults: Program, clock: Callable[[], float] = time.monotonic) -> None:
        self.defaults = defaults
        self._clock = clock
        self._known: dict[str, tuple[float, Storefront]] = {}

    def get(self, repository: Repository, store_id: str) -> Storefront:
        cached = self.fresh(store_id)
        if cached is not None:
            return cached
        return self.remember(store_id, *repository.get_storefront(store_id))

    def fresh(self, store_id: str) -> Storefront | None:
        """The cached Storefront if it is recent enough, else None (the caller reads it)."""
        cached = self._known.get(store_id)
        if cached is None or self._clock() - cached[0] > PROGRAM_CACHE_SECONDS:
            return None
        return cached[1]

    def remember(self, store_id: str, program: Program | None, catalog: CatalogSummary) -> Storefront:
        storefront = Storefront(program or self.defaults, catalog)
        self._known[store_id] = (self._clock(), storefront)
        return storefront

    def forget(self, store_id: str) -> None:
        """After this container changed the store's program or catalog: its next read is fresh."""
        self._known.pop(store_id, None)


def require_with_storefront(
    repository: Repository, storefronts: StorefrontCache, store_id: str, customer_id: str
) -> Resolved:
    """The account an id stands for, or NotFound, leaving the store's Storefront in the cache for
    its answer: one GetItem while the cache is fresh, else one BatchGetItem for all three."""
    if storefronts.fresh(store_id) is None:
        account, program, catalog = repository.get_account_and_storefront(store_id, customer_id)
        storefronts.remember(store_id, program, catalog)
        found = follow_merge(repository, account)
    else:
        found = resolve(repository, store_id, customer_id)
    if found is None:
        raise NotFound(f"customer {customer_id} not found in store {store_id}")
    return found


def public_program(
    repository: Repository, storefronts: StorefrontCache, store_id: str
) -> tuple[Program, list[Reward]]:
    """What anyone may read of a store's program (the panel's visitor view): the program as the
    container caches it, and the active rewards, cheapest first (one Query of the catalog)."""
    program = storefronts.get(repository, store_id).program
    rewards, _ = repository.catalog(store_id)
    offered = sorted((reward for reward in rewards.values() if reward.active), key=_by_cost)
    return program, offered


def _by_cost(reward: Reward) -> tuple[int, str]:
    return reward.points, reward.reward_id


def customer_coupons(
    repository: Repository,
    store_id: str,
    customer_id: str,
    status: CouponStatus | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Coupon], str | None]:
    """One page of a customer's coupons, newest first (a merged guest id: its member's), or NotFound."""
    account = require(repository, store_id, customer_id).account
    return repository.coupons_page(store_id, account.customer_id, status, limit, cursor)
