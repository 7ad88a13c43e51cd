"""Outbound events as pure rules: which kinds a change is, its stable id, no personal data, and
batches of at most 10 (hypothesis for ids and batches)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.commands import Buyer, OrderPlaced, PlacedOrder
from loyalty.domain.entities import (
    Coupon,
    CouponStatus,
    CustomerStatus,
    EntryType,
    LedgerEntry,
    RewardKind,
)
from loyalty.domain.program import Program
from loyalty.domain.rules.earning import decide_order, new_account
from loyalty.domain.rules.events import (
    ENTRY_KINDS,
    MAX_ENTRIES_PER_CALL,
    EventKind,
    account_events,
    batches,
    coupon_events,
    entry_events,
    event_id,
)

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)
PERSONAL = ("Ann@Example.com", "Ann", "Lee", "vip")


def order(order_id: str = "1001", *, has_account: bool = True) -> OrderPlaced:
    buyer = Buyer("c-42", email="Ann@Example.com", has_account=has_account, tags=("vip",))
    return OrderPlaced("evt-1", "acme", PlacedOrder(order_id, Decimal("49.90"), "EUR", buyer), NOW)


def events_of_order(has_account: bool = True) -> list[tuple[EventKind, dict[str, object]]]:
    decision = decide_order(order(has_account=has_account), None, Program(), NOW)
    ((before, after),) = decision.changes.accounts
    made = [
        *account_events(before, after),
        *(e for entry in decision.changes.entries for e in entry_events(entry)),
    ]
    return [(event.kind, event.detail()) for event in made]


def test_an_order_of_an_unknown_member_is_joined_and_earned() -> None:
    kinds = [kind for kind, _ in events_of_order()]
    assert kinds == [EventKind.CUSTOMER_JOINED, EventKind.POINTS_EARNED]
    _, earned = events_of_order()[1]
    assert earned["points"] == 49
    assert earned["balance"] == 49
    assert earned["order_id"] == "1001"
    assert earned["store_id"] == "acme"
    assert earned["customer_id"] == "c-42"
    assert earned["occurred_at"] == "2026-11-20T10:00:00.000Z"


def test_an_order_of_a_guest_is_only_earned() -> None:
    assert [kind for kind, _ in events_of_order(has_account=False)] == [EventKind.POINTS_EARNED]


def test_events_carry_no_personal_data_unless_given_the_email() -> None:
    for _, detail in events_of_order():
        text = json.dumps(detail)
        assert not any(value in text for value in PERSONAL), text
    decision = decide_order(order(), None, Program(), NOW)
    (event,) = entry_events(decision.entry)
    assert event.detail("ann@example.com")["email"] == "ann@example.com"
    assert set(event.detail("ann@example.com")) - set(event.detail()) == {"email"}


def test_the_same_change_always_has_the_same_id() -> None:
    first = [detail["id"] for _, detail in events_of_order()]
    again = [detail["id"] for _, detail in events_of_order()]
    assert first == again
    assert len(set(first)) == 2
    assert all(str(value).startswith("evt_") for value in first)


def entry(entry_type: EntryType, points: int, **fields: object) -> LedgerEntry:
    return LedgerEntry(
        store_id="acme",
        entry_id=f"{entry_type.value}:x",
        customer_id="c-42",
        type=entry_type,
        points=points,
        balance_after=100 + points,
        created_at=NOW,
        event_id="evt-1",
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("entry_type", "kind"),
    [
        (EntryType.EARN, EventKind.POINTS_EARNED),
        (EntryType.PENDING, EventKind.POINTS_PENDING),
        (EntryType.RELEASE, EventKind.POINTS_RELEASED),
        (EntryType.ADJUST, EventKind.POINTS_ADJUSTED),
        (EntryType.REDEEM, EventKind.POINTS_REDEEMED),
        (EntryType.REVERSE, EventKind.POINTS_REVERSED),
        (EntryType.CANCEL, EventKind.POINTS_CANCELLED),
        (EntryType.EXPIRE, EventKind.POINTS_EXPIRED),
        (EntryType.IMPORT, EventKind.POINTS_IMPORTED),
        (EntryType.MERGE_IN, EventKind.CUSTOMER_MERGED),
        (EntryType.REFUND, EventKind.COUPON_VOIDED),
    ],
)
def test_each_ledger_entry_type_is_its_kind(entry_type: EntryType, kind: EventKind) -> None:
    (event,) = entry_events(entry(entry_type, -5 if entry_type is EntryType.EXPIRE else 5))
    assert event.kind is kind
    assert event.detail()["points"] == (-5 if entry_type is EntryType.EXPIRE else 5)


def test_points_taken_are_negative_as_in_the_ledger() -> None:
    (event,) = entry_events(entry(EntryType.REDEEM, -50, coupon_code="ABCD2345EFGH6789"))
    assert event.detail()["points"] == -50
    assert event.detail()["balance"] == 50
    assert event.detail()["coupon_code"] == "ABCD2345EFGH6789"


def test_a_merge_names_the_member_and_the_guest_and_its_outgoing_half_tells_nothing() -> None:
    (merged,) = entry_events(entry(EntryType.MERGE_IN, 12, counterpart_customer_id="c-7"))
    assert merged.detail()["customer_id"] == "c-42"
    assert merged.detail()["merged_customer_id"] == "c-7"
    assert entry_events(entry(EntryType.MERGE_OUT, -12, counterpart_customer_id="c-42")) == ()


def test_a_pending_entry_says_when_its_points_become_available() -> None:
    (event,) = entry_events(entry(EntryType.PENDING, 10, available_at=NOW + timedelta(days=14)))
    assert event.detail()["available_at"] == "2026-12-04T10:00:00.000Z"


def test_every_ledger_entry_type_but_the_merges_outgoing_half_is_told() -> None:
    assert {entry_type.value for entry_type in EntryType} - set(ENTRY_KINDS) == {"merge_out"}


def test_account_status_changes() -> None:
    candidate = new_account("acme", "c-42", CustomerStatus.CANDIDATE, NOW)
    member = candidate.changed(NOW, status=CustomerStatus.MEMBER)
    excluded = member.changed(
        NOW, status=CustomerStatus.EXCLUDED, status_before_exclusion=CustomerStatus.MEMBER
    )
    included = excluded.changed(NOW, status=CustomerStatus.MEMBER, status_before_exclusion=None)
    erased = included.revised(NOW, erased_at=NOW, email=None)

    def kinds(old: object, new: object) -> list[EventKind]:
        return [event.kind for event in account_events(old, new)]  # type: ignore[arg-type]

    assert kinds(None, candidate) == []
    assert kinds(candidate, member) == [EventKind.CUSTOMER_JOINED]
    assert kinds(member, excluded) == [EventKind.CUSTOMER_EXCLUDED]
    assert kinds(excluded, included) == [EventKind.CUSTOMER_INCLUDED]
    assert kinds(included, erased) == [EventKind.CUSTOMER_ERASED]
    assert kinds(erased, erased.changed(NOW)) == []  # an erased account's later change is not erased again
    assert kinds(member, member.changed(NOW)) == []  # points only: told by the ledger entry


def test_an_account_event_id_names_the_revision_that_made_it() -> None:
    candidate = new_account("acme", "c-42", CustomerStatus.CANDIDATE, NOW)
    member = candidate.changed(NOW, status=CustomerStatus.MEMBER)
    (first,) = account_events(candidate, member)
    (again,) = account_events(candidate, member)
    (later,) = account_events(None, replace(member, revision=member.revision + 5))
    assert first.id == again.id != later.id


def coupon(status: CouponStatus, **fields: object) -> Coupon:
    return Coupon(
        store_id="acme",
        code="ABCD2345EFGH6789",
        reward_id="ten-off",
        kind=RewardKind.AMOUNT_OFF,
        value=Decimal("10.00"),
        currency="EUR",
        points=500,
        status=status,
        customer_id="c-42",
        issued_at=NOW,
        **fields,  # type: ignore[arg-type]
    )


def test_coupons_issued_and_used() -> None:
    issued = coupon(CouponStatus.ISSUED)
    used = coupon(CouponStatus.USED, used_at=NOW + timedelta(hours=1), order_id="1002")
    (made,) = coupon_events(None, issued)
    (spent,) = coupon_events(issued, used)
    assert (made.kind, spent.kind) == (EventKind.COUPON_ISSUED, EventKind.COUPON_USED)
    assert spent.detail()["order_id"] == "1002"
    assert "order_id" not in made.detail()
    assert coupon_events(issued, coupon(CouponStatus.VOID, voided_at=NOW)) == ()  # told by the refund
    assert coupon_events(used, used) == ()


ids = st.text(alphabet="abcXYZ019._:@-", min_size=1, max_size=20)


@given(ids, ids, st.sampled_from(list(EventKind)), ids, ids)
def test_ids_differ_when_any_part_of_the_change_differs(
    store: str, other_store: str, kind: EventKind, source: str, other_source: str
) -> None:
    assert event_id(store, kind, source) == event_id(store, kind, source)
    if (store, source) != (other_store, other_source):
        assert event_id(store, kind, source) != event_id(other_store, kind, other_source)


@given(st.lists(st.integers(), max_size=95), st.integers(min_value=1, max_value=10))
def test_batches_keep_order_and_hold_at_most_ten(items: list[int], size: int) -> None:
    chunks = batches(items, size)
    assert [item for chunk in chunks for item in chunk] == items
    assert all(1 <= len(chunk) <= min(size, MAX_ENTRIES_PER_CALL) for chunk in chunks)
