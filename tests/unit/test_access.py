"""Who may act on which store: the caller's groups, in every shape API Gateway hands them over."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.errors import Forbidden
from loyalty.http.admin.access import claims_of, groups_of, may_act_on, require_store_access

STORE_IDS = st.from_regex(r"[A-Za-z0-9._:@-]{1,20}", fullmatch=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # One group: a REST API passes the claim as the bare name.
        ("store:acme", {"store:acme"}),
        ("operators", {"operators"}),
        # Several groups, as a REST API's Cognito authorizer joins them.
        ("operators,store:acme", {"operators", "store:acme"}),
        ("store:acme,store:beta", {"store:acme", "store:beta"}),
        # The bracketed forms (HTTP APIs, older gateways, some test tools).
        ("[operators store:acme]", {"operators", "store:acme"}),
        ("[operators, store:acme]", {"operators", "store:acme"}),
        ("[store:acme]", {"store:acme"}),
        ('["operators", "store:acme"]', {"operators", "store:acme"}),
        # A real list (a test double, or a gateway that keeps JSON types).
        (["operators", "store:acme"], {"operators", "store:acme"}),
        # None.
        ("", set()),
        ("[]", set()),
        ([], set()),
        (" , ", set()),
        # Not a claim value at all.
        (42, set()),
        ({"store:acme": True}, set()),
        ('{"store:acme": 1}', {'{"store:acme":', "1}"}),
    ],
)
def test_the_groups_claim_is_read_in_every_shape(raw: Any, expected: set[str]) -> None:
    assert groups_of({"cognito:groups": raw}) == expected


@pytest.mark.parametrize("claims", [None, {}, {"sub": "x", "email": "m@example.com"}])
def test_no_claims_or_no_groups_claim_mean_no_group(claims: dict[str, str] | None) -> None:
    assert groups_of(claims) == frozenset()


@pytest.mark.parametrize(
    ("groups", "store", "allowed"),
    [
        ({"store:acme"}, "acme", True),
        ({"store:acme"}, "beta", False),
        ({"store:acme", "store:beta"}, "beta", True),
        ({"operators"}, "acme", True),
        ({"operators"}, "anything", True),
        ({"operators", "store:acme"}, "beta", True),
        (set(), "acme", False),
        # Whole names only: no prefix, suffix or case games.
        ({"store:acme2"}, "acme", False),
        ({"store:acm"}, "acme", False),
        ({"store:ACME"}, "acme", False),
        ({"Operators"}, "acme", False),
        ({"operators-readonly"}, "acme", False),
        ({"acme"}, "acme", False),
        ({"store:"}, "", False),
        # A route without a store is for operators only.
        ({"store:acme"}, None, False),
        ({"operators"}, None, True),
    ],
)
def test_operators_act_on_every_store_and_a_stores_group_on_that_store_only(
    groups: set[str], store: str | None, allowed: bool
) -> None:
    assert may_act_on(frozenset(groups), store) is allowed


@pytest.mark.parametrize(
    ("raw", "store"),
    [("store:acme2", "acme"), ("store:acme2,store:beta", "acme"), ("[store:acme2 store:xacme]", "acme")],
)
def test_a_longer_store_id_never_matches_a_shorter_one(raw: str, store: str) -> None:
    assert not may_act_on(groups_of({"cognito:groups": raw}), store)


@given(store=STORE_IDS, other=STORE_IDS)
def test_a_stores_group_allows_exactly_that_store(store: str, other: str) -> None:
    for raw in (f"store:{store}", f"[store:{store}]", f"store:{store},store:zz-{other}"):
        groups = groups_of({"cognito:groups": raw})
        assert may_act_on(groups, store)
        assert may_act_on(groups, other) is (other == store)


def event_with(authorizer: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"requestId": "r-1"}
    if authorizer is not ...:
        context["authorizer"] = authorizer
    return {"requestContext": context}


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"requestContext": None},
        event_with(...),
        event_with(None),
        event_with({}),
        event_with({"claims": None}),
        event_with({"claims": "store:acme"}),
        event_with({"principalId": "someone"}),
    ],
)
def test_an_event_without_claims_is_forbidden(event: dict[str, Any]) -> None:
    assert claims_of(event) is None
    with pytest.raises(Forbidden, match="no merchant identity"):
        require_store_access(event, "acme")


def test_a_signed_in_user_of_no_group_or_another_store_is_forbidden() -> None:
    with pytest.raises(Forbidden, match="store acme"):
        require_store_access(event_with({"claims": {"sub": "x"}}), "acme")
    with pytest.raises(Forbidden, match="store acme"):
        require_store_access(event_with({"claims": {"cognito:groups": "store:beta"}}), "acme")
    require_store_access(event_with({"claims": {"cognito:groups": "store:beta,store:acme"}}), "acme")
    require_store_access(event_with({"claims": {"cognito:groups": "operators"}}), "acme")
