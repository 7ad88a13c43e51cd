"""The sign-up bonus (pure): paid the first time a customer becomes a member — by registration, by
an order with an account, or by being included again as a member — once per customer, ever, in the
change's own transaction; never while excluded; never by a paused program."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.commands import Buyer, OrderPlaced, PlacedOrder, Registrant, Registration
from loyalty.domain.entities import Account, Changes, CustomerStatus, EntryType, LedgerEntry, Resolved
from loyalty.domain.program import EarnKind, Program, WayToEarn
from loyalty.domain.rules.earning import decide_order
from loyalty.domain.rules.lifecycle import decide_registration
from loyalty.domain.rules.points import decide_exclusion, decide_inclusion
from loyalty.domain.rules.signup import signup_entry_id

T0 = datetime(2026, 12, 5, 10, tzinfo=UTC)
SIGNUP = WayToEarn(id="welcome", kind=EarnKind.SIGNUP, points=100)
PROGRAM = Program(ways_to_earn=(SIGNUP,), excluded_customer_tags=frozenset({"staff"}))


def registration(customer_id: str = "ann") -> Registration:
    return Registration("r1", "acme", Registrant(customer_id, f"{customer_id}@example.com"), T0)


def placed(
    order_id: str = "1001", *, has_account: bool = False, tags: tuple[str, ...] | None = None
) -> OrderPlaced:
    buyer = Buyer("ann", "ann@example.com", has_account=has_account, tags=tags)
    return OrderPlaced(f"e{order_id}", "acme", PlacedOrder(order_id, Decimal("10"), "EUR", buyer), T0)


def signups(changes: Changes | None) -> list[LedgerEntry]:
    return [entry for entry in (changes.entries if changes else ()) if entry.entry_id.startswith("signup:")]


def written(changes: Changes | None, fallback: Account | None) -> Account | None:
    return changes.accounts[0][1] if changes else fallback


def test_a_registration_pays_the_bonus_in_its_own_transaction() -> None:
    decision = decide_registration(registration(), None, None, T0, PROGRAM)
    [bonus] = signups(decision.changes)
    assert (bonus.entry_id, bonus.type, bonus.points, bonus.way) == (
        signup_entry_id("ann"),
        EntryType.BONUS,
        100,
        "welcome",
    )
    assert (
        decision.account.points.earned,
        decision.account.points.balance,
        decision.account.signup_settled,
    ) == (100, 100, True)
    assert bonus.balance_after == 100 and bonus.multiplier is None  # noqa: PT018


def test_an_order_with_an_account_pays_it_also_when_guests_may_not_earn() -> None:
    program = Program(ways_to_earn=(SIGNUP,), guests_earn_points=False)
    decision = decide_order(placed(has_account=True), None, program, T0)
    assert [entry.points for entry in signups(decision.changes)] == [100]
    assert (decision.entry.points, decision.account.points.balance) == (10, 110)
    guest = decide_order(placed(), None, program, T0)  # a guest: no account, no sign-up
    assert (signups(guest.changes), guest.entry.points) == ([], 0)
    joined = decide_order(placed("1002", has_account=True), guest.account, program, T0)
    assert [entry.points for entry in signups(joined.changes)] == [100]


def test_a_member_is_paid_once_whatever_comes_after() -> None:
    first = decide_registration(registration(), None, None, T0, PROGRAM)
    again = decide_registration(registration(), first.account, None, T0 + timedelta(days=1), PROGRAM)
    order = decide_order(placed(has_account=True), first.account, PROGRAM, T0)
    assert (signups(again.changes), signups(order.changes)) == ([], [])


def test_an_excluded_customer_is_paid_when_included_again_as_a_member_and_only_then() -> None:
    excluded = decide_order(placed(has_account=True, tags=("staff",)), None, PROGRAM, T0)
    assert (signups(excluded.changes), excluded.account.status) == ([], CustomerStatus.EXCLUDED)
    registered = decide_registration(registration(), excluded.account, None, T0, PROGRAM)
    assert signups(registered.changes) == []  # still excluded, its registration remembered
    included = decide_inclusion(Resolved(registered.account, None), T0, PROGRAM, "include:k1")
    assert [entry.points for entry in signups(included.changes)] == [100]
    member = written(included.changes, None)
    assert member is not None and member.status is CustomerStatus.MEMBER  # noqa: PT018
    out = decide_exclusion(Resolved(member, None), T0)
    back = decide_inclusion(out.result, T0, PROGRAM, "include:k2")
    assert signups(back.changes) == []


def test_a_paused_program_pays_nothing_then_or_later() -> None:
    paused = Program(active=False, ways_to_earn=(SIGNUP,))
    decision = decide_registration(registration(), None, None, T0, paused)
    assert (signups(decision.changes), decision.account.signup_settled) == ([], True)
    out = decide_exclusion(Resolved(decision.account, None), T0)
    back = decide_inclusion(out.result, T0, PROGRAM, "include:k")
    assert signups(back.changes) == []


def test_without_a_sign_up_way_nothing_is_paid_or_recorded() -> None:
    decision = decide_registration(registration(), None, None, T0, Program())
    assert (signups(decision.changes), decision.account.signup_settled) == ([], False)


steps = st.lists(
    st.sampled_from(["register", "order", "order_account", "order_staff", "exclude", "include"]), max_size=12
)


@given(steps, st.booleans())
def test_whatever_happens_a_customer_that_becomes_a_member_is_paid_exactly_once(
    chosen: list[str], active: bool
) -> None:
    program = Program(active=active, ways_to_earn=(SIGNUP,), excluded_customer_tags=frozenset({"staff"}))
    account: Account | None = None
    paid: list[LedgerEntry] = []
    became = False  # the customer became a member at some step
    for number, step in enumerate(chosen):
        changes: Changes | None
        if step == "register":
            changes = decide_registration(registration(), account, None, T0, program).changes
        elif step.startswith("order"):
            order = placed(
                str(number), has_account=step != "order", tags=("staff",) if step == "order_staff" else None
            )
            changes = decide_order(order, account, program, T0).changes
        elif account is None:
            continue
        elif step == "exclude":
            changes = decide_exclusion(Resolved(account, None), T0).changes
        else:
            changes = decide_inclusion(Resolved(account, None), T0, program, f"include:{number}").changes
        before, account = account, written(changes, account)
        if account is not None and account.status is CustomerStatus.MEMBER:
            became |= before is None or before.status is not CustomerStatus.MEMBER
        bonuses = signups(changes)
        assert all(written(changes, None).status is CustomerStatus.MEMBER for _ in bonuses)  # type: ignore[union-attr]
        paid.extend(bonuses)
    assert len(paid) == (1 if active and became else 0)
    if account is not None and paid:
        assert account.signup_settled
