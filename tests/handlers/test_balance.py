"""The storefront balance lookup: customer tokens, the answer's shape, merged ids, 404 and 422."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import jwt
import pytest

from tests.support import (
    STORE,
    TOKEN_SECRET,
    WEBHOOK_SECRET,
    Service,
    invitation_event,
    order_event,
    token_for,
)


def test_a_member_reads_its_balance(service: Service) -> None:
    # Now: the order's points count toward tiers for the window after it (12 months by default).
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    service.order({**order_event(has_account=True), "occurred_at": now})

    answer = service.balance("c-42")

    assert answer.status == 200
    document = answer.json()
    assert document == {
        "store_id": STORE,
        "customer_id": "c-42",
        "status": "member",
        "points": {"balance": 49, "earned": 49, "adjusted": 0, "redeemed": 0, "expired": 0, "pending": 0},
        "pending_release_at": None,
        "can_redeem": True,
        "reward_available": False,  # the store has no rewards
        "points_expire_at": None,
        "revision": 1,
        "created_at": document["created_at"],
        "updated_at": document["updated_at"],
        "last_activity_at": document["last_activity_at"],
        "erased_at": None,
        # Qualifying points are counted with or without tiers, so tiers added later see them.
        "tier": None,
        "next_tier": None,
        "qualifying_points": 49,
    }
    assert document["created_at"].endswith("Z")


def test_a_candidate_cannot_redeem(service: Service) -> None:
    service.order(order_event())

    document = service.balance("c-42").json()

    assert (document["status"], document["can_redeem"]) == ("candidate", False)


def test_a_merged_id_answers_with_its_member(service: Service) -> None:
    service.order(order_event("1", "guest", "10"))
    service.order(order_event("2", "member", "20", has_account=True))
    assert service.merge(invitation_event("guest", "member")).status == 200

    document = service.balance("guest").json()

    assert document["customer_id"] == "member"
    assert document["merged_from"] == "guest"
    assert document["points"]["balance"] == 30


def test_an_unknown_customer_is_404(service: Service) -> None:
    answer = service.balance("nobody")

    assert answer.status == 404
    assert answer.json()["error"] == "not_found"


def test_an_id_outside_the_allowed_characters_is_422(service: Service) -> None:
    answer = service.balance("c!42")

    assert answer.status == 422
    assert answer.json()["details"][0]["loc"] == ["path", "customer_id"]


def forged(claims: dict, key: str = TOKEN_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


NOW = int(time.time())


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-jwt",
        token_for(STORE, "someone-else"),
        token_for("other-store", "c-42"),
        token_for(STORE, "c-42", secret="another-key-that-is-at-least-32-bytes"),
        token_for(STORE, "c-42", secret=WEBHOOK_SECRET),
        token_for(STORE, "c-42", now=NOW - 7200, ttl=3600),
        token_for(STORE, "c-42", now=NOW - 62, ttl=60),
        token_for(STORE, "c-42", ttl=2 * 86400),
        forged({"sub": f"{STORE}:c-42"}),
        forged({"exp": NOW + 60}),
        forged({"sub": f"{STORE}:c-42", "exp": NOW + 60}, algorithm="HS512"),
        jwt.encode({"sub": f"{STORE}:c-42", "exp": NOW + 60}, None, algorithm="none"),
    ],
    ids=[
        "missing",
        "malformed",
        "another-customer",
        "another-store",
        "another-key",
        "webhook-secret-as-key",
        "expired",
        "expired-seconds-ago",
        "lifetime-over-24h",
        "no-exp",
        "no-sub",
        "another-algorithm",
        "alg-none",
    ],
)
def test_a_bad_token_is_401(service: Service, token: str) -> None:
    service.order(order_event(has_account=True))

    answer = service.balance("c-42", token=token)

    assert answer.status == 401
    assert answer.json()["error"] == "unauthorized"


def test_a_token_minted_by_a_clock_a_little_ahead_is_accepted(service: Service) -> None:
    """No leeway past `exp` (merchant tokens get none either), but the storefront's server is
    another clock: its `iat` a few seconds in the future is no reason to refuse the token."""
    service.order(order_event(has_account=True))

    answer = service.balance("c-42", token=token_for(STORE, "c-42", now=int(time.time()) + 30, ttl=600))

    assert answer.status == 200


def test_the_scheme_must_be_bearer(service: Service) -> None:
    service.order(order_event())

    answer = service.balance("c-42", token="", headers={"Authorization": f"Basic {token_for(STORE, 'c-42')}"})

    assert answer.status == 401
