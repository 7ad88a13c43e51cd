"""The back office end to end: program, points transactions with Idempotency-Key, exclusion,
customer list and search, a customer's history, on moto."""

from __future__ import annotations

import pytest

from loyalty.domain.entities import CustomerStatus
from tests.support import STORE, Service, invitation_event, order_event, registration_event

DEFAULT_PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
    "storefront_origins": [],
    "points_expiry_months": None,
    "pending_days": 0,
    "panel": {"name": None, "currency": None, "signup_url": None, "login_url": None, "accent_color": None},
    "events_include_email": False,
    "expiry_reminder_days": [],
    "tiers": [],
    "tier_window_months": 12,
    "ways_to_earn": [],
    "campaigns": [],
}


def member(
    service: Service, customer_id: str = "ann", subtotal: str = "100", email: str | None = None
) -> None:
    service.register(registration_event(customer_id, email or f"{customer_id}@example.com"))
    service.order(order_event(f"o-{customer_id}", customer_id, subtotal))


def unchanged(service: Service, answer_call, status: int) -> dict:  # type: ignore[no-untyped-def]
    before = service.snapshot()
    answer = answer_call()
    assert answer.status == status, answer.body
    assert service.snapshot() == before
    return answer.json()


# program ----------------------------------------------------------------------------------------


def test_a_store_never_configured_answers_the_deployment_defaults(service: Service) -> None:
    assert service.admin("GET", "/program").json() == DEFAULT_PROGRAM


def test_a_stores_program_changes_how_its_orders_earn(service: Service) -> None:
    program = {**DEFAULT_PROGRAM, "points_per_currency_unit": "2.5", "excluded_customer_tags": ["Staff"]}
    answer = service.admin("PUT", "/program", program)

    assert answer.status == 200
    assert answer.json() == {**program, "excluded_customer_tags": ["staff"]}
    assert service.admin("GET", "/program").json()["points_per_currency_unit"] == "2.5"
    assert service.order(order_event("1", subtotal="10.99")).json()["points_earned"] == 27
    assert service.order(order_event("2", "other", tags=["STAFF"])).json()["points_earned"] == 0
    assert service.order(order_event("1", store_id="elsewhere")).json()["points_earned"] == 49


def test_a_paused_program_records_orders_earns_nothing_and_says_so(service: Service) -> None:
    service.admin("PUT", "/program", {**DEFAULT_PROGRAM, "active": False})

    answer = service.order(order_event())

    assert answer.json()["points_earned"] == 0
    assert answer.json()["program"] == "paused"
    assert service.repository.get_entry(STORE, "order:1001") is not None


@pytest.mark.parametrize(
    "program",
    [
        {**DEFAULT_PROGRAM, "points_per_currency_unit": 1},
        {**DEFAULT_PROGRAM, "points_per_currency_unit": "-1"},
        {**DEFAULT_PROGRAM, "active": "yes"},
        {**DEFAULT_PROGRAM, "pending_days": 91},
        {**DEFAULT_PROGRAM, "pending_days": -1},
        {"active": True},
    ],
)
def test_an_invalid_program_is_422_and_changes_nothing(service: Service, program: dict) -> None:
    unchanged(service, lambda: service.admin("PUT", "/program", program), 422)


def test_a_stores_return_window_is_saved_and_read_back(service: Service) -> None:
    assert service.admin("PUT", "/program", {**DEFAULT_PROGRAM, "pending_days": 14}).status == 200
    assert service.admin("GET", "/program").json() == {**DEFAULT_PROGRAM, "pending_days": 14}


def test_the_program_cache_serves_a_store_for_30_seconds() -> None:
    from loyalty.domain.operations.program import PROGRAM_CACHE_SECONDS, ProgramCache
    from loyalty.domain.program import Program

    now = [100.0]
    cache = ProgramCache(Program(), clock=lambda: now[0])
    cache.remember("acme", Program(active=False))
    now[0] += PROGRAM_CACHE_SECONDS
    assert cache.fresh("acme") == Program(active=False)
    now[0] += 0.001
    assert cache.fresh("acme") is None


# give or take points --------------------------------------------------------------------------


def test_giving_points_answers_201_with_the_transaction_and_the_account(service: Service) -> None:
    member(service)

    answer = service.admin("POST", "/customers/ann/points", {"amount": 50, "reason": "offline purchase"})

    assert answer.status == 201
    document = answer.json()
    assert document["transaction"]["type"] == "adjust"
    assert document["transaction"]["points"] == 50
    assert document["transaction"]["balance_after"] == 150
    assert document["transaction"]["reason"] == "offline purchase"
    assert document["account"]["points"] == {
        "balance": 150,
        "earned": 100,
        "adjusted": 50,
        "redeemed": 0,
        "expired": 0,
        "pending": 0,
    }
    service.assert_sound()


def test_points_for_an_unknown_customer_create_a_candidate(service: Service) -> None:
    answer = service.admin("POST", "/customers/newbie/points", {"amount": 5, "reason": "welcome"})

    assert answer.status == 201
    assert service.account("newbie").status is CustomerStatus.CANDIDATE


