"""Pure registration and merge rules."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.entities import Account, CustomerStatus, Points
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


def register(current: Account | None, **changes: object):  # type: ignore[no-untyped-def]
    event = MemberRegistered.model_validate_json(json.dumps(registration_event(**changes)))  # type: ignore[arg-type]
    return decide_registration(registration(event), current, None, NOW)


@given(points)
def test_registration_keeps_every_point(pts: Points) -> None:
    decision = register(account("c-42", CustomerStatus.CANDIDATE, pts))
    assert decision.account.points == pts
    assert decision.account.status is CustomerStatus.MEMBER


def test_a_member_with_the_same_email_in_any_case_is_a_duplicate() -> None:
    member = account("c-42", CustomerStatus.MEMBER).changed(NOW, email="Ann@Example.com")
    assert register(member, email="ANN@example.COM").changes is None


def test_an_email_change_claims_the_new_and_releases_the_old() -> None:
    member = account("c-42", CustomerStatus.MEMBER).changed(NOW, email="old@example.com")
    changes = register(member, email="new@example.com").changes
    assert [claim.email_key for claim in changes.claims] == ["new@example.com"]
    assert [claim.email_key for claim in changes.released_claims] == ["old@example.com"]
