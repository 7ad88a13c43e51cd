"""The rewards catalog and its coupons: what a reward may be, redeeming one for a coupon, using a
coupon at checkout and voiding it. Pure: each decision takes what was read (and the code drawn)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from loyalty.domain.entities import (
    Account,
    CatalogSummary,
    CatalogUpdate,
    Changes,
    Coupon,
    CouponStatus,
    CouponUpdate,
    CustomerStatus,
    EntryType,
    LedgerEntry,
    Planned,
    Points,
    Resolved,
    Reward,
    RewardKind,
)
from loyalty.errors import Conflict, NotFound

MAX_REWARDS = 100
MIN_REWARD_POINTS = 1
MAX_REWARD_POINTS = 10_000_000
MAX_PERCENT = Decimal(100)


@dataclass(frozen=True, slots=True)
class RewardTerms:
    """A reward as the merchant states it (create or replace)."""

    name: str
    points: int
    kind: RewardKind
    value: Decimal | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class Redemption:
    """A reward redeemed: the ledger entry, the account after it, and the coupon it gave."""

    entry: LedgerEntry
    account: Resolved
    coupon: Coupon


def terms_problem(terms: RewardTerms) -> str | None:
    """What is wrong with a reward's terms, in words (None: nothing)."""
    if not MIN_REWARD_POINTS <= terms.points <= MAX_REWARD_POINTS:
        return f"points must be {MIN_REWARD_POINTS} to {MAX_REWARD_POINTS:,}"
    if terms.kind is RewardKind.FREE_SHIPPING:
        if terms.value is not None or terms.currency is not None:
            return "a free_shipping reward has no value and no currency"
        return None
    if terms.value is None or not terms.value.is_finite():
        return f"a {terms.kind.value} reward needs a value"
    if terms.kind is RewardKind.AMOUNT_OFF:
        if terms.value <= 0:
            return "an amount_off value must be above 0"
        if terms.currency is None:
            return "an amount_off reward needs a currency"
        return None
    if not Decimal(0) < terms.value <= MAX_PERCENT:
        return "a percent_off value must be above 0 and at most 100"
    if terms.currency is not None:
        return "a percent_off reward has no currency"
    return None


def reward_available(account: Account, cheapest_active_points: int | None) -> bool:
    """The customer may redeem, and some active reward costs no more than its balance."""
    return (
        account.can_redeem
        and cheapest_active_points is not None
        and cheapest_active_points <= account.points.balance
    )


def listed(rewards: Iterable[Reward]) -> list[Reward]:
    """The catalog as the back office lists it: active rewards first, then by cost and id."""
    return sorted(rewards, key=lambda reward: (not reward.active, reward.points, reward.reward_id))


def summary_of(rewards: Iterable[Reward], version: int) -> CatalogSummary:
    catalog = list(rewards)
    costs = [reward.points for reward in catalog if reward.active]
    return CatalogSummary(min(costs) if costs else None, len(catalog), version)


def _changed_catalog(
    catalog: dict[str, Reward], summary: CatalogSummary, reward: Reward, created: bool
) -> Planned[Reward]:
    after = summary_of({**catalog, reward.reward_id: reward}.values(), summary.version + 1)
    return Planned(Changes(catalog=CatalogUpdate(reward, created, summary, after)), reward)


def decide_create(
    store_id: str,
    reward_id: str,
    terms: RewardTerms,
    catalog: dict[str, Reward],
    summary: CatalogSummary,
    now: datetime,
    active: bool = True,
) -> Planned[Reward]:
    """A new reward; `active` False creates it retired (offered later by a replacement)."""
    if reward_id in catalog:
        raise Conflict(f"reward {reward_id} exists", reason="reward_exists")
    if len(catalog) >= MAX_REWARDS:
        raise Conflict(f"a store has at most {MAX_REWARDS} rewards", reason="too_many_rewards")
    reward = Reward(
        store_id,
        reward_id,
        terms.name,
        terms.points,
        terms.kind,
        terms.value,
        terms.currency,
        active,
        now,
        now,
    )
    return _changed_catalog(catalog, summary, reward, created=True)


def decide_replace(
    reward_id: str,
    terms: RewardTerms,
    active: bool,
    catalog: dict[str, Reward],
    summary: CatalogSummary,
    now: datetime,
) -> Planned[Reward]:
    before = _known(catalog, reward_id)
    reward = replace(
        before,
        name=terms.name,
        points=terms.points,
        kind=terms.kind,
        value=terms.value,
        currency=terms.currency,
        active=active,
        updated_at=now,
    )
    return _changed_catalog(catalog, summary, reward, created=False)