def test_taking_more_than_the_balance_is_409_and_writes_nothing(service: Service) -> None:
    member(service, subtotal="10")

    document = unchanged(
        service, lambda: service.admin("POST", "/customers/ann/points", {"amount": -11, "reason": "x"}), 409
    )

    assert document["error"] == "conflict"


def test_points_for_an_excluded_customer_are_409(service: Service) -> None:
    member(service)
    service.admin("PUT", "/customers/ann/exclusion")

    unchanged(
        service, lambda: service.admin("POST", "/customers/ann/points", {"amount": 5, "reason": "x"}), 409
    )


def test_a_repeated_idempotency_key_replays_the_first_answer_and_writes_once(service: Service) -> None:
    member(service)
    first = service.admin("POST", "/customers/ann/points", {"amount": 50, "reason": "gift"}, key="key-1")
    before = service.snapshot()

    again = service.admin("POST", "/customers/ann/points", {"amount": 50, "reason": "gift"}, key="key-1")

    assert (again.status, again.body) == (first.status, first.body)
    assert service.snapshot() == before
    assert service.account("ann").points.adjusted == 50


def test_an_idempotency_key_reused_for_another_request_is_409(service: Service) -> None:
    member(service)
    service.admin("POST", "/customers/ann/points", {"amount": 50, "reason": "gift"}, key="key-1")

    unchanged(
        service,
        lambda: service.admin("POST", "/customers/ann/points", {"amount": 60, "reason": "gift"}, key="key-1"),
        409,
    )


def test_a_failed_request_does_not_use_up_its_key(service: Service) -> None:
    member(service, subtotal="10")
    service.admin("POST", "/customers/ann/points", {"amount": -50, "reason": "x"}, key="k")
    service.order(order_event("more", "ann", "100"))

    assert (
        service.admin("POST", "/customers/ann/points", {"amount": -50, "reason": "x"}, key="k").status == 201
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"amount": 1.5, "reason": "x"},
        {"amount": "5", "reason": "x"},
        {"amount": 5},
        {"amount": 5, "reason": ""},
    ],
)
def test_an_invalid_points_request_is_422(service: Service, payload: dict) -> None:
    member(service)
    unchanged(service, lambda: service.admin("POST", "/customers/ann/points", payload), 422)


def test_an_invalid_idempotency_key_is_422(service: Service) -> None:
    member(service)
    unchanged(
        service,
        lambda: service.admin("POST", "/customers/ann/points", {"amount": 1, "reason": "x"}, key="k" * 129),
        422,
    )


# edit balance -----------------------------------------------------------------------------------


def test_editing_the_balance_adjusts_by_the_difference(service: Service) -> None:
    member(service)
    revision = service.account("ann").revision

    answer = service.admin(
        "PUT", "/customers/ann/balance", {"balance": 120, "revision": revision, "reason": "fix"}
    )

    assert answer.status == 200
    assert answer.json()["points"] == {
        "balance": 120,
        "earned": 100,
        "adjusted": 20,
        "redeemed": 0,
        "expired": 0,
        "pending": 0,
    }
    assert answer.json()["revision"] == revision + 1
    service.assert_sound()


def test_a_stale_revision_is_409(service: Service) -> None:
    member(service)
    stale = service.account("ann").revision - 1

    unchanged(
        service,
        lambda: service.admin("PUT", "/customers/ann/balance", {"balance": 1, "revision": stale}),
        409,
    )


def test_editing_an_unknown_customer_is_404(service: Service) -> None:
    unchanged(
        service, lambda: service.admin("PUT", "/customers/nobody/balance", {"balance": 1, "revision": 1}), 404
    )


# redemptions ------------------------------------------------------------------------------------


def test_a_member_redeems_points(service: Service) -> None:
    member(service)

    answer = service.admin("POST", "/customers/ann/redemptions", {"points": 30, "reward": "€3 off"})

    assert answer.status == 201
    assert answer.json()["transaction"]["points"] == -30
    assert answer.json()["account"]["points"] == {
        "balance": 70,
        "earned": 100,
        "adjusted": 0,
        "redeemed": 30,
        "expired": 0,
        "pending": 0,
    }
    service.assert_sound()


def test_a_candidate_cannot_redeem(service: Service) -> None:
    service.order(order_event("1", "guest", "100"))

    unchanged(
        service,
        lambda: service.admin("POST", "/customers/guest/redemptions", {"points": 1, "reward": "x"}),
        409,
    )


def test_redeeming_more_than_the_balance_is_409(service: Service) -> None:
    member(service, subtotal="10")

    unchanged(
        service,
        lambda: service.admin("POST", "/customers/ann/redemptions", {"points": 11, "reward": "x"}),
        409,
    )


