"""What one account adds to its store's totals (the overview). Pure; the stream counts it."""

from __future__ import annotations

from loyalty.domain.entities import Account, CustomerStatus, Totals


def contribution(account: Account | None) -> Totals:
    """What one account adds to its store's totals (a merged file: nothing, its points moved)."""
    if account is None or account.status is CustomerStatus.MERGED:
        return Totals()
    points = account.points
    balance = points.balance
    return Totals(
        earned=points.earned,
        adjusted=points.adjusted,
        redeemed=points.redeemed,
        unredeemed=balance if account.status is not CustomerStatus.EXCLUDED else 0,
        frozen=balance if account.status is CustomerStatus.EXCLUDED else 0,
        members=int(account.status is CustomerStatus.MEMBER),
        candidates=int(account.status is CustomerStatus.CANDIDATE),
        excluded=int(account.status is CustomerStatus.EXCLUDED),
        expired=points.expired,
        pending=points.pending,
    )
