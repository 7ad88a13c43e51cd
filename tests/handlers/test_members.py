"""member-registered and invitation-accepted end to end, including out-of-order delivery."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from loyalty.domain.entities import CustomerStatus, EntryType
from loyalty.domain.operations.customers import history_page
from tests.support import (
    STORE,
    Service,
    invitation_event,
    order_event,
    registration_event,
)


def unchanged(service: Service, call, status: int, error: str) -> None:  # type: ignore[no-untyped-def]
    before = service.snapshot()
    answer = call()
    assert answer.status == status, answer.body
    assert answer.json()["error"] == error
    assert answer.json()["message"]
    assert service.snapshot() == before


# member-registered ------------------------------------------------------------------------------


def test_an_unknown_customer_registers_as_a_member_with_zero_points_at_revision_one(
    service: Service,
) -> None:
    answer = service.register(registration_event())

    assert answer.status == 200
    assert answer.json() == {
        "status": "processed",
        "customer_id": "c-42",
        "customer_status": "member",
        "balance": 0,
    }
    account = service.account("c-42")
    assert (account.points.earned, account.points.adjusted, account.points.redeemed) == (0, 0, 0)
    assert account.revision == 1
    assert (account.first_name, account.last_name) == ("Ann", "Lee")
    service.assert_sound()


def test_a_candidate_registering_becomes_a_member_and_keeps_its_points(service: Service) -> None:
    service.order(order_event("1", subtotal="30"))

    answer = service.register(registration_event())

    assert answer.json() == {
        "status": "processed",
        "customer_id": "c-42",
        "customer_status": "member",
        "balance": 30,
    }
    assert service.account("c-42").revision == 2
    service.assert_sound()


def test_a_member_registering_again_is_a_duplicate_and_writes_nothing(service: Service) -> None:
    service.register(registration_event())
    before = service.snapshot()

    again = service.register(registration_event(email="ANN@example.com", event_id="evt-other"))

    assert again.json()["status"] == "duplicate"
    assert service.snapshot() == before


def test_an_excluded_customer_stays_excluded_but_its_registration_is_remembered(
    service: Service, program: Callable[..., None]
) -> None:
    program(excluded_customer_tags="staff")
    service.order(order_event("1", tags=["staff"]))

    answer = service.register(registration_event())

    assert answer.json()["customer_status"] == "excluded"
    account = service.account("c-42")
    assert account.status is CustomerStatus.EXCLUDED
    assert account.status_before_exclusion is CustomerStatus.MEMBER
    assert service.register(registration_event()).json()["status"] == "duplicate"


def test_a_second_member_with_a_held_email_is_409_and_writes_nothing(service: Service) -> None:
    service.register(registration_event("first", "ann@example.com"))
    service.order(order_event("1", "second"))

    unchanged(
        service, lambda: service.register(registration_event("second", "Ann@Example.com")), 409, "conflict"
    )
    unchanged(
        service, lambda: service.register(registration_event("third", "ANN@EXAMPLE.COM")), 409, "conflict"
    )
    assert service.account("second").status is CustomerStatus.CANDIDATE
    assert service.account("third") is None


def test_another_store_may_use_the_same_email(service: Service) -> None:
    service.register(registration_event("first"))

    answer = service.register(registration_event("first", store_id="other"))

    assert answer.json()["status"] == "processed"


def test_a_members_email_change_moves_its_claim(service: Service) -> None:
    service.register(registration_event("ann", "ann@old.example"))

    answer = service.register(registration_event("ann", "ann@new.example", event_id="evt-2"))

    assert answer.json()["status"] == "updated"
    assert service.account("ann").email == "ann@new.example"
    assert service.claim(STORE, "ann@old.example") is None
    assert service.claim(STORE, "ann@new.example").customer_id == "ann"
    # The old address is free again.
    assert service.register(registration_event("bob", "ann@old.example")).json()["status"] == "processed"
    service.assert_sound()


def test_an_email_change_to_a_held_email_is_409_and_keeps_the_old_claim(service: Service) -> None:
    service.register(registration_event("ann", "ann@example.com"))
    service.register(registration_event("bob", "bob@example.com"))

    unchanged(
        service,
        lambda: service.register(registration_event("ann", "bob@example.com", event_id="evt-2")),
        409,
        "conflict",
    )


# a member's contact details ---------------------------------------------------------------------


def at(event: dict, occurred_at: str) -> dict:
    return {**event, "occurred_at": occurred_at}


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every AWS API call made (through any botocore client) while the test runs."""
    from botocore.client import BaseClient

    calls: list[str] = []
    original = BaseClient._make_api_call

    def recording(self: BaseClient, operation_name: str, api_params: dict) -> object:
        calls.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return calls


