"""Birthdays through the handlers on moto: the registration's `customer.birthday`, the back
office's PUT (404, 422, 29 February), the customer's answer, erasure, and the daily run
(BirthdayFunction) with its reruns, 28/29 February, and each store's own program."""

from __future__ import annotations

from typing import Any

import pytest

from loyalty.errors import SchemaViolation
from tests import wix_payloads as wix
from tests.support import STORE, Service, order_event, registration_event

BASE = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
}
BIRTHDAY = {"id": "birthday", "kind": "birthday", "points": 50}


def ways(service: Service, *ways_to_earn: dict[str, Any], store_id: str = STORE, **settings: Any) -> None:
    answer = service.admin(
        "PUT", "/program", {**BASE, **settings, "ways_to_earn": list(ways_to_earn)}, store_id=store_id
    )
    assert answer.status == 200, answer.body


def register(service: Service, customer_id: str, birthday: str | None, store_id: str = STORE) -> Any:
    event = registration_event(customer_id, f"{customer_id}@example.com", store_id=store_id)
    if birthday is not None:
        event["customer"]["birthday"] = birthday
    return service.register(event)


def set_birthday(service: Service, customer_id: str, birthday: Any, **kw: Any) -> Any:
    return service.admin("PUT", f"/customers/{customer_id}/birthday", {"birthday": birthday}, **kw)


def run(service: Service, time: str, **kw: Any) -> dict[str, Any]:
    return service.scheduled("BirthdayFunction", time, **kw)


def bonuses(service: Service, customer_id: str, store_id: str = STORE) -> list[str]:
    entries = service.repository.ledger(store_id, customer_id)
    return sorted(entry.entry_id for entry in entries if entry.way == "birthday")


def test_registration_keeps_the_month_and_day_and_the_customer_shows_it(service: Service) -> None:
    assert register(service, "ann", "1990-03-14").status == 200
    assert service.admin("GET", "/customers/ann").json()["birthday"] == "03-14"
    assert register(service, "bob", "02-29").status == 200
    assert service.account("bob").birthday == "02-29"
    assert register(service, "cy", None).status == 200
    assert service.admin("GET", "/customers/cy").json()["birthday"] is None


@pytest.mark.parametrize("bad", ["02-30", "13-01", "1990-02-29", "3-14", "03/14", "", "1990-3-14", 314])
def test_a_bad_birthday_is_a_422_and_writes_nothing(service: Service, bad: Any) -> None:
    before = service.snapshot()
    answer = register(service, "ann", bad)
    assert answer.status == 422, answer.body
    assert service.snapshot() == before


def test_the_back_office_sets_a_birthday(service: Service) -> None:
    assert register(service, "ann", None).status == 200
    answer = set_birthday(service, "ann", "02-29")
    assert answer.status == 200, answer.body
    assert (answer.json()["customer_id"], answer.json()["birthday"]) == ("ann", "02-29")
    revision = service.account("ann").revision
    assert set_birthday(service, "ann", "02-29").status == 200
    assert service.account("ann").revision == revision  # the same birthday again writes nothing
    assert set_birthday(service, "nobody", "03-14").status == 404
    before = service.snapshot()
    for bad in ("02-30", "2001-02-29", "00-10", "12-32", None, 314):
        assert set_birthday(service, "ann", bad).status == 422, bad
    assert service.admin("PUT", "/customers/ann/birthday", "not an object").status == 400
    assert set_birthday(service, "ann", "03-14", store_id="other", groups=["store:acme"]).status == 403
    assert service.snapshot() == before


def test_the_daily_run_pays_once_a_year_and_a_rerun_pays_nothing(service: Service) -> None:
    ways(service, BIRTHDAY)
    register(service, "ann", "03-14")
    register(service, "bob", "03-15")
    first = run(service, "2027-03-14T00:05:00Z")
    assert (first["accounts_paid"], first["birthday_points"]) == (1, 50)
    assert run(service, "2027-03-14T18:00:00Z")["accounts_paid"] == 0  # a rerun the same day
    assert run(service, "2027-03-14T00:05:00Z", event_id="another")["accounts_paid"] == 0
    assert bonuses(service, "ann") == ["birthday:ann:2027"]
    assert service.account("ann").points.balance == 50
    assert service.account("bob").points.balance == 0
    assert run(service, "2028-03-14T00:00:00Z")["accounts_paid"] == 1  # next year again
    assert bonuses(service, "ann") == ["birthday:ann:2027", "birthday:ann:2028"]
    service.assert_sound()


