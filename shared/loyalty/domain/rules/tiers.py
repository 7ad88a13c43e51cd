"""VIP tiers (pure): qualifying points in a rolling window, the tier they reach, how long it is
kept, the earn multiplier and the entry bonuses.

Qualifying points are the signed points of a customer's `earn`, `release`, `reverse` and `adjust`
entries whose time is at or after `now` minus `tier_window_months` calendar months (the same day
of the month, the last day where that month is shorter, the same time of day). The account keeps
those entries as exact (time, points) records, pruned at every qualifying write to what a later
window can still count (rules/tier_window.py, docs/decisions/tiers.md): no ledger read on the order
path. A lifetime window (None) counts every entry ever, kept as one total.

A tier is reached at once, in the transaction of the entry that crossed its threshold, and held
at least until `kept_until` (its time plus the window); a later entry after which the points still
meet the held tier's threshold moves `kept_until` on. The daily review (`review`) moves customers
whose `kept_until` has passed to the tier their window then reaches, kept until the exact moment
the counted entries would fall below its threshold. The entry bonus of each tier passed on the way
up is paid once per customer and tier, ever (its entry id is the business key).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from loyalty.domain.entities import (
    Account,
    Changes,
    CustomerStatus,
    EntryType,
    HeldTier,
    LedgerEntry,
    Planned,
    Points,
    Tiering,
)
from loyalty.domain.program import Program, TierLevel
from loyalty.domain.rules import tier_window
from loyalty.domain.rules.expiry import add_months

MAX_TIERS = 5
MIN_WINDOW_MONTHS = 1
MAX_WINDOW_MONTHS = 36
MAX_ENTRY_BONUS = 1_000_000
MIN_MULTIPLIER = Decimal(1)
MAX_MULTIPLIER = Decimal(10)
TIER_ID = re.compile(r"[a-z0-9-]{1,32}")
# The entries whose points qualify; redemptions, expiry, bonuses and pending points never do.
QUALIFYING = frozenset({EntryType.EARN, EntryType.RELEASE, EntryType.REVERSE, EntryType.ADJUST})


def tiers_problem(tiers: tuple[TierLevel, ...], window_months: int | None) -> str | None:
    """Why a program's tiers are refused (None: they are fine)."""
    if len(tiers) > MAX_TIERS:
        return f"at most {MAX_TIERS} tiers"
    if window_months is not None and not MIN_WINDOW_MONTHS <= window_months <= MAX_WINDOW_MONTHS:
        return f"tier_window_months is {MIN_WINDOW_MONTHS}..{MAX_WINDOW_MONTHS} or null"
    if len({tier.id for tier in tiers}) != len(tiers):
        return "tier ids must be unique"
    for tier in tiers:
        if not TIER_ID.fullmatch(tier.id):
            return f"tier id {tier.id!r} must match [a-z0-9-]{{1,32}}"
        if tier.threshold < 1:
            return "tier thresholds are at least 1"
        if not MIN_MULTIPLIER <= tier.earn_multiplier <= MAX_MULTIPLIER:
            return "earn_multiplier is from 1 to 10"
        if tier.earn_multiplier != tier.earn_multiplier.quantize(Decimal("0.01")):
            return "earn_multiplier has at most two decimals"
        if not 0 <= tier.entry_bonus <= MAX_ENTRY_BONUS:
            return f"entry_bonus is 0..{MAX_ENTRY_BONUS}"
    thresholds = [tier.threshold for tier in tiers]
    if any(later <= earlier for earlier, later in itertools.pairwise(thresholds)):
        return "tier thresholds must be strictly increasing"
    return None


def qualifying_points(tiering: Tiering, window_months: int | None, now: datetime) -> int:
    if window_months is None:
        return tiering.total
    return tier_window.qualifying(tiering.records, window_months, now)


def with_qualifying(
    tiering: Tiering, points: int, when: datetime, now: datetime, window_months: int | None
) -> Tiering:
    """`points` added at `when`; records no window from `now` on can count any more are pruned
    (the current window's), so the item stays small."""
    if points == 0:
        return tiering
    records = tier_window.pruned(tier_window.added(tiering.records, points, when), window_months, now)
    return replace(tiering, records=records, total=tiering.total + points)


def merged_qualifying(member: Tiering, guest: Tiering) -> Tiering:
    """A merge adds the guest's qualifying entries, time by time, to the member's."""
    records = tier_window.normalised((*member.records, *guest.records))
    return replace(member, records=records, total=member.total + guest.total)


def reached(tiers: tuple[TierLevel, ...], points: int) -> TierLevel | None:
    """The highest tier whose threshold the points meet."""
    best = None
    for tier in tiers:
        if tier.threshold <= points:
            best = tier
    return best


