"""Pending points as pure rules: an order inside the return window, its release, a refund's
cancel, and (hypothesis) any sequence of them keeping `pending` equal to its entries and the
balance invariant."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty.domain.commands import Buyer, OrderPlaced, PlacedOrder, Refund
from loyalty.domain.entities import Account, Changes, CustomerStatus, EntryType, LedgerEntry, Points
from loyalty.domain.program import Program
from loyalty.domain.rules.earning import decide_order, new_account, order_entry_id
from loyalty.domain.rules.invariants import account_problems, pending_problems
from loyalty.domain.rules.pending import (
    available_at,
    balance_effect,
    decide_release,
    next_release_at,
    pending_effect,
    release_entry_id,
    still_pending,
)
from loyalty.domain.rules.refunds import decide_refund, repeated_refund

START = datetime(2026, 11, 20, 10, tzinfo=UTC)


def placed(order_id: str, subtotal: str, occurred_at: datetime = START) -> OrderPlaced:
    buyer = Buyer("c-1", has_account=True)
    return OrderPlaced("evt", "acme", PlacedOrder(order_id, Decimal(subtotal), "EUR", buyer), occurred_at)


@dataclass
class Books:
    """One customer's account and ledger, kept as the repository would after each commit."""

    account: Account = field(
        default_factory=lambda: new_account("acme", "c-1", CustomerStatus.MEMBER, START - timedelta(days=1))
    )
    entries: dict[str, LedgerEntry] = field(default_factory=dict)

    def apply(self, changes: Changes | None) -> None:
        if changes is None:
            return
        ((_, after),) = changes.accounts
        self.account = after
        for entry in changes.entries:
            assert entry.entry_id not in self.entries, "an entry is written once"
            self.entries[entry.entry_id] = entry
        for reversal in changes.reversals:
            entry = self.entries[reversal.order_entry.entry_id]
            assert entry.points_reversed == reversal.before
            self.entries[entry.entry_id] = replace(
                entry, points_reversed=reversal.after, open=entry.open and not reversal.closes
            )
        for closed in changes.closed:
            assert self.entries[closed.entry.entry_id].open
            self.entries[closed.entry.entry_id] = replace(closed.entry, open=False)

    def open_entries(self) -> list[LedgerEntry]:
        return [entry for entry in self.entries.values() if entry.open]

    def problems(self) -> list[str]:
        account = self.account
        ledger = list(self.entries.values())
        return account_problems(account, account.points.balance, ledger) + pending_problems(
            account, self.open_entries()
        )


def test_an_order_inside_the_window_is_pending_with_its_available_at() -> None:
    books = Books()
    decision = decide_order(placed("1", "49.90"), books.account, Program(pending_days=14), START)
    books.apply(decision.changes)

    assert decision.entry.type is EntryType.PENDING
    assert (decision.entry.points, decision.entry.balance_after, decision.entry.open) == (49, 0, True)
    assert decision.entry.available_at == START + timedelta(days=14) == available_at(START, 14)
    assert books.account.points == Points(pending=49)
    assert books.account.pending_release_at == START + timedelta(days=14)
    assert books.account.last_activity_at == START  # the order is activity
    assert books.problems() == []


def test_without_a_window_or_without_points_an_order_earns_as_before() -> None:
    books = Books()
    at_once = decide_order(placed("1", "10"), books.account, Program(), START)
    nothing = decide_order(placed("2", "10"), books.account, Program(active=False, pending_days=5), START)
    assert (at_once.entry.type, at_once.entry.open, at_once.account.points) == (
        EntryType.EARN,
        False,
        Points(earned=10),
    )
    assert (nothing.entry.type, nothing.entry.points) == (EntryType.EARN, 0)


def test_a_pending_order_keeps_the_expiry_index_where_the_balance_last_moved() -> None:
    books = Books()
    books.apply(decide_order(placed("1", "10"), books.account, Program(), START).changes)
    later = START + timedelta(days=3)
    pending = decide_order(placed("2", "10"), books.account, Program(pending_days=7), later)
    assert (pending.account.last_activity_at, pending.account.expiry_listed_at) == (later, START)
    released = decide_release(pending.entry, pending.account, later + timedelta(days=30), "run", None)
    assert released.changes is not None
    assert released.changes.accounts[0][1].expiry_listed_at is None  # the balance moved: listed anew


