"""The invariants every account keeps, checked on one account as read (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from loyalty.domain.entities import Account, CustomerStatus, LedgerEntry
from loyalty.domain.rules.pending import balance_effect, earliest, pending_effect, still_pending


def account_problems(account: Account, stored_balance: int, ledger: Iterable[LedgerEntry]) -> list[str]:
    """Every broken invariant of one account, in words; an empty list means it is sound.

    - balance == earned + adjusted - redeemed - expired (the stored balance against the points fields)
    - the sum of the account's ledger == its balance (pending points and cancels outside it)
    - a merged account holds no points and points at a member
    - pending == the sum of the account's pending entries, less its releases and cancels (a
      merge's entries carry the pending points they moved)
    """
    ledger = list(ledger)
    problems: list[str] = []
    points = account.points
    where = f"{account.store_id}/{account.customer_id}"
    if stored_balance != points.balance:
        problems.append(
            f"{where}: balance {stored_balance} != earned {points.earned} + adjusted {points.adjusted}"
            f" - redeemed {points.redeemed} - expired {points.expired}"
        )
    ledger_sum = sum(balance_effect(entry) for entry in ledger)
    if ledger_sum != stored_balance:
        problems.append(f"{where}: ledger sums to {ledger_sum}, balance is {stored_balance}")
    pending_sum = sum(pending_effect(entry) for entry in ledger)
    if pending_sum != points.pending:
        problems.append(f"{where}: pending entries sum to {pending_sum}, pending is {points.pending}")
    if points.pending < 0:
        problems.append(f"{where}: pending is negative ({points.pending})")
    if account.status is CustomerStatus.MERGED:
        if points != type(points)() or stored_balance != 0:
            problems.append(f"{where}: merged account still holds points")
        if not account.merged_into:
            problems.append(f"{where}: merged account points at no member")
    return problems


def pending_problems(account: Account, open_entries: Iterable[LedgerEntry]) -> list[str]:
    """What the account's open pending entries (its own and its merged files') must agree with:
    what they still hold is `points.pending`, and the earliest of them is `pending_release_at`."""
    entries = list(open_entries)
    where = f"{account.store_id}/{account.customer_id}"
    problems: list[str] = []
    holding = sum(still_pending(entry) for entry in entries)
    if holding != account.points.pending:
        problems.append(f"{where}: open pending entries hold {holding}, pending is {account.points.pending}")
    expected = earliest(entry.available_at for entry in entries if still_pending(entry))
    shown = account.pending_release_at if account.points.pending > 0 else None
    if expected != shown:
        problems.append(f"{where}: pending_release_at is {shown}, the earliest open entry is at {expected}")
    return problems