def _rank(tiers: tuple[TierLevel, ...], tier: TierLevel | None) -> int:
    return -1 if tier is None else tiers.index(tier)


def _find(tiers: tuple[TierLevel, ...], tier_id: str) -> TierLevel | None:
    return next((tier for tier in tiers if tier.id == tier_id), None)


def held(tiering: Tiering, program: Program, now: datetime) -> TierLevel | None:
    """The recorded tier while it is kept (and still offered): lifetime tiers never fall."""
    record = tiering.held
    if record is None:
        return None
    if record.kept_until is not None and record.kept_until <= now:
        return None
    if record.kept_until is None and program.tier_window_months is not None:
        return None  # kept for good under a lifetime window that is no longer the program's
    return _find(program.tiers, record.id)


def current(account: Account, program: Program, now: datetime) -> TierLevel | None:
    """The tier a customer holds at `now` under the current settings: the one recorded while it
    is kept, or the one the window reaches if that is higher. Excluded customers hold none."""
    if not program.tiers or account.status in (CustomerStatus.EXCLUDED, CustomerStatus.MERGED):
        return None
    tiering = account.tiering
    kept = held(tiering, program, now)
    window = reached(program.tiers, qualifying_points(tiering, program.tier_window_months, now))
    return max((kept, window), key=lambda tier: _rank(program.tiers, tier))


def earn_multiplier(account: Account | None, program: Program, now: datetime) -> Decimal:
    """The multiplier of the tier held when an order is processed (1 without a tier)."""
    tier = current(account, program, now) if account is not None else None
    return tier.earn_multiplier if tier is not None else Decimal(1)


@dataclass(frozen=True, slots=True)
class TierStatus:
    """What an account answer says about tiers."""

    tier: TierLevel | None
    since: datetime | None
    kept_until: datetime | None
    next_tier: TierLevel | None
    points_needed: int | None
    qualifying_points: int


def status(account: Account, program: Program, now: datetime) -> TierStatus:
    points = qualifying_points(account.tiering, program.tier_window_months, now)
    tier = current(account, program, now)
    record = account.tiering.held
    recorded = record is not None and tier is not None and record.id == tier.id
    above = program.tiers[_rank(program.tiers, tier) + 1 :]
    next_tier = above[0] if above and account.status is not CustomerStatus.EXCLUDED else None
    return TierStatus(
        tier=tier,
        since=record.since if recorded and record else None,
        kept_until=record.kept_until if recorded and record else None,
        next_tier=next_tier,
        points_needed=max(0, next_tier.threshold - points) if next_tier else None,
        qualifying_points=points,
    )


def bonus_entry_id(customer_id: str, tier_id: str) -> str:
    return f"tier-bonus:{customer_id}:{tier_id}"


@dataclass(frozen=True, slots=True)
class TierChange:
    """A change of the recorded tier: the one place issue 27's `tier.upgraded` and
    `tier.downgraded` events can be derived from (before and after images of the account)."""

    customer_id: str
    previous: str | None
    tier: str | None
    upgraded: bool


def tier_change(before: Account | None, after: Account, program: Program) -> TierChange | None:
    """The recorded tier's change between two revisions of an account (None: unchanged)."""
    old = before.tiering.held.id if before is not None and before.tiering.held else None
    new = after.tiering.held.id if after.tiering.held else None
    if old == new:
        return None
    ranks = {tier.id: index for index, tier in enumerate(program.tiers)}
    upgraded = ranks.get(new or "", -1) > ranks.get(old or "", -1)
    return TierChange(after.customer_id, old, new, upgraded)


def judge(
    account: Account, program: Program, when: datetime, now: datetime, event_id: str
) -> tuple[Account, tuple[LedgerEntry, ...]]:
    """Record what the account's qualifying points reach after a change made at `when`: a
    higher tier at once (with the entry bonus of each tier passed on the way up, not paid
    before), or `kept_until` moved on while the points still meet the held tier's threshold."""
    if not program.tiers or account.status in (CustomerStatus.EXCLUDED, CustomerStatus.MERGED):
        return account, ()
    tiers, window = program.tiers, program.tier_window_months
    tiering = account.tiering
    kept = held(tiering, program, now)
    target = reached(tiers, qualifying_points(tiering, window, now))
    if target is None or _rank(tiers, target) < _rank(tiers, kept):
        return account, ()
    until = add_months(when, window) if window is not None else None
    if kept is not None and target == kept:
        record = tiering.held
        assert record is not None
        if until is None or (record.kept_until is not None and record.kept_until >= until):
            return account, ()
        return replace(account, tiering=replace(tiering, held=replace(record, kept_until=until))), ()
    passed = tiers[_rank(tiers, kept) + 1 : _rank(tiers, target) + 1]
    new_record = HeldTier(target.id, when, until)
    updated = replace(tiering, held=new_record, listed_until=until)
    return _pay_bonuses(replace(account, tiering=updated), passed, now, event_id)