def test_an_order_created_member_gets_its_names_from_the_registration_that_follows(
    service: Service, aws_calls: list[str]
) -> None:
    service.order(order_event("1", "c-42", "30", has_account=True))
    assert service.account("c-42").status is CustomerStatus.MEMBER
    assert service.account("c-42").first_name is None
    aws_calls.clear()

    answer = service.register(registration_event())

    assert answer.status == 200
    assert answer.json() == {
        "status": "updated",
        "customer_id": "c-42",
        "customer_status": "member",
        "balance": 30,
    }
    # A deployment tier's rerun reads the secrets from SSM on the container's first event: not the path.
    assert [call for call in aws_calls if call != "GetParameter"] == ["GetItem", "TransactWriteItems"]
    customer = service.admin("GET", "/customers/c-42").json()
    assert (customer["email"], customer["first_name"], customer["last_name"]) == (
        "ann@example.com",
        "Ann",
        "Lee",
    )
    service.assert_sound()


def test_a_newer_event_renames_a_member_and_an_older_one_delivered_late_changes_nothing(
    service: Service,
) -> None:
    service.register(at(registration_event(), "2026-11-20T10:00:00Z"))
    renamed = service.register(
        at(registration_event(last_name="Smith", event_id="evt-rename"), "2026-11-21T10:00:00Z")
    )
    assert renamed.json()["status"] == "updated"
    before = service.snapshot()

    late = service.register(
        at(
            registration_event("c-42", "ann@old.example", last_name="Old", event_id="evt-old"),
            "2026-11-20T12:00:00Z",
        )
    )

    assert late.status == 200
    assert late.json()["status"] == "duplicate"
    assert service.snapshot() == before
    account = service.account("c-42")
    assert (account.email, account.last_name) == ("ann@example.com", "Smith")
    assert service.claim(STORE, "ann@old.example") is None


@pytest.mark.parametrize(
    "occurred_at",
    [
        "0001-01-01T00:00:00+14:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999-12:00",
        "2026-11-20T12:00:00+05:30",
    ],
)
def test_any_rfc_3339_time_is_kept_and_read_back(service: Service, occurred_at: str) -> None:
    answer = service.register(at(registration_event(), occurred_at))

    assert answer.status == 200
    assert service.admin("GET", "/customers", query={"status": "member"}).status == 200
    assert service.admin("GET", "/customers/c-42").json()["last_name"] == "Lee"
    # The latest time there is: never older than the time held, so it refreshes the details.
    again = service.register(
        at(registration_event(last_name="Later", event_id="evt-later"), "9999-12-31T23:59:59.999999Z")
    )
    assert again.json()["status"] == "updated"


def test_a_refreshed_email_another_member_holds_is_409_and_writes_nothing(service: Service) -> None:
    service.register(registration_event("ann", "ann@example.com"))
    service.register(registration_event("bob", "bob@example.com"))

    unchanged(
        service,
        lambda: service.register(
            at(registration_event("ann", "BOB@example.com", last_name="New"), "2026-11-21T10:00:00Z")
        ),
        409,
        "conflict",
    )
    assert service.account("ann").last_name == "Lee"
    assert service.claim(STORE, "bob@example.com").customer_id == "bob"