def decide_retire(
    reward_id: str, catalog: dict[str, Reward], summary: CatalogSummary, now: datetime
) -> Planned[Reward]:
    """Retiring keeps the reward (and every coupon it issued), inactive: nobody redeems it again."""
    before = _known(catalog, reward_id)
    if not before.active:
        return Planned(None, before)
    return _changed_catalog(catalog, summary, replace(before, active=False, updated_at=now), created=False)


def _known(catalog: dict[str, Reward], reward_id: str) -> Reward:
    reward = catalog.get(reward_id)
    if reward is None:
        raise NotFound(f"reward {reward_id} not found")
    return reward


def decide_reward_redemption(
    found: Resolved, reward: Reward | None, reward_id: str, code: str, entry_id: str, now: datetime
) -> Planned[Redemption]:
    """Spend a reward's points for a coupon: members only, an active reward, enough points."""
    account = found.account
    if reward is None:
        raise NotFound(f"reward {reward_id} not found")
    if account.status is not CustomerStatus.MEMBER:
        raise Conflict(
            f"only members redeem; customer {account.customer_id} is {account.status.value}",
            reason="not_a_member",
        )
    if not reward.active:
        raise Conflict(f"reward {reward_id} is retired", reason="reward_retired")
    if reward.points > account.points.balance:
        raise Conflict(
            f"reward {reward_id} costs {reward.points} points: the balance is {account.points.balance}",
            reason="insufficient_balance",
        )
    after = account.changed(now, points=account.points + Points(redeemed=reward.points))
    coupon = Coupon(
        store_id=account.store_id,
        code=code,
        reward_id=reward.reward_id,
        kind=reward.kind,
        value=reward.value,
        currency=reward.currency,
        points=reward.points,
        status=CouponStatus.ISSUED,
        customer_id=account.customer_id,
        issued_at=now,
    )
    entry = LedgerEntry(
        store_id=account.store_id,
        entry_id=entry_id,
        customer_id=account.customer_id,
        type=EntryType.REDEEM,
        points=-reward.points,
        balance_after=after.points.balance,
        created_at=now,
        event_id=entry_id,
        reason=reward.name,
        coupon_code=code,
    )
    return Planned(
        Changes(
            accounts=((account, after),),
            entries=(entry,),
            coupon=CouponUpdate(None, coupon),
            reward_check=reward,
        ),
        Redemption(entry, Resolved(after, found.merged_from), coupon),
    )


def decide_use(coupon: Coupon, order_id: str, now: datetime) -> Planned[Coupon]:
    """The checkout applied the coupon to `order_id`: once, and the same order may say so again."""
    if coupon.status is CouponStatus.USED:
        if coupon.order_id == order_id:
            return Planned(None, coupon)
        raise Conflict(f"coupon {coupon.code} was used by another order", reason="coupon_used")
    if coupon.status is CouponStatus.VOID:
        raise Conflict(f"coupon {coupon.code} is void", reason="coupon_void")
    used = replace(coupon, status=CouponStatus.USED, used_at=now, order_id=order_id)
    return Planned(Changes(coupon=CouponUpdate(coupon, used)), used)


def decide_void(coupon: Coupon, found: Resolved, now: datetime) -> Planned[Coupon]:
    """Void an issued coupon: its points go back to the customer (a `refund` entry), once."""
    if coupon.status is CouponStatus.VOID:
        return Planned(None, coupon)
    if coupon.status is CouponStatus.USED:
        raise Conflict(f"coupon {coupon.code} was used: it cannot be voided", reason="coupon_used")
    account = found.account
    after = account.changed(now, points=account.points + Points(redeemed=-coupon.points))
    entry_id = f"refund:{coupon.code}"
    entry = LedgerEntry(
        store_id=account.store_id,
        entry_id=entry_id,
        customer_id=account.customer_id,
        type=EntryType.REFUND,
        points=coupon.points,
        balance_after=after.points.balance,
        created_at=now,
        event_id=entry_id,
        reason=f"coupon {coupon.code} voided",
        coupon_code=coupon.code,
    )
    void = replace(coupon, status=CouponStatus.VOID, voided_at=now)
    return Planned(
        Changes(accounts=((account, after),), entries=(entry,), coupon=CouponUpdate(coupon, void)), void
    )
