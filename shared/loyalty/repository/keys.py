"""The table's keys: every item's primary key and its index keys, in one place.

| item               | pk                                   | sk          |
| ------------------ | ------------------------------------ | ----------- |
| account            | STORE#<store>#CUSTOMER#<id>          | ACCOUNT     |
| ledger entry       | STORE#<store>#ENTRY#<entry id>       | ENTRY       |
| email claim        | STORE#<store>#EMAIL#<email>          | EMAIL       |
| program settings   | STORE#<store>#PROGRAM                | PROGRAM     |
| idempotency record | STORE#<store>#IDEMPOTENCY#<key>      | IDEMPOTENCY |
| totals shard       | STORE#<store>#TOTALS#<shard>         | TOTALS      |
| applied marker     | STORE#<store>#APPLIED#<id>#<revision> | APPLIED    |
| activity day       | STORE#<store>#ACTIVITY#<shard>       | DAY#<date>  |
| counted marker     | STORE#<store>#COUNTED#<entry id>     | COUNTED     |
| reward             | STORE#<store>#REWARDS                | REWARD#<id> |
| catalog summary    | STORE#<store>#REWARDS                | CATALOG     |
| coupon (its claim) | STORE#<store>#COUPON#<code>          | COUPON      |
| data request       | STORE#<store>#DATA_REQUEST#<id>      | DATA_REQUEST |
| action count       | STORE#<store>#CUSTOMER#<id>          | ACTION#<action>[#DAY#<date>] |

A store's rewards and their summary share one partition: one consistent Query reads the whole
catalog (at most 100 rewards), and the storefront reads the summary beside the program.

Indexes: `Ledger` (ledger_pk = the account's pk, ledger_sk = <created_at>#<entry id>) lists an
account's entries in time order; `Customers` (customers_pk = STORE#<store>#<status>#<shard>,
customers_sk = <last_activity_at>#<id>) lists a store's customers by status, newest activity
first. Its partition is sharded by customer so that a store's orders never all write to one
index partition. A coupon is in `Ledger` too, in a partition of its own beside its customer's
entries (ledger_pk = <the account's pk>#COUPONS, ledger_sk = <issued_at>#<code>): the storefront
lists a customer's coupons, newest first, without another index.

The `Customers` index also lists, in partitions of their own, a store's data requests
(customers_pk = STORE#<store>#DATA_REQUESTS, customers_sk = <received_at>#<id>) and its idempotency
records (customers_pk = STORE#<store>#IDEMPOTENCY#CUSTOMER#<id> for a customer's, or
STORE#<store>#IDEMPOTENCY#STORE for store-wide writes; customers_sk = <created_at>#<key>): an
erasure finds a customer's records, and a shop's erasure every record, with no scan
(docs/decisions/privacy-erasure.md).

`Expiry` is sparse. It holds the accounts whose points could expire (members and candidates with a
balance above 0: expiry_pk = STORE#<store>#EXPIRING#<shard>, expiry_sk = <last_activity_at>#<id>,
oldest activity first), so an expiry run reads the due accounts and hardly anything else; and, in
one well-known partition (expiry_pk = EXPIRY#PROGRAMS, expiry_sk = <store>), the programs that
have expiry on, so a run finds its stores without a scan.

`Pending` is sparse too: it holds the pending entries still open (an order's points waiting for
its return window), pending_pk = PENDING#<shard>, pending_sk = <available_at>#<store>#<entry id>,
earliest first. Every store's entries share its shards, so a release run finds what is due in all
stores (a store that turned its window off still gets its last entries released) without a scan.

`Tiers` is sparse: it holds the accounts whose tier is kept until a date (tiers_pk = TIERS#<shard>,
tiers_sk = <listed_until>#<store>#<customer>, earliest first), so the daily review finds the due
ones in every store without a scan. `listed_until` is the `kept_until` the account was listed
under; an order that moves `kept_until` on leaves it, so the index key rarely moves
(docs/decisions/tiers.md).

`Birthdays` is sparse: it holds the accounts that have a birthday (birthdays_pk = BIRTHDAY#<MM-DD>,
birthdays_sk = <store>#<customer>, keys only), so the daily birthday run reads the day's customers
of every store and nothing else (docs/decisions/actions-and-birthdays.md).
"""

from __future__ import annotations

import zlib
from typing import Any

Item = dict[str, Any]

CUSTOMER_SHARDS = 8
TOTALS_SHARDS = 8


def _key(pk: str, sk: str) -> Item:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def account_pk(store_id: str, customer_id: str) -> str:
    return f"STORE#{store_id}#CUSTOMER#{customer_id}"