# exclusion --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("registered", "restored"), [(True, "member"), (False, "candidate")])
def test_including_again_restores_the_status_it_had(
    service: Service, registered: bool, restored: str
) -> None:
    if registered:
        member(service)
    else:
        service.order(order_event("1", "ann", "100"))

    excluded = service.admin("PUT", "/customers/ann/exclusion")
    earned_while_excluded = service.order(order_event("2", "ann", "50")).json()["points_earned"]
    included = service.admin("DELETE", "/customers/ann/exclusion")

    assert excluded.json()["status"] == "excluded"
    assert earned_while_excluded == 0
    assert included.json()["status"] == restored
    assert included.json()["points"]["balance"] == 100
    service.assert_sound()


def test_excluding_twice_changes_nothing_the_second_time(service: Service) -> None:
    member(service)
    service.admin("PUT", "/customers/ann/exclusion")

    unchanged(service, lambda: service.admin("PUT", "/customers/ann/exclusion"), 200)


# customers and history --------------------------------------------------------------------------


def test_the_customer_list_filters_by_status_newest_activity_first_across_pages(service: Service) -> None:
    for number in range(7):
        member(service, f"m{number}")
    service.order(order_event("g", "guest", "5"))
    service.order(order_event("late", "m2", "1"))

    seen, cursor = [], None
    for _ in range(10):
        query = {"status": "member", "limit": "3", **({"cursor": cursor} if cursor else {})}
        page = service.admin("GET", "/customers", query=query).json()
        seen += [item["customer_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen[0] == "m2"
    assert sorted(seen) == [f"m{number}" for number in range(7)]
    assert len(seen) == 7
    guests = service.admin("GET", "/customers", query={"status": "candidate"}).json()["items"]
    assert [item["customer_id"] for item in guests] == ["guest"]


def test_search_matches_an_email_or_name_prefix_case_insensitively(service: Service) -> None:
    service.register(registration_event("a", "zoe@example.com", first_name="Zoé", last_name="Martin"))
    service.register(registration_event("b", "bob@example.com", first_name="Bob", last_name="Zimmer"))
    service.register(registration_event("c", "carl@example.com", first_name="Carl", last_name="Lee"))

    def search(text: str) -> list[str]:
        items = service.admin("GET", "/customers", query={"status": "member", "search": text}).json()["items"]
        return sorted(item["customer_id"] for item in items)

    assert search("Z") == ["a", "b"]
    assert search("ZOE@") == ["a"]
    assert search("bob z") == ["b"]
    assert search("lee") == ["c"]
    assert search("nobody") == []


def test_each_listed_customer_carries_its_email_and_names(service: Service) -> None:
    service.register(registration_event("ann", "ann@example.com", first_name="Ann", last_name="Lee"))
    service.order(order_event("g-1", "guest", "5", email="guest@example.com"))

    found = service.admin("GET", "/customers", query={"status": "member", "search": "ann"}).json()["items"]
    guests = service.admin("GET", "/customers", query={"status": "candidate"}).json()["items"]

    assert [
        (item["customer_id"], item["email"], item["first_name"], item["last_name"]) for item in found
    ] == [("ann", "ann@example.com", "Ann", "Lee")]
    assert found[0]["points"]["balance"] == 0  # and the account, as every answer shows it
    assert [(item["email"], item["first_name"], item["last_name"]) for item in guests] == [
        ("guest@example.com", None, None)
    ]
    assert "tags" not in found[0]  # the list keeps to what a merchant finds people by


@pytest.mark.parametrize(
    "query",
    [{"status": "gold"}, {"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"cursor": "not-a-cursor"}],
)
def test_an_invalid_list_query_is_422(service: Service, query: dict) -> None:
    assert service.admin("GET", "/customers", query=query).status == 422


def test_a_customer_shows_contact_details_and_merged_files(service: Service) -> None:
    service.order(order_event("g1", "guest", "12"))
    member(service)
    service.merge(invitation_event("guest", "ann"))

    document = service.admin("GET", "/customers/guest").json()

    assert document["customer_id"] == "ann"
    assert document["merged_from"] == "guest"
    assert document["email"] == "ann@example.com"
    assert (document["first_name"], document["last_name"]) == ("Ann", "Lee")
    assert document["merged_customer_ids"] == ["guest"]
    assert service.admin("GET", "/customers/nobody").status == 404


def test_the_history_is_newest_first_paginated_and_includes_merged_orders(service: Service) -> None:
    service.order(order_event("g1", "guest", "12"))
    service.order(order_event("g2", "guest", "7"))
    member(service)
    service.merge(invitation_event("guest", "ann"))
    service.admin("POST", "/customers/ann/redemptions", {"points": 10, "reward": "mug"})

    entries, cursor = [], None
    for _ in range(10):
        page = service.admin(
            "GET",
            "/customers/ann/transactions",
            query={"limit": "2", **({"cursor": cursor} if cursor else {})},
        ).json()
        entries += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert [entry["created_at"] for entry in entries] == sorted(
        (e["created_at"] for e in entries), reverse=True
    )
    assert entries[0]["type"] == "redeem"
    assert {entry["order_id"] for entry in entries if entry["type"] == "earn"} == {"g1", "g2", "o-ann"}
    assert len({entry["id"] for entry in entries}) == len(entries) == 6
