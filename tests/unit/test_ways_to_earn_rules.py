"""Ways to earn and campaigns in the program (pure): the wire model's 422s and the domain's own
checks behind it, and the repository's round trip of the program item."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from loyalty.domain.program import Campaign, EarnKind, Program, WayToEarn
from loyalty.domain.rules.ways_to_earn import campaigns_problem, ways_problem
from loyalty.http.models import ProgramRequest
from loyalty.repository.items import plain, program_from_item, program_item

BASE: dict[str, Any] = {"active": True, "points_per_currency_unit": "1", "guests_earn_points": True}
SIGNUP = {"id": "signup", "kind": "signup", "points": 100}
BIRTHDAY = {"id": "birthday", "kind": "birthday", "points": 50}
REVIEW = {
    "id": "review",
    "kind": "action",
    "name": "Write a review",
    "points": 25,
    "per_customer": 1,
    "per_day": None,
}
DOUBLE = {
    "id": "double",
    "name": "Double points weekend",
    "multiplier": "2",
    "starts_at": "2026-12-05T00:00:00Z",
    "ends_at": "2026-12-07T00:00:00+01:00",
}
T0 = datetime(2026, 12, 5, tzinfo=UTC)


def request(**settings: Any) -> ProgramRequest:
    return ProgramRequest.model_validate_json(json.dumps({**BASE, **settings}))


def test_a_program_takes_ways_to_earn_and_campaigns_with_times_in_utc() -> None:
    program = request(ways_to_earn=[SIGNUP, BIRTHDAY, REVIEW], campaigns=[DOUBLE])
    assert [way.kind for way in program.ways_to_earn] == ["signup", "birthday", "action"]
    campaign = program.campaigns[0]
    assert campaign.ends_at == datetime(2026, 12, 6, 23, tzinfo=UTC)
    assert campaign.ends_at.utcoffset() == timedelta(0)
    assert (request().ways_to_earn, request().campaigns) == ((), ())


@pytest.mark.parametrize(
    "settings",
    [
        {"ways_to_earn": [{**REVIEW, "id": f"a{index}"} for index in range(11)]},
        {"ways_to_earn": [SIGNUP, {**REVIEW, "id": "signup"}]},
        {"ways_to_earn": [SIGNUP, {**SIGNUP, "id": "welcome"}]},
        {"ways_to_earn": [BIRTHDAY, {**BIRTHDAY, "id": "bday"}]},
        {"ways_to_earn": [{**SIGNUP, "kind": "anniversary"}]},
        {"ways_to_earn": [{**SIGNUP, "points": 0}]},
        {"ways_to_earn": [{**SIGNUP, "points": 1_000_001}]},
        {"ways_to_earn": [{**SIGNUP, "points": "100"}]},
        {"ways_to_earn": [{**SIGNUP, "id": "Sign:up"}]},
        {"ways_to_earn": [{**SIGNUP, "per_customer": 1}]},
        {"ways_to_earn": [{**BIRTHDAY, "per_day": 1}]},
        {"ways_to_earn": [{k: v for k, v in REVIEW.items() if k != "name"}]},
        {"ways_to_earn": [{**REVIEW, "name": "  "}]},
        {"ways_to_earn": [{**REVIEW, "per_customer": 0}]},
        {"ways_to_earn": [{**REVIEW, "per_day": -1}]},
        {"ways_to_earn": [{k: v for k, v in SIGNUP.items() if k != "points"}]},
        {"ways_to_earn": {"signup": SIGNUP}},
        {"campaigns": [{**DOUBLE, "id": f"c{index}"} for index in range(11)]},
        {"campaigns": [DOUBLE, DOUBLE]},
        {"campaigns": [{**DOUBLE, "multiplier": "0.5"}]},
        {"campaigns": [{**DOUBLE, "multiplier": "10.01"}]},
        {"campaigns": [{**DOUBLE, "multiplier": "1.255"}]},
        {"campaigns": [{**DOUBLE, "multiplier": 2}]},
        {"campaigns": [{**DOUBLE, "ends_at": DOUBLE["starts_at"]}]},
        {"campaigns": [{**DOUBLE, "ends_at": "2026-12-04T23:59:59Z"}]},
        {"campaigns": [{**DOUBLE, "starts_at": "2026-12-05T00:00:00"}]},
        {"campaigns": [{**DOUBLE, "starts_at": "next saturday"}]},
        {"campaigns": [{**DOUBLE, "name": ""}]},
        {"campaigns": [{k: v for k, v in DOUBLE.items() if k != "ends_at"}]},
    ],
)
def test_the_wire_model_refuses_what_section_15_refuses(settings: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        request(**settings)


def test_a_campaign_ending_where_another_starts_and_the_boundary_multipliers_are_accepted() -> None:
    later = {
        **DOUBLE,
        "id": "later",
        "multiplier": "10.00",
        "starts_at": DOUBLE["ends_at"],
        "ends_at": "2027-01-01T00:00:00Z",
    }
    program = request(campaigns=[{**DOUBLE, "multiplier": "1"}, later])
    assert [campaign.multiplier for campaign in program.campaigns] == ["1", "10.00"]


def way(**changes: Any) -> WayToEarn:
    return WayToEarn(**{"id": "review", "kind": EarnKind.ACTION, "points": 25, "name": "Review", **changes})


def campaign(**changes: Any) -> Campaign:
    values: dict[str, Any] = {
        "id": "double",
        "name": "Double",
        "multiplier": Decimal(2),
        "starts_at": T0,
        "ends_at": T0 + timedelta(days=2),
    }
    return Campaign(**{**values, **changes})


@pytest.mark.parametrize(
    ("ways", "problem"),
    [
        ((way(),), None),
        ((way(kind=EarnKind.SIGNUP, id="signup", name=None),), None),
        (tuple(way(id=f"a{index}") for index in range(11)), "at most 10 ways to earn"),
        ((way(), way()), "way to earn ids must be unique"),
        (
            (way(kind=EarnKind.SIGNUP, id="a"), way(kind=EarnKind.SIGNUP, id="b")),
            "at most one way to earn of kind signup",
        ),
        ((way(id="Review"),), "way to earn id 'Review' must match [a-z0-9_-]{1,32}"),
        ((way(points=0),), "points are 1..1000000"),
        ((way(name=" "),), "action 'review' needs a name"),
        ((way(per_day=0),), "per_customer and per_day are null or 1..1000000"),
        ((way(kind=EarnKind.BIRTHDAY, per_customer=1),), "only actions have per_customer and per_day limits"),
    ],
)
def test_the_domain_checks_ways_to_earn_behind_the_model(
    ways: tuple[WayToEarn, ...], problem: str | None
) -> None:
    assert ways_problem(ways) == problem


@pytest.mark.parametrize(
    ("campaigns", "problem"),
    [
        ((campaign(),), None),
        (tuple(campaign(id=f"c{index}") for index in range(11)), "at most 10 campaigns"),
        ((campaign(), campaign()), "campaign ids must be unique"),
        ((campaign(multiplier=Decimal("0.99")),), "a campaign's multiplier is from 1 to 10"),
        ((campaign(multiplier=Decimal("1.001")),), "a campaign's multiplier has at most two decimals"),
        ((campaign(ends_at=T0),), "a campaign's ends_at must be after its starts_at"),
        ((campaign(starts_at=datetime(2026, 1, 1)),), "a campaign's times need a UTC offset"),  # noqa: DTZ001
        ((campaign(name=" "),), "a campaign needs a name"),
    ],
)
def test_the_domain_checks_campaigns_behind_the_model(
    campaigns: tuple[Campaign, ...], problem: str | None
) -> None:
    assert campaigns_problem(campaigns) == problem


limits = st.none() | st.integers(min_value=1, max_value=1_000_000)


@given(
    st.lists(
        st.builds(
            WayToEarn,
            id=st.from_regex(r"[a-z0-9_-]{1,32}", fullmatch=True),
            kind=st.just(EarnKind.ACTION),
            points=st.integers(1, 1_000_000),
            name=st.text(min_size=1, max_size=20).filter(str.strip),
            per_customer=limits,
            per_day=limits,
        ),
        max_size=10,
        unique_by=lambda way: way.id,
    ),
    st.lists(
        st.builds(
            Campaign,
            id=st.from_regex(r"[a-z0-9_-]{1,32}", fullmatch=True),
            name=st.just("Campaign"),
            multiplier=st.integers(100, 1000).map(lambda cents: Decimal(cents) / 100),
            starts_at=st.just(T0),
            ends_at=st.integers(1, 10**9).map(lambda ms: T0 + timedelta(milliseconds=ms)),
        ),
        max_size=10,
        unique_by=lambda campaign: campaign.id,
    ),
)
def test_valid_ways_and_campaigns_are_stored_and_read_back_as_they_were(
    ways: list[WayToEarn], campaigns: list[Campaign]
) -> None:
    assert (ways_problem(tuple(ways)), campaigns_problem(tuple(campaigns))) == (None, None)
    program = Program(ways_to_earn=tuple(ways), campaigns=tuple(campaigns))
    item = program_item("acme", program, T0)
    assert program_from_item(plain(item)) == program


def test_a_program_stored_before_ways_to_earn_reads_back_with_none() -> None:
    item = plain(program_item("acme", Program(), T0))
    assert {"ways_to_earn", "campaigns"}.isdisjoint(item)
    assert (program_from_item(item).ways_to_earn, program_from_item(item).campaigns) == ((), ())


def test_a_program_finds_its_ways_by_id_and_kind() -> None:
    signup = way(id="signup", kind=EarnKind.SIGNUP, name=None)
    program = Program(ways_to_earn=(way(), signup))
    assert (program.way("signup"), program.way("nope")) == (signup, None)
    assert (program.way_of_kind(EarnKind.SIGNUP), program.way_of_kind(EarnKind.BIRTHDAY)) == (signup, None)