# invitation-accepted ----------------------------------------------------------------------------


def guest_and_member(service: Service) -> None:
    service.order(order_event("g1", "guest", "12", email="ann@example.com"))
    service.order(order_event("g2", "guest", "7", email="ann@example.com"))
    service.register(registration_event("member", "ann@example.com"))
    service.order(order_event("m1", "member", "42"))


def test_a_merge_moves_every_point_and_archives_the_guest(service: Service) -> None:
    guest_and_member(service)
    guest_before, member_before = service.account("guest"), service.account("member")

    answer = service.merge(invitation_event("guest", "member"))

    assert answer.json() == {
        "status": "processed",
        "customer_id": "member",
        "merged_customer_id": "guest",
        "balance": 61,
    }
    guest, member = service.account("guest"), service.account("member")
    assert guest.status is CustomerStatus.MERGED
    assert guest.merged_into == "member"
    assert guest.points.balance == guest.points.earned == 0
    assert member.points.earned == 61
    assert member.merged_customer_ids == ("guest",)
    assert (guest.revision, member.revision) == (guest_before.revision + 1, member_before.revision + 1)
    types = {entry.type: entry.points for entry in service.repository.ledger(STORE, "guest")}
    assert types[EntryType.MERGE_OUT] == -19
    member_entries = list(service.repository.ledger(STORE, "member"))
    assert [(entry.type, entry.points, entry.balance_after) for entry in member_entries][-1] == (
        EntryType.MERGE_IN,
        19,
        61,
    )
    service.assert_sound()


def test_the_members_history_includes_the_guests_orders(service: Service) -> None:
    guest_and_member(service)
    service.merge(invitation_event("guest", "member"))

    history, _ = history_page(service.repository, STORE, "member", 100, None)

    orders = {entry.order_id for entry in history if entry.type is EntryType.EARN}
    assert orders == {"g1", "g2", "m1"}
    assert history == sorted(history, key=lambda entry: (entry.created_at, entry.entry_id), reverse=True)


def test_later_events_addressed_to_the_guest_act_on_the_member(service: Service) -> None:
    guest_and_member(service)
    service.merge(invitation_event("guest", "member"))

    order = service.order(order_event("g3", "guest", "5"))
    registration = service.register(registration_event("guest", "ann@example.com", event_id="evt-late"))
    balance = service.balance("guest")

    assert order.json()["customer_id"] == "member"
    assert order.json()["balance"] == 66
    assert registration.json() == {
        "status": "duplicate",
        "customer_id": "member",
        "customer_status": "member",
        "balance": 66,
    }
    assert balance.json()["customer_id"] == "member"
    assert balance.json()["merged_from"] == "guest"
    service.assert_sound()


def test_the_same_merge_again_is_a_duplicate(service: Service) -> None:
    guest_and_member(service)
    service.merge(invitation_event("guest", "member"))
    before = service.snapshot()

    again = service.merge(invitation_event("guest", "member", event_id="evt-new"))

    assert again.json()["status"] == "duplicate"
    assert again.json()["balance"] == 61
    assert service.snapshot() == before


@pytest.mark.parametrize(
    ("guest", "member", "status"),
    [
        ("guest", "guest", 409),
        ("nobody", "nobody", 409),
        ("member", "member", 409),
        ("nobody", "member", 404),
        ("guest", "nobody", 404),
        ("member", "other-member", 409),
        ("guest", "candidate", 409),
        ("guest", "excluded", 409),
    ],
    ids=[
        "self",
        "unknown-self",
        "member-self",
        "unknown-guest",
        "unknown-member",
        "member-as-guest",
        "candidate-as-target",
        "excluded-as-target",
    ],
)
def test_invalid_merges_are_rejected_and_write_nothing(
    service: Service, program: Callable[..., None], guest: str, member: str, status: int
) -> None:
    program(excluded_customer_tags="staff")
    guest_and_member(service)
    service.register(registration_event("other-member", "other@example.com"))
    service.order(order_event("c1", "candidate"))
    service.order(order_event("x1", "excluded", tags=["staff"]))

    error = "not_found" if status == 404 else "conflict"
    unchanged(service, lambda: service.merge(invitation_event(guest, member)), status, error)


