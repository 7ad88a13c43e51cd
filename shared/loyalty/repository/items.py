"""Conversions between the domain's records and the table's items (attribute names live here)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from loyalty.domain.entities import (
    Account,
    CustomerStatus,
    DataRequest,
    EmailClaim,
    EntryType,
    IdempotencyRecord,
    LedgerEntry,
    Points,
    Totals,
    format_timestamp,
)
from loyalty.domain.program import PanelSettings, Program, TierLevel
from loyalty.repository.earn_items import earn_attributes, earn_settings
from loyalty.repository.keys import (
    CUSTOMER_SHARDS,
    EXPIRY_PROGRAMS_PARTITION,
    PENDING_SHARDS,
    Item,
    account_key,
    account_pk,
    birthdays_partition,
    claim_key,
    customers_partition,
    data_request_key,
    data_requests_partition,
    entry_key,
    expiring_partition,
    idempotency_key,
    idempotency_partition,
    pending_partition,
    program_key,
    shard_of,
)
from loyalty.repository.tier_items import tiering_attributes, tiering_from_item

_EXPIRING = frozenset({CustomerStatus.MEMBER, CustomerStatus.CANDIDATE})
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def plain(item: Mapping[str, Any]) -> Item:
    """A DynamoDB-typed item as Python values (numbers as Decimal)."""
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def typed(values: Mapping[str, Any]) -> Item:
    return {name: _serializer.serialize(value) for name, value in values.items() if value is not None}


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def account_item(account: Account) -> Item:
    points = account.points
    listed = account.status is not CustomerStatus.MERGED
    # The sparse Expiry index holds the accounts whose points could expire, oldest activity first.
    expiring = account.status in _EXPIRING and points.balance > 0
    activity = format_timestamp(account.last_activity_at)
    # An order whose points are pending leaves the balance, so the Expiry index keeps the account
    # under its earlier activity (expiry_listed_at): an index key that does not move costs one
    # index write, not two. The run re-judges on the real `last_activity_at` (never earlier).
    listed_at = format_timestamp(account.expiry_listed_at or account.last_activity_at)
    name = " ".join(part for part in (account.first_name, account.last_name) if part)
    return {
        **account_key(account.store_id, account.customer_id),
        **typed(
            {
                "store_id": account.store_id,
                "customer_id": account.customer_id,
                "status": account.status.value,
                "balance": points.balance,
                "earned": points.earned,
                "adjusted": points.adjusted,
                "redeemed": points.redeemed,
                "expired": points.expired,
                "pending": points.pending or None,
                "pending_release_at": (
                    format_timestamp(account.pending_release_at) if account.pending_release_at else None
                ),
                "revision": account.revision,
                "created_at": format_timestamp(account.created_at),
                "updated_at": format_timestamp(account.updated_at),
                "last_activity_at": activity,
                "email": account.email,
                "first_name": account.first_name,
                "last_name": account.last_name,
                "tags": list(account.tags) or None,
                "merged_into": account.merged_into,
                "merged_customer_ids": list(account.merged_customer_ids) or None,
                "status_before_exclusion": (
                    account.status_before_exclusion.value if account.status_before_exclusion else None
                ),
                # isoformat, not format_timestamp: the event's time may be any year from 1 (four digits).
                "contact_updated_at": (
                    account.contact_updated_at.astimezone(UTC).isoformat(timespec="microseconds")
                    if account.contact_updated_at
                    else None
                ),
                "erased_at": format_timestamp(account.erased_at) if account.erased_at else None,
                # The Customers index and its prefix search (merged files are not listed).
                "customers_pk": (
                    customers_partition(
                        account.store_id,
                        account.status.value,
                        shard_of(account.customer_id, CUSTOMER_SHARDS),
                    )
                    if listed
                    else None
                ),
                "customers_sk": f"{activity}#{account.customer_id}" if listed else None,
                "search_email": account.email.lower() if account.email else None,
                "search_first": account.first_name.lower() if account.first_name else None,
                "search_last": account.last_name.lower() if account.last_name else None,
                "search_name": name.lower() or None,
                "expiry_pk": (
                    expiring_partition(account.store_id, shard_of(account.customer_id, CUSTOMER_SHARDS))
                    if expiring
                    else None
                ),
                "expiry_sk": f"{listed_at}#{account.customer_id}" if expiring else None,
                "signup_settled": account.signup_settled or None,
                **tiering_attributes(account),
                # The sparse Birthdays index: the accounts with a birthday, under its day.
                "birthday": account.birthday,
                "birthdays_pk": birthdays_partition(account.birthday)
                if account.birthday and listed
                else None,
                "birthdays_sk": f"{account.store_id}#{account.customer_id}"
                if account.birthday and listed
                else None,
            }
        ),
    }


def _listed_at(item: Item) -> datetime | None:
    """The activity the Expiry index lists the account under, when it is not its last one."""
    listed = str(item.get("expiry_sk", "")).split("#", 1)[0]
    return _timestamp(listed) if listed and listed != item["last_activity_at"] else None


def account_from_item(item: Item) -> Account:
    previous = item.get("status_before_exclusion")
    release = item.get("pending_release_at")
    return Account(
        store_id=item["store_id"],
        customer_id=item["customer_id"],
        status=CustomerStatus(item["status"]),
        points=Points(
            earned=int(item["earned"]),
            adjusted=int(item["adjusted"]),
            redeemed=int(item["redeemed"]),
            expired=int(item.get("expired", 0)),  # items written before expiry existed have none
            pending=int(item.get("pending", 0)),
        ),
        revision=int(item["revision"]),
        created_at=_timestamp(item["created_at"]),
        updated_at=_timestamp(item["updated_at"]),
        last_activity_at=_timestamp(item["last_activity_at"]),
        email=item.get("email"),
        first_name=item.get("first_name"),
        last_name=item.get("last_name"),
        tags=tuple(item.get("tags", ())),
        merged_into=item.get("merged_into"),
        merged_customer_ids=tuple(item.get("merged_customer_ids", ())),
        status_before_exclusion=CustomerStatus(previous) if previous else None,
        contact_updated_at=_timestamp(contact_time)
        if (contact_time := item.get("contact_updated_at"))
        else None,
        pending_release_at=_timestamp(release) if release else None,
        expiry_listed_at=_listed_at(item),
        erased_at=_timestamp(item["erased_at"]) if "erased_at" in item else None,
        tiering=tiering_from_item(item),
        birthday=item.get("birthday"),
        signup_settled=bool(item.get("signup_settled", False)),
    )


def is_account(item: Item) -> bool:
    return item.get("sk") == "ACCOUNT"


def entry_item(entry: LedgerEntry) -> Item:
    created_at = format_timestamp(entry.created_at)
    available = format_timestamp(entry.available_at) if entry.available_at else None
    # An open pending entry is listed in the sparse Pending index until its release closes it.
    waiting = entry.open and available is not None
    return {
        **entry_key(entry.store_id, entry.entry_id),
        **typed(
            {
                "ledger_pk": account_pk(entry.store_id, entry.customer_id),
                "ledger_sk": f"{created_at}#{entry.entry_id}",
                "store_id": entry.store_id,
                "entry_id": entry.entry_id,
                "customer_id": entry.customer_id,
                "type": entry.type.value,
                "points": entry.points,
                "balance_after": entry.balance_after,
                "created_at": created_at,
                "event_id": entry.event_id,
                "reason": entry.reason,
                "order_id": entry.order_id,
                "amount": str(entry.amount) if entry.amount is not None else None,
                "currency": entry.currency,
                "shortfall": entry.shortfall,
                "counterpart_customer_id": entry.counterpart_customer_id,
                "addressed_customer_id": entry.addressed_customer_id,
                "coupon_code": entry.coupon_code,
                "points_reversed": entry.points_reversed or None,
                "available_at": available,
                "pending_moved": entry.pending_moved or None,
                "way": entry.way,
                "multiplier": str(entry.multiplier) if entry.multiplier is not None else None,
                "pending_pk": (
                    pending_partition(shard_of(f"{entry.store_id}#{entry.entry_id}", PENDING_SHARDS))
                    if waiting
                    else None
                ),
                "pending_sk": f"{available}#{entry.store_id}#{entry.entry_id}" if waiting else None,
            }
        ),
    }


def entry_from_item(item: Item) -> LedgerEntry:
    shortfall = item.get("shortfall")
    return LedgerEntry(
        store_id=item["store_id"],
        entry_id=item["entry_id"],
        customer_id=item["customer_id"],
        type=EntryType(item["type"]),
        points=int(item["points"]),
        balance_after=int(item["balance_after"]),
        created_at=_timestamp(item["created_at"]),
        event_id=item["event_id"],
        reason=item.get("reason"),
        order_id=item.get("order_id"),
        amount=Decimal(item["amount"]) if "amount" in item else None,
        currency=item.get("currency"),
        shortfall=int(shortfall) if shortfall is not None else None,
        counterpart_customer_id=item.get("counterpart_customer_id"),
        addressed_customer_id=item.get("addressed_customer_id"),
        coupon_code=item.get("coupon_code"),
        points_reversed=int(item.get("points_reversed", 0)),
        available_at=_timestamp(item["available_at"]) if "available_at" in item else None,
        open="pending_pk" in item,
        pending_moved=int(item.get("pending_moved", 0)),
        way=item.get("way"),
        multiplier=Decimal(item["multiplier"]) if "multiplier" in item else None,
    )


def claim_item(claim: EmailClaim) -> Item:
    return {
        **claim_key(claim.store_id, claim.email_key),
        **typed({"store_id": claim.store_id, "email": claim.email_key, "customer_id": claim.customer_id}),
    }


def claim_from_item(item: Item) -> EmailClaim:
    return EmailClaim(item["store_id"], item["email"], item["customer_id"])


def program_item(store_id: str, program: Program, updated_at: datetime) -> Item:
    return {
        **program_key(store_id),
        **typed(
            {
                "store_id": store_id,
                "active": program.active,
                "points_per_currency_unit": str(program.points_per_currency_unit),
                "guests_earn_points": program.guests_earn_points,
                "excluded_customer_tags": sorted(program.excluded_customer_tags) or None,
                "storefront_origins": list(program.storefront_origins) or None,
                "points_expiry_months": program.points_expiry_months,
                "pending_days": program.pending_days,
                "panel": _panel_map(program.panel),
                "events_include_email": program.events_include_email or None,
                "expiry_reminder_days": list(program.expiry_reminder_days) or None,
                "tiers": [_tier_map(tier) for tier in program.tiers] or None,
                # Stored even when it is the default: None means a lifetime window.
                "tier_window_months": program.tier_window_months or 0,
                **earn_attributes(program),
                "updated_at": format_timestamp(updated_at),
                # A program with expiry on is listed in the Expiry index's programs partition.
                "expiry_pk": EXPIRY_PROGRAMS_PARTITION if program.points_expiry_months else None,
                "expiry_sk": store_id if program.points_expiry_months else None,
            }
        ),
    }


def program_from_item(item: Item) -> Program:
    return Program(
        active=bool(item["active"]),
        points_per_currency_unit=Decimal(item["points_per_currency_unit"]),
        guests_earn_points=bool(item["guests_earn_points"]),
        excluded_customer_tags=frozenset(item.get("excluded_customer_tags", ())),
        storefront_origins=tuple(item.get("storefront_origins", ())),
        points_expiry_months=(
            int(item["points_expiry_months"]) if item.get("points_expiry_months") is not None else None
        ),
        pending_days=int(item.get("pending_days", 0)),
        panel=PanelSettings(**item.get("panel", {})),
        events_include_email=bool(item.get("events_include_email", False)),
        expiry_reminder_days=tuple(int(days) for days in item.get("expiry_reminder_days", ())),
        tiers=tuple(_tier_from_map(tier) for tier in item.get("tiers", ())),
        # Programs stored before tiers existed get the default window; 0 stands for lifetime.
        tier_window_months=int(item.get("tier_window_months", 12)) or None,
        **earn_settings(item),
    )


def _tier_map(tier: TierLevel) -> dict[str, Any]:
    return {
        "id": tier.id,
        "name": tier.name,
        "threshold": tier.threshold,
        "earn_multiplier": str(tier.earn_multiplier),
        "entry_bonus": tier.entry_bonus,
    }


def _tier_from_map(values: Mapping[str, Any]) -> TierLevel:
    return TierLevel(
        id=str(values["id"]),
        name=str(values["name"]),
        threshold=int(values["threshold"]),
        earn_multiplier=Decimal(str(values["earn_multiplier"])),
        entry_bonus=int(values["entry_bonus"]),
    )


_PANEL_FIELDS = ("name", "currency", "signup_url", "login_url", "accent_color")


def _panel_map(panel: PanelSettings) -> dict[str, str] | None:
    """The panel's settings that are set (None: none, and no attribute)."""
    values = {name: getattr(panel, name) for name in _PANEL_FIELDS if getattr(panel, name) is not None}
    return values or None


