"""The invariants every account keeps, checked on one account as read (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from loyalty.domain.entities import Account, CustomerStatus, LedgerEntry


def account_problems(account: Account, stored_balance: int, ledger: Iterable[LedgerEntry]) -> list[str]:
    """Every broken invariant of one account, in words; an empty list means it is sound.

    - balance == earned + adjusted - redeemed - expired (the stored balance against the points fields)
    - the sum of the account's ledger == its balance
    - a merged account holds no points and points at a member
    """
    problems: list[str] = []
    points = account.points
    where = f"{account.store_id}/{account.customer_id}"
    if stored_balance != points.balance:
        problems.append(
            f"{where}: balance {stored_balance} != earned {points.earned} + adjusted {points.adjusted}"
            f" - redeemed {points.redeemed} - expired {points.expired}"
        )
    ledger_sum = sum(entry.points for entry in ledger)
    if ledger_sum != stored_balance:
        problems.append(f"{where}: ledger sums to {ledger_sum}, balance is {stored_balance}")
    if account.status is CustomerStatus.MERGED:
        if points != type(points)() or stored_balance != 0:
            problems.append(f"{where}: merged account still holds points")
        if not account.merged_into:
            problems.append(f"{where}: merged account points at no member")
    return problems
