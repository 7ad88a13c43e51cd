"""The rewards catalog, redeeming a reward for a coupon, and the coupon's life at checkout: each
reads what it needs, decides with domain/rules/rewards.py and commits once (once.py)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from loyalty.domain.entities import Coupon, Planned, Reward, utc_now
from loyalty.domain.operations.customers import require
from loyalty.domain.operations.once import Answer, Once, Render, commit_once
from loyalty.domain.operations.points import CustomerWrite
from loyalty.domain.rules import rewards as rules
from loyalty.domain.rules.rewards import Redemption, RewardTerms
from loyalty.errors import NotFound
from loyalty.repository import Repository

# Crockford's base32 alphabet (no I, L, O, U: nothing to misread when typed at a checkout).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 16 characters of 5 bits: 80 bits from the operating system's CSPRNG


def draw_code() -> str:
    """A coupon code nobody can guess (docs/decisions/coupon-codes.md)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def list_rewards(repository: Repository, store_id: str) -> list[Reward]:
    rewards, _ = repository.catalog(store_id)
    return rules.listed(rewards.values())


def get_reward(repository: Repository, store_id: str, reward_id: str) -> Reward:
    reward = repository.get_reward(store_id, reward_id)
    if reward is None:
        raise NotFound(f"reward {reward_id} not found")
    return reward


def create_reward(
    repository: Repository,
    store_id: str,
    reward_id: str,
    terms: RewardTerms,
    once: Once | None,
    render: Render[Reward],
    clock: Callable[[], datetime] = utc_now,
    active: bool = True,
) -> Answer:
    def decide() -> Planned[Reward]:
        catalog, summary = repository.catalog(store_id)
        return rules.decide_create(store_id, reward_id, terms, catalog, summary, clock(), active)

    return commit_once(repository, store_id, once, decide, render, clock)


def replace_reward(
    repository: Repository,
    store_id: str,
    reward_id: str,
    terms: RewardTerms,
    active: bool,
    once: Once | None,
    render: Render[Reward],
    clock: Callable[[], datetime] = utc_now,
) -> Answer:
    def decide() -> Planned[Reward]:
        catalog, summary = repository.catalog(store_id)
        return rules.decide_replace(reward_id, terms, active, catalog, summary, clock())

    return commit_once(repository, store_id, once, decide, render, clock)


def retire_reward(
    repository: Repository,
    store_id: str,
    reward_id: str,
    once: Once | None,
    render: Render[Reward],
    clock: Callable[[], datetime] = utc_now,
) -> Answer:
    def decide() -> Planned[Reward]:
        catalog, summary = repository.catalog(store_id)
        return rules.decide_retire(reward_id, catalog, summary, clock())

    return commit_once(repository, store_id, once, decide, render, clock)


def redeem_reward(
    write: CustomerWrite[Redemption], reward_id: str, draw: Callable[[], str] = draw_code
) -> Answer:
    """Spend a reward's points for a new coupon, in one transaction (a code already taken, or a
    reward changed meanwhile, is decided again on a fresh read and a fresh code)."""
    return write.commit(
        lambda now: rules.decide_reward_redemption(
            write.required(),
            write.repository.get_reward(write.store_id, reward_id),
            reward_id,
            draw(),
            write.entry_id("redeem"),
            now,
        )
    )


def get_coupon(repository: Repository, store_id: str, code: str) -> Coupon:
    coupon = repository.get_coupon(store_id, code)
    if coupon is None:
        raise NotFound(f"coupon {code} not found")
    return coupon


def use_coupon(
    repository: Repository,
    store_id: str,
    code: str,
    order_id: str,
    once: Once | None,
    render: Render[Coupon],
    clock: Callable[[], datetime] = utc_now,
) -> Answer:
    return commit_once(
        repository,
        store_id,
        once,
        lambda: rules.decide_use(get_coupon(repository, store_id, code), order_id, clock()),
        render,
        clock,
    )


def void_coupon(
    repository: Repository,
    store_id: str,
    code: str,
    once: Once | None,
    render: Render[Coupon],
    clock: Callable[[], datetime] = utc_now,
) -> Answer:
    def decide() -> Planned[Coupon]:
        coupon = get_coupon(repository, store_id, code)
        return rules.decide_void(coupon, require(repository, store_id, coupon.customer_id), clock())

    return commit_once(repository, store_id, once, decide, render, clock)
