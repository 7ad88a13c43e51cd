"""The storefront's balance lookup: one consistent read, two when the id was merged away."""

from __future__ import annotations

from loyalty.domain.customers import Resolved, require
from loyalty.repository import Repository


def lookup_balance(repository: Repository, store_id: str, customer_id: str) -> Resolved:
    return require(repository, store_id, customer_id)
