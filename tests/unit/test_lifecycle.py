"""Pure registration and merge rules."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.entities import Account, CustomerStatus, Points
from loyalty.domain.program import Program
from loyalty.domain.rules.earning import new_account
from loyalty.domain.rules.lifecycle import decide_merge, decide_registration
from loyalty.errors import Conflict, NotFound
from loyalty.http.commands import invitation, registration
from loyalty.http.models import InvitationAccepted, MemberRegistered
from tests.support import invitation_event, registration_event

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)
points = st.builds(
    Points,
    earned=st.integers(0, 10**9),
    adjusted=st.integers(-(10**6), 10**6),
    redeemed=st.integers(0, 10**6),
)


def account(
    customer_id: str, status: CustomerStatus, pts: Points | None = None, revision: int = 3
) -> Account:
    return replace(new_account("acme", customer_id, status, NOW), points=pts or Points(), revision=revision)


def merge(guest: Account | None, member: Account | None, guest_id: str = "g", member_id: str = "m"):  # type: ignore[no-untyped-def]
    event = InvitationAccepted.model_validate_json(json.dumps(invitation_event(guest_id, member_id)))
    return decide_merge(invitation(event), guest, member, NOW)


@given(points, points)
def test_a_merge_conserves_every_points_field(guest_points: Points, member_points: Points) -> None:
    decision = merge(
        account("g", CustomerStatus.CANDIDATE, guest_points),
        account("m", CustomerStatus.MEMBER, member_points),
    )
    assert decision.member.points == guest_points + member_points
    assert decision.guest.points == Points()
    assert decision.member.points.balance == guest_points.balance + member_points.balance
    entries = decision.changes.entries
    assert sum(entry.points for entry in entries) == 0
    assert (decision.guest.revision, decision.member.revision) == (4, 4)


@pytest.mark.parametrize(
    ("guest_status", "member_status"),
    [
        (CustomerStatus.MEMBER, CustomerStatus.MEMBER),
        (CustomerStatus.EXCLUDED, CustomerStatus.MEMBER),
        (CustomerStatus.CANDIDATE, CustomerStatus.CANDIDATE),
        (CustomerStatus.CANDIDATE, CustomerStatus.EXCLUDED),
        (CustomerStatus.CANDIDATE, CustomerStatus.MERGED),
    ],
)
def test_only_a_candidate_merges_into_a_member(
    guest_status: CustomerStatus, member_status: CustomerStatus
) -> None:
    with pytest.raises(Conflict):
        merge(account("g", guest_status), account("m", member_status))


def test_self_merge_is_a_conflict_before_anything_is_looked_up() -> None:
    with pytest.raises(Conflict):
        merge(None, None, "same", "same")


def test_unknown_files_are_not_found() -> None:
    with pytest.raises(NotFound):
        merge(None, account("m", CustomerStatus.MEMBER))
    with pytest.raises(NotFound):
        merge(account("g", CustomerStatus.CANDIDATE), None)


def register(current: Account | None, occurred_at: str | None = None, **changes: object):  # type: ignore[no-untyped-def]
    payload = registration_event(**changes)  # type: ignore[arg-type]
    if occurred_at is not None:
        payload["occurred_at"] = occurred_at
    event = MemberRegistered.model_validate_json(json.dumps(payload))
    return decide_registration(registration(event), current, None, NOW, Program())


@given(points)
def test_registration_keeps_every_point(pts: Points) -> None:
    decision = register(account("c-42", CustomerStatus.CANDIDATE, pts))
    assert decision.account.points == pts
    assert decision.account.status is CustomerStatus.MEMBER


def test_a_member_with_the_same_email_in_any_case_is_a_duplicate() -> None:
    member = account("c-42", CustomerStatus.MEMBER).changed(
        NOW, email="Ann@Example.com", first_name="Ann", last_name="Lee", contact_updated_at=NOW
    )
    decision = register(member, email="ANN@example.COM")
    assert decision.changes is None
    assert not decision.updated


def test_an_email_change_claims_the_new_and_releases_the_old() -> None:
    member = account("c-42", CustomerStatus.MEMBER).changed(NOW, email="old@example.com")
    changes = register(member, email="new@example.com").changes
    assert [claim.email_key for claim in changes.claims] == ["new@example.com"]
    assert [claim.email_key for claim in changes.released_claims] == ["old@example.com"]


# A member's contact details: refreshed by a newer event, never by an older one -------------------


def test_a_member_created_by_an_order_gets_its_names_from_the_registration_that_follows() -> None:
    member = account("c-42", CustomerStatus.MEMBER).changed(NOW, email="ann@example.com")

    decision = register(member)

    assert decision.updated
    after = decision.account
    assert (after.first_name, after.last_name, after.email) == ("Ann", "Lee", "ann@example.com")
    assert after.contact_updated_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert decision.changes.claims == decision.changes.released_claims == ()  # the same address
    assert after.revision == member.revision + 1
    assert after.last_activity_at == member.last_activity_at  # a new name is no points activity


def test_an_older_event_never_overwrites_newer_details() -> None:
    newer = register(None, occurred_at="2026-11-21T09:00:00Z", last_name="Newname").account

    late = register(newer, occurred_at="2026-11-20T09:00:00Z", last_name="Oldname", email="old@example.com")

    assert late.changes is None
    assert not late.updated
    assert (late.account.last_name, late.account.email) == ("Newname", "ann@example.com")


def test_a_late_registration_of_a_candidate_makes_it_a_member_but_keeps_its_newer_details() -> None:
    candidate = replace(
        account("c-42", CustomerStatus.CANDIDATE),
        email="new@example.com",
        last_name="Newname",
        contact_updated_at=datetime(2026, 11, 21, tzinfo=UTC),
    )

    decision = register(candidate, occurred_at="2026-11-20T00:00:00Z", email="old@example.com")

    assert decision.account.status is CustomerStatus.MEMBER
    assert (decision.account.email, decision.account.last_name) == ("new@example.com", "Newname")
    assert [claim.email_key for claim in decision.changes.claims] == ["new@example.com"]


details = st.tuples(
    st.sampled_from(["ann@example.com", "ann@other.example", "Ann@Example.com"]),
    st.sampled_from(["Ann", "Anna"]),
    st.sampled_from(["Lee", "Lee-Smith"]),
)


@given(st.lists(st.tuples(st.integers(0, 5), details), min_size=1, max_size=6))
def test_whatever_the_order_of_delivery_the_newest_details_win(
    deliveries: list[tuple[int, tuple[str, str, str]]],
) -> None:
    current: Account | None = None
    for hour, (email, first, last) in deliveries:
        decision = register(
            current, occurred_at=f"2026-11-20T0{hour}:00:00Z", email=email, first_name=first, last_name=last
        )
        if decision.changes is not None:
            current = decision.account
        assert current is not None
    newest_hour = max(hour for hour, _ in deliveries)
    newest = {contact for hour, contact in deliveries if hour == newest_hour}
    held = (current.email, current.first_name, current.last_name)
    # Among events of the same instant, the last delivered wins (ties are not older).
    assert held[0].lower() in {email.lower() for email, _, _ in newest}
    assert (held[1], held[2]) in {(first, last) for _, first, last in newest}
    assert current.contact_updated_at == datetime(2026, 11, 20, newest_hour, tzinfo=UTC)


def test_the_same_details_said_later_keep_their_time_so_an_older_change_cannot_undo_them() -> None:
    """A rename (09:00) and its undo (10:00) delivered in the wrong order end with the undo."""
    member = register(None, occurred_at="2026-11-20T08:00:00Z").account  # Ann Lee
    undo = register(member, occurred_at="2026-11-20T10:00:00Z")
    assert undo.duplicate
    assert not undo.updated
    assert undo.account.contact_updated_at == datetime(2026, 11, 20, 10, tzinfo=UTC)

    rename = register(undo.account, occurred_at="2026-11-20T09:00:00Z", last_name="Smith")

    assert rename.changes is None
    assert rename.account.last_name == "Lee"