def idempotency_item(record: IdempotencyRecord) -> Item:
    return {
        **idempotency_key(record.store_id, record.key),
        **typed(
            {
                "store_id": record.store_id,
                "fingerprint": record.fingerprint,
                "status": record.status,
                "body": record.body,
                "created_at": format_timestamp(record.created_at),
                "customer_id": record.customer_id,
                # Listed per customer (and per store) in the Customers index: erasure finds them.
                "customers_pk": idempotency_partition(record.store_id, record.customer_id),
                "customers_sk": f"{format_timestamp(record.created_at)}#{record.key}",
            }
        ),
    }


def idempotency_from_item(item: Item) -> IdempotencyRecord:
    key = str(item["pk"]).split("#IDEMPOTENCY#", 1)[1]
    return IdempotencyRecord(
        store_id=item["store_id"],
        key=key,
        fingerprint=item["fingerprint"],
        status=int(item["status"]),
        body=item["body"],
        created_at=_timestamp(item["created_at"]),
        customer_id=item.get("customer_id"),
    )


def data_request_item(request: DataRequest) -> Item:
    received = format_timestamp(request.received_at)
    return {
        **data_request_key(request.store_id, request.request_id),
        **typed(
            {
                "store_id": request.store_id,
                "request_id": request.request_id,
                "customer_id": request.customer_id,
                "received_at": received,
                "customers_pk": data_requests_partition(request.store_id),
                "customers_sk": f"{received}#{request.request_id}",
            }
        ),
    }


def data_request_from_item(item: Item) -> DataRequest:
    return DataRequest(
        store_id=item["store_id"],
        request_id=item["request_id"],
        customer_id=item["customer_id"],
        received_at=_timestamp(item["received_at"]),
    )


TOTALS_FIELDS = (
    "earned",
    "adjusted",
    "redeemed",
    "unredeemed",
    "frozen",
    "members",
    "candidates",
    "excluded",
    "expired",
    "pending",
)


def totals_from_item(item: Item) -> Totals:
    return Totals(**{name: int(item.get(name, 0)) for name in TOTALS_FIELDS})