def test_29_february_is_celebrated_on_28_february_in_other_years(service: Service) -> None:
    ways(service, BIRTHDAY)
    register(service, "leap", "02-29")
    register(service, "eve", "02-28")
    assert run(service, "2027-02-28T00:00:00Z")["accounts_paid"] == 2
    assert run(service, "2027-03-01T00:00:00Z")["accounts_paid"] == 0
    assert run(service, "2028-02-28T00:00:00Z")["accounts_paid"] == 1  # a leap year: only eve
    assert run(service, "2028-02-29T00:00:00Z")["accounts_paid"] == 1
    assert bonuses(service, "leap") == ["birthday:leap:2027", "birthday:leap:2028"]
    assert bonuses(service, "eve") == ["birthday:eve:2027", "birthday:eve:2028"]


def test_the_run_takes_the_utc_day_of_its_time(service: Service) -> None:
    ways(service, BIRTHDAY)
    register(service, "ann", "03-14")
    assert run(service, "2027-03-13T23:30:00-01:00")["accounts_paid"] == 1  # 00:30 UTC on 03-14


def test_each_store_pays_by_its_own_program(service: Service) -> None:
    ways(service, BIRTHDAY)
    ways(service, {**BIRTHDAY, "points": 7}, store_id="shop2")
    # no birthday way in shop3: nothing there
    register(service, "ann", "05-01")
    register(service, "ann", "05-01", store_id="shop2")
    register(service, "ann", "05-01", store_id="shop3")
    assert run(service, "2027-05-01T00:00:00Z")["birthday_points"] == 57
    assert service.account("ann", "shop2").points.balance == 7
    assert service.account("ann", "shop3").points.balance == 0


@pytest.mark.parametrize(
    ("settings", "tags", "member"),
    [
        ({"active": False}, None, True),
        ({"excluded_customer_tags": ["staff"]}, ["staff"], False),
        ({"guests_earn_points": False}, None, False),
    ],
)
def test_paused_excluded_and_guests_get_nothing(
    service: Service, settings: dict[str, Any], tags: list[str] | None, member: bool
) -> None:
    ways(service, BIRTHDAY, **settings)
    assert (
        service.order(order_event("1", "ann", "0.00", email=None, tags=tags, has_account=False)).status == 200
    )
    if member:
        register(service, "ann", None)
    assert set_birthday(service, "ann", "06-01").status == 200
    assert run(service, "2027-06-01T00:00:00Z")["accounts_paid"] == 0
    assert service.account("ann").points.earned == 0


def test_erasure_forgets_the_birthday_and_its_listing(service: Service) -> None:
    ways(service, BIRTHDAY)
    register(service, "ann", "07-04")
    assert service.admin("DELETE", "/customers/ann/personal-data").status == 200
    assert service.admin("GET", "/customers/ann").json()["birthday"] is None
    item = service.items()[(f"STORE#{STORE}#CUSTOMER#ann", "ACCOUNT")]
    assert not {"birthday", "birthdays_pk", "birthdays_sk"} & set(item)
    assert run(service, "2027-07-04T00:00:00Z")["accounts_read"] == 0


def test_a_bad_scheduled_event_fails_before_reading(service: Service) -> None:
    with pytest.raises(SchemaViolation):  # the invocation fails, as the Errors alarm wants
        service.scheduled("BirthdayFunction", "not a time")


def test_a_wix_members_birthdate_becomes_its_birthday_and_a_bad_one_is_left_out(service: Service) -> None:
    entity = wix.member()
    entity["contact"]["birthdate"] = "1990-02-29"  # no such day: left out, the registration stands
    body = wix.signed("wix.members.v1.member_created", wix.member_created_event(entity))
    answer = service.api.request(
        "POST", "/webhooks/wix/members", headers={"Content-Type": "text/plain"}, body=body
    )
    assert answer.status == 200, answer.body
    assert service.account(wix.VISITOR_CONTACT, wix.INSTANCE_ID).birthday is None
    entity["contact"]["birthdate"] = "1992-02-29"
    body = wix.signed("wix.members.v1.member_updated", wix.member_updated_event(entity))
    answer = service.api.request(
        "POST", "/webhooks/wix/members", headers={"Content-Type": "text/plain"}, body=body
    )
    assert answer.status == 200, answer.body
    assert service.account(wix.VISITOR_CONTACT, wix.INSTANCE_ID).birthday == "02-29"


def test_the_customers_export_holds_the_birthday(service: Service) -> None:
    register(service, "ann", "11-02")
    exported = service.admin("GET", "/customers/ann/export")
    assert exported.status == 200, exported.body
    assert exported.json()["customer"]["birthday"] == "11-02"