def _pay_bonuses(
    account: Account, passed: tuple[TierLevel, ...], now: datetime, event_id: str
) -> tuple[Account, tuple[LedgerEntry, ...]]:
    entries: list[LedgerEntry] = []
    paid = set(account.tiering.bonuses_paid)
    for tier in passed:
        if tier.entry_bonus <= 0 or tier.id in paid:
            continue
        paid.add(tier.id)
        account = replace(account, points=account.points + Points(earned=tier.entry_bonus))
        entries.append(
            LedgerEntry(
                store_id=account.store_id,
                entry_id=bonus_entry_id(account.customer_id, tier.id),
                customer_id=account.customer_id,
                type=EntryType.BONUS,
                points=tier.entry_bonus,
                balance_after=account.points.balance,
                created_at=now,
                event_id=event_id,
                reason=f"tier reached: {tier.name}",
            )
        )
    return replace(account, tiering=replace(account.tiering, bonuses_paid=frozenset(paid))), tuple(entries)


def with_tiers(changes: Changes, program: Program, when: datetime, now: datetime) -> Changes:
    """A decision's changes with tiers applied: each account's new qualifying entries counted at
    `when` (the event's time), its tier judged, and any entry bonus added to the transaction."""
    accounts: list[tuple[Account | None, Account]] = []
    bonuses: list[LedgerEntry] = []
    for before, after in changes.accounts:
        points = sum(
            entry.points
            for entry in changes.entries
            if entry.customer_id == after.customer_id and entry.type in QUALIFYING
        )
        if points == 0:
            accounts.append((before, after))
            continue
        tiering = with_qualifying(after.tiering, points, when, now, program.tier_window_months)
        counted = replace(after, tiering=tiering)
        judged, paid = judge(counted, program, when, now, f"tiers:{after.customer_id}:{after.revision}")
        accounts.append((before, judged))
        bonuses.extend(paid)
    if not bonuses and all(a is b for (_, a), (_, b) in zip(accounts, changes.accounts, strict=True)):
        return changes
    return replace(changes, accounts=tuple(accounts), entries=changes.entries + tuple(bonuses))


def review(account: Account, program: Program, now: datetime, run_id: str) -> Planned[Account]:
    """The daily review of an account the index lists as due: nothing while its `kept_until`
    lies ahead (it is listed again under it); else the tier its window reaches at `now`
    (possibly none), kept until the exact moment the counted entries would fall below its
    threshold (an entry's time plus the window). A rerun finds nothing due."""
    tiering = account.tiering
    record = tiering.held
    if record is None or record.kept_until is None:
        if tiering.listed_until is None:
            return Planned(None, account)
        after = _revised(account, now, replace(tiering, listed_until=None))
        return Planned(Changes(accounts=((account, after),)), after)
    if record.kept_until > now:
        if tiering.listed_until == record.kept_until:
            return Planned(None, account)
        after = _revised(account, now, replace(tiering, listed_until=record.kept_until))
        return Planned(Changes(accounts=((account, after),)), after)
    window = program.tier_window_months
    # Decided as of just after `now`: an entry whose anniversary is `now` itself no longer keeps a
    # tier (a kept_until of `now` would be due again at once).
    points = qualifying_points(tiering, window, now + tier_window.MICROSECOND)
    target = reached(program.tiers, points) if account.status is not CustomerStatus.EXCLUDED else None
    entries: tuple[LedgerEntry, ...] = ()
    if target is None:
        after = _revised(account, now, replace(tiering, held=None, listed_until=None))
    else:
        until = (
            tier_window.drops_at(tiering.records, window, target.threshold, now)
            if window is not None
            else None
        )
        since = record.since if target.id == record.id else now
        revised = replace(tiering, held=HeldTier(target.id, since, until), listed_until=until)
        after = _revised(account, now, revised)
        old = _find(program.tiers, record.id)
        if _rank(program.tiers, target) > _rank(program.tiers, old):
            passed = program.tiers[_rank(program.tiers, old) + 1 : _rank(program.tiers, target) + 1]
            after, entries = _pay_bonuses(after, passed, now, run_id)
    return Planned(Changes(accounts=((account, after),), entries=entries), after)


def _revised(account: Account, now: datetime, tiering: Tiering) -> Account:
    """The next revision with new tier records; not the customer's activity."""
    return account.revised(max(now, account.updated_at), tiering=tiering)


def is_due(account: Account, now: datetime) -> bool:
    listed = account.tiering.listed_until
    return listed is not None and listed <= now