def test_a_guest_merged_into_one_member_cannot_be_merged_into_another(service: Service) -> None:
    guest_and_member(service)
    service.register(registration_event("other-member", "other@example.com"))
    service.merge(invitation_event("guest", "member"))

    unchanged(service, lambda: service.merge(invitation_event("guest", "other-member")), 409, "conflict")


def test_merges_never_chain_a_member_is_never_merged_away(service: Service) -> None:
    guest_and_member(service)
    service.register(registration_event("other-member", "other@example.com"))
    service.order(order_event("c1", "guest-2"))
    service.merge(invitation_event("guest", "member"))

    # The member that received a merge cannot itself be merged, nor can the merged file
    # receive one, so every merged file points straight at a live member.
    unchanged(service, lambda: service.merge(invitation_event("member", "other-member")), 409, "conflict")
    unchanged(service, lambda: service.merge(invitation_event("guest-2", "guest")), 409, "conflict")
    for account, _ in service.repository.accounts(STORE):
        if account.status is CustomerStatus.MERGED:
            assert service.account(account.merged_into).status is CustomerStatus.MEMBER
    service.assert_sound()


# out of order -----------------------------------------------------------------------------------


def final_state(service: Service) -> dict[str, tuple]:
    return {
        account.customer_id: (
            account.status,
            account.points,
            account.merged_into,
            account.merged_customer_ids,
        )
        for account, _ in service.repository.accounts(STORE)
    }


def deliver_until_accepted(service: Service, deliveries: list[tuple[str, dict]]) -> None:
    """Deliver in order; what answered 4xx/5xx is redelivered after the rest, as platforms retry."""
    pending = list(deliveries)
    for _ in range(5):
        failed = []
        for kind, payload in pending:
            answer = getattr(service, kind)(payload)
            if answer.status != 200:
                failed.append((kind, payload))
        pending = failed
        if not pending:
            return
    raise AssertionError(f"never accepted: {pending}")


SCENARIO = [
    ("order", order_event("g1", "guest", "12")),
    ("register", registration_event("member", "ann@example.com")),
    ("order", order_event("m1", "member", "42")),
    ("merge", invitation_event("guest", "member")),
    ("order", order_event("g2", "guest", "7")),
    ("register", registration_event("member", "ann@example.com", event_id="evt-redelivered")),
]


def test_the_invitation_before_the_registration_is_404_then_succeeds_when_redelivered(
    service: Service,
) -> None:
    service.order(order_event("g1", "guest", "12"))

    early = service.merge(invitation_event("guest", "member"))
    service.register(registration_event("member", "ann@example.com"))
    redelivered = service.merge(invitation_event("guest", "member"))

    assert early.status == 404
    assert redelivered.json()["status"] == "processed"
    service.assert_sound()


@pytest.mark.parametrize(
    "order",
    [
        [0, 1, 2, 3, 4, 5],
        [3, 1, 0, 2, 4, 5],
        [4, 5, 3, 2, 1, 0],
        [1, 3, 0, 5, 2, 4],
        [5, 4, 3, 2, 1, 0],
    ],
)
def test_the_final_state_is_the_same_whatever_the_order_of_delivery(
    service: Service, order: list[int]
) -> None:
    deliver_until_accepted(service, [SCENARIO[index] for index in order])
    deliver_until_accepted(service, SCENARIO)  # and every event redelivered once more

    state = final_state(service)
    assert state["member"][0] is CustomerStatus.MEMBER
    assert state["member"][1].balance == 61
    assert state["guest"][0] is CustomerStatus.MERGED
    assert state["guest"][2] == "member"
    service.assert_sound()
