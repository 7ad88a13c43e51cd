"""Pure privacy rules: which events may store contact details after an erasure, what an erasure
changes (and keeps), and what is left of a stored answer."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.commands import Buyer, OrderPlaced, PlacedOrder, Registrant, Registration
from loyalty.domain.entities import Account, CustomerStatus, Points
from loyalty.domain.program import Program
from loyalty.domain.rules.earning import decide_order
from loyalty.domain.rules.lifecycle import decide_registration
from loyalty.domain.rules.privacy import contact_allowed, erased, erasure
from loyalty.http.privacy_views import scrub_answer

ERASED_AT = datetime(2026, 12, 1, 12, tzinfo=UTC)
moments = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 — hypothesis takes naive bounds
    max_value=datetime(2030, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def member(**changes: object) -> Account:
    account = Account(
        "acme",
        "c-1",
        CustomerStatus.MEMBER,
        Points(earned=120, adjusted=5, redeemed=50),
        7,
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 6, 1, tzinfo=UTC),
        datetime(2026, 6, 1, tzinfo=UTC),
        email="Ann@Example.com",
        first_name="Ann",
        last_name="Lee",
        tags=("vip",),
    )
    return replace(account, **changes)  # type: ignore[arg-type]


@given(moments)
def test_an_account_never_erased_takes_contact_from_any_event(occurred_at: datetime) -> None:
    assert contact_allowed(None, occurred_at)
    assert contact_allowed(None, None)


@given(moments)
def test_after_an_erasure_only_a_later_event_may_store_contact(occurred_at: datetime) -> None:
    assert contact_allowed(ERASED_AT, occurred_at) is (occurred_at >= ERASED_AT)
    assert not contact_allowed(ERASED_AT, None)  # undated: treated as old


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_erasure_keeps_the_numbers_and_removes_the_contact(earned: int, redeemed: int) -> None:
    before = member(points=Points(earned=earned + redeemed, redeemed=redeemed))
    after = erased(before, ERASED_AT)

    assert (after.email, after.first_name, after.last_name, after.tags) == (None, None, None, ())
    assert after.points == before.points
    assert after.last_activity_at == before.last_activity_at  # expiry is not restarted
    assert (after.revision, after.erased_at) == (before.revision + 1, ERASED_AT)


def test_erasure_releases_the_email_and_a_repeat_changes_nothing() -> None:
    changes = erasure((member(),), ERASED_AT)

    assert changes is not None
    assert [claim.email_key for claim in changes.released_claims] == ["ann@example.com"]
    assert erasure((changes.accounts[0][1],), ERASED_AT + timedelta(hours=1)) is None


def test_an_old_order_after_erasure_earns_but_stores_no_contact() -> None:
    account = erased(member(), ERASED_AT)
    order = OrderPlaced(
        "e-1",
        "acme",
        PlacedOrder("o-9", Decimal("10"), "EUR", Buyer("c-1", "ann@example.com", True, ("vip",))),
        occurred_at=ERASED_AT - timedelta(days=3),
    )

    decision = decide_order(order, account, Program(), ERASED_AT + timedelta(days=1))

    assert decision.entry.points == 10
    assert (decision.account.email, decision.account.tags) == (None, ())
    assert decision.changes.claims == ()


def test_a_later_order_is_a_new_relationship() -> None:
    account = erased(member(), ERASED_AT)
    order = OrderPlaced(
        "e-1",
        "acme",
        PlacedOrder("o-9", Decimal("10"), "EUR", Buyer("c-1", "new@example.com", True, ("vip",))),
        occurred_at=ERASED_AT + timedelta(days=3),
    )

    assert decide_order(order, account, Program(), ERASED_AT + timedelta(days=4)).account.tags == ("vip",)


def test_an_old_registration_after_erasure_changes_nothing() -> None:
    account = erased(member(), ERASED_AT)
    event = Registration("e-2", "acme", Registrant("c-1", "ann@example.com", "Ann"), ERASED_AT - timedelta(1))

    assert decide_registration(event, account, None, ERASED_AT, Program()).changes is None


@given(
    st.recursive(
        st.text() | st.integers() | st.none(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_a_scrubbed_answer_keeps_its_shape_and_holds_no_personal_field(document: object) -> None:
    body = json.dumps({"account": {"email": "a@b.co", "first_name": "Ann", "tags": ["x"]}, "extra": document})

    scrubbed = json.loads(scrub_answer(body))

    assert scrubbed["account"] == {"email": None, "first_name": None, "tags": []}
    assert scrub_answer("not json") == "not json"