def test_the_release_gives_what_is_left_and_keeps_last_activity() -> None:
    books = Books()
    books.apply(decide_order(placed("1", "100"), books.account, Program(pending_days=14), START).changes)
    order = books.entries[order_entry_id("1")]
    refund = Refund("evt-r", "acme", "r1", "1", Decimal("25"))
    cancel = decide_refund(refund, order, books.account, START + timedelta(days=1))
    books.apply(cancel.changes)
    assert (cancel.outcome.points_cancelled, cancel.outcome.points_reversed) == (25, 0)
    assert repeated_refund(cancel.changes.entries[0], books.account).points_cancelled == 25

    due = START + timedelta(days=14)
    assert (
        decide_release(
            books.entries["order:1"], books.account, due - timedelta(seconds=1), "run", None
        ).changes
        is None
    )
    planned = decide_release(books.entries["order:1"], books.account, due, "run", None)
    books.apply(planned.changes)

    assert planned.result.points == 75
    (release,) = planned.changes.entries if planned.changes else ()
    assert (release.entry_id, release.type, release.points) == (release_entry_id("1"), EntryType.RELEASE, 75)
    assert books.account.points == Points(earned=75)
    assert books.account.last_activity_at == START + timedelta(days=1)
    assert books.account.pending_release_at is None
    assert books.problems() == []


def test_entry_effects_on_balance_and_pending() -> None:
    books = Books()
    decision = decide_order(placed("1", "10"), books.account, Program(pending_days=1), START)
    assert (balance_effect(decision.entry), pending_effect(decision.entry)) == (0, 10)
    assert still_pending(replace(decision.entry, points_reversed=4)) == 6
    assert still_pending(replace(decision.entry, open=False)) == 0
    later = replace(decision.entry, entry_id="order:2", available_at=START + timedelta(days=9))
    assert next_release_at([decision.entry, later], closing="order:1") == START + timedelta(days=9)
    assert next_release_at([decision.entry], closing="order:1") is None


_steps = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.integers(0, 500), st.integers(0, 30), st.integers(0, 20)),
        st.tuples(st.just("refund"), st.integers(0, 30), st.integers(1, 600), st.just(0)),
        st.tuples(st.just("release"), st.integers(0, 60), st.just(0), st.just(0)),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(_steps)
def test_any_sequence_of_orders_refunds_and_releases_keeps_pending_and_balance_sound(
    steps: list[tuple[str, int, int, int]],
) -> None:
    books = Books()
    orders: list[str] = []
    earned_by_order: dict[str, int] = {}
    for number, (kind, a, b, c) in enumerate(steps):
        now = START + timedelta(hours=number)
        if kind == "order":
            order_id = f"o{number}"
            decision = decide_order(
                placed(order_id, str(a), occurred_at=now - timedelta(days=c)),
                books.account,
                Program(pending_days=b),
                now,
            )
            books.apply(decision.changes)
            orders.append(order_id)
            earned_by_order[order_id] = decision.entry.points
        elif kind == "refund" and orders:
            order_id = orders[a % len(orders)]
            order = books.entries[order_entry_id(order_id)]
            refund = Refund("evt", "acme", f"r{number}", order_id, Decimal(b))
            decision = decide_refund(refund, order, books.account, now)
            (reversal,) = decision.changes.reversals
            left = decision.changes.accounts[0][1].points.pending
            if reversal.closes and left > 0:
                upcoming = next_release_at(books.open_entries(), order.entry_id)
                decision = decide_refund(refund, order, books.account, now, upcoming)
            books.apply(decision.changes)
        elif kind == "release":
            moment = now + timedelta(days=a)
            for entry in sorted(books.open_entries(), key=lambda each: each.entry_id):
                left = books.account.points.pending - still_pending(entry)
                others = [other for other in books.open_entries() if other.entry_id != entry.entry_id]
                upcoming = next_release_at(others, entry.entry_id) if left > 0 else None
                books.apply(decide_release(entry, books.account, moment, "run", upcoming).changes)
        assert books.problems() == []
        for order_id, earned in earned_by_order.items():
            entry = books.entries[order_entry_id(order_id)]
            assert entry.points_reversed <= earned  # never more in total than the order earned
    assert books.account.points.balance >= 0
