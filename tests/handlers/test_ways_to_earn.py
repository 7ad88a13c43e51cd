"""Ways to earn and campaigns through the handlers on moto: the program keeps them (422 on any
violation, nothing written), campaigns multiply orders, the sign-up bonus is paid once per
customer, and the public program lists the ways to earn and the running campaigns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from loyalty.domain.entities import format_timestamp
from tests.support import Service

SIGNUP = {"id": "signup", "kind": "signup", "points": 100}
REVIEW = {
    "id": "review",
    "kind": "action",
    "name": "Write a review",
    "points": 25,
    "per_customer": 1,
    "per_day": None,
}
NOW = datetime.now(UTC).replace(microsecond=0)
RUNNING = {
    "id": "double",
    "name": "Double points week",
    "multiplier": "2",
    "starts_at": format_timestamp(NOW - timedelta(days=3)),
    "ends_at": format_timestamp(NOW + timedelta(days=4)),
}
PROGRAM: dict[str, Any] = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": ["staff"],
}


def configure(service: Service, **settings: Any) -> None:
    answer = service.admin("PUT", "/program", {**PROGRAM, **settings})
    assert answer.status == 200, answer.body


def test_the_program_keeps_its_ways_to_earn_and_campaigns(service: Service) -> None:
    configure(service, ways_to_earn=[SIGNUP, REVIEW], campaigns=[RUNNING])
    program = service.admin("GET", "/program").json()
    assert program["ways_to_earn"] == [
        {**SIGNUP, "name": None, "per_customer": None, "per_day": None},
        REVIEW,
    ]
    assert program["campaigns"] == [RUNNING]
    configure(service)  # left out: none
    program = service.admin("GET", "/program").json()
    assert (program["ways_to_earn"], program["campaigns"]) == ([], [])


@pytest.mark.parametrize(
    "settings",
    [
        {"ways_to_earn": [{**REVIEW, "id": f"a{n}"} for n in range(11)]},
        {"ways_to_earn": [SIGNUP, {**REVIEW, "id": "signup"}]},
        {"ways_to_earn": [SIGNUP, {**SIGNUP, "id": "welcome"}]},
        {"ways_to_earn": [{**SIGNUP, "kind": "anniversary"}]},
        {"ways_to_earn": [{**SIGNUP, "points": 0}]},
        {"ways_to_earn": [{**REVIEW, "per_day": 0}]},
        {"ways_to_earn": [{**SIGNUP, "per_customer": 2}]},
        {"ways_to_earn": [{**REVIEW, "name": None}]},
        {"campaigns": [{**RUNNING, "id": f"c{n}"} for n in range(11)]},
        {"campaigns": [RUNNING, RUNNING]},
        {"campaigns": [{**RUNNING, "multiplier": "10.5"}]},
        {"campaigns": [{**RUNNING, "multiplier": "1.234"}]},
        {"campaigns": [{**RUNNING, "ends_at": RUNNING["starts_at"]}]},
        {"campaigns": [{**RUNNING, "starts_at": "2026-12-01T00:00:00"}]},
    ],
)
def test_bad_ways_to_earn_and_campaigns_are_422_and_change_nothing(
    service: Service, settings: dict[str, Any]
) -> None:
    configure(service, ways_to_earn=[SIGNUP])
    before = service.snapshot()
    answer = service.admin("PUT", "/program", {**PROGRAM, **settings})
    assert answer.status == 422, answer.body
    assert service.snapshot() == before
