"""A store's invariants, read from the table: what tests and operators (reconcile) run."""

from __future__ import annotations

from collections import defaultdict

from loyalty.domain.entities import CustomerStatus
from loyalty.domain.rules.invariants import account_problems, pending_problems
from loyalty.repository import Repository


def store_problems(repository: Repository, store_id: str) -> list[str]:
    """Every broken invariant of a store: each account's own (its balance, and its pending points
    against its ledger and its open pending entries), merges pointing at members, and one member
    per email (each member's email claimed by it, no email claimed twice).

    It reads the whole store (a scan and one ledger query per account): for operators and tests,
    never a request path. The ledger index is eventually consistent, so run it on a settled store.
    """
    problems: list[str] = []
    accounts = {account.customer_id: (account, balance) for account, balance in repository.accounts(store_id)}
    for account, stored_balance in accounts.values():
        ledger = repository.ledger(store_id, account.customer_id)
        problems.extend(account_problems(account, stored_balance, ledger))
        if account.status is not CustomerStatus.MERGED:
            owners = (account.customer_id, *account.merged_customer_ids)
            problems.extend(pending_problems(account, repository.pending.open_entries(store_id, owners)))
        if account.status is CustomerStatus.MERGED:
            target = accounts.get(account.merged_into or "")
            if target is None or target[0].status is CustomerStatus.MERGED:
                problems.append(
                    f"{store_id}/{account.customer_id}: merged into {account.merged_into}, not a live account"
                )
    claims = {claim.email_key: claim.customer_id for claim in repository.claims(store_id)}
    members_by_email: dict[str, list[str]] = defaultdict(list)
    for account, _ in accounts.values():
        if account.status is CustomerStatus.MEMBER and account.email_key:
            members_by_email[account.email_key].append(account.customer_id)
    for email, members in members_by_email.items():
        if len(members) > 1:
            problems.append(f"{store_id}: {email} is held by several members: {sorted(members)}")
        elif claims.get(email) != members[0]:
            problems.append(
                f"{store_id}/{members[0]}: member's email {email} is claimed by {claims.get(email)}"
            )
    return problems