def account_key(store_id: str, customer_id: str) -> Item:
    return _key(account_pk(store_id, customer_id), "ACCOUNT")


def entry_key(store_id: str, entry_id: str) -> Item:
    return _key(f"STORE#{store_id}#ENTRY#{entry_id}", "ENTRY")


def claim_key(store_id: str, email_key: str) -> Item:
    return _key(f"STORE#{store_id}#EMAIL#{email_key}", "EMAIL")


def program_key(store_id: str) -> Item:
    return _key(f"STORE#{store_id}#PROGRAM", "PROGRAM")


def idempotency_key(store_id: str, key: str) -> Item:
    return _key(f"STORE#{store_id}#IDEMPOTENCY#{key}", "IDEMPOTENCY")


def totals_key(store_id: str, shard: int) -> Item:
    return _key(f"STORE#{store_id}#TOTALS#{shard}", "TOTALS")


def applied_key(store_id: str, customer_id: str, revision: int) -> Item:
    return _key(f"STORE#{store_id}#APPLIED#{customer_id}#{revision}", "APPLIED")


def shard_of(customer_id: str, shards: int) -> int:
    return zlib.crc32(customer_id.encode()) % shards


EXPIRY_PROGRAMS_PARTITION = "EXPIRY#PROGRAMS"


def expiring_partition(store_id: str, shard: int) -> str:
    return f"STORE#{store_id}#EXPIRING#{shard}"


PENDING_SHARDS = 8


def pending_partition(shard: int) -> str:
    return f"PENDING#{shard}"


TIERS_SHARDS = 8


def tiers_partition(shard: int) -> str:
    return f"TIERS#{shard}"


def customers_partition(store_id: str, status: str, shard: int) -> str:
    return f"STORE#{store_id}#{status}#{shard}"


def rewards_pk(store_id: str) -> str:
    return f"STORE#{store_id}#REWARDS"


REWARD_SK_PREFIX = "REWARD#"


def reward_key(store_id: str, reward_id: str) -> Item:
    return _key(rewards_pk(store_id), f"{REWARD_SK_PREFIX}{reward_id}")


def catalog_key(store_id: str) -> Item:
    return _key(rewards_pk(store_id), "CATALOG")


def coupon_key(store_id: str, code: str) -> Item:
    return _key(f"STORE#{store_id}#COUPON#{code}", "COUPON")


def coupons_partition(store_id: str, customer_id: str) -> str:
    """A customer's coupons in the Ledger index (a customer id holds no '#': no clash)."""
    return f"{account_pk(store_id, customer_id)}#COUPONS"


# The dashboard's chart (repository/activity.py): a store's points per UTC day, sharded by
# customer like the totals; each day is one item of its shard's partition, so a range of days is
# one Query per shard on the sort key. A counted entry leaves a marker, as an applied change does.
ACTIVITY_SHARDS = 8


def activity_pk(store_id: str, shard: int) -> str:
    return f"STORE#{store_id}#ACTIVITY#{shard}"


def activity_sk(day: str) -> str:
    return f"DAY#{day}"


def counted_key(store_id: str, entry_id: str) -> Item:
    return _key(f"STORE#{store_id}#COUNTED#{entry_id}", "COUNTED")


def data_request_key(store_id: str, request_id: str) -> Item:
    return _key(f"STORE#{store_id}#DATA_REQUEST#{request_id}", "DATA_REQUEST")


def data_requests_partition(store_id: str) -> str:
    return f"STORE#{store_id}#DATA_REQUESTS"


def idempotency_partition(store_id: str, customer_id: str | None) -> str:
    owner = f"CUSTOMER#{customer_id}" if customer_id is not None else "STORE"
    return f"STORE#{store_id}#IDEMPOTENCY#{owner}"


# Custom actions' limits (repository/actions.py): a customer's earnings of an action, ever and per
# UTC day, counted on items in the account's own partition (found again with it; no index).
ACTION_SK_PREFIX = "ACTION#"


def action_count_key(store_id: str, customer_id: str, action_id: str, day: str | None) -> Item:
    sk = f"{ACTION_SK_PREFIX}{action_id}" + (f"#DAY#{day}" if day else "")
    return _key(account_pk(store_id, customer_id), sk)


# Birthdays (repository/birthdays.py): the sparse `Birthdays` index lists the accounts with a
# birthday under its "MM-DD", every store's in one partition per day of the year.
def birthdays_partition(month_day: str) -> str:
    return f"BIRTHDAY#{month_day}"
