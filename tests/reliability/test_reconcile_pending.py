"""reconcile and the return window: a store with pending, released and cancelled points is clean,
and a broken pending invariant (the pending total, the next release) is named."""

from __future__ import annotations

import pytest

from tests.reliability.test_reconcile import reconcile
from tests.support import STORE, Service, invitation_event, order_event, refund_event, registration_event

pytestmark = pytest.mark.dynamodb_local

PROGRAM = {
    "active": True,
    "points_per_currency_unit": "1",
    "guests_earn_points": True,
    "excluded_customer_tags": [],
    "pending_days": 14,
}


def traffic(service: Service) -> None:
    assert service.admin("PUT", "/program", PROGRAM).status == 200
    service.order(order_event("1", "guest", "12.50"))
    service.register(registration_event("member", "ann@example.com"))
    service.order(
        {**order_event("2", "member", "30", has_account=True), "occurred_at": "2026-11-01T10:00:00Z"}
    )
    service.merge(invitation_event("guest", "member"))
    service.refund(refund_event("r1", "1", "2.50"))
    service.scheduled("ReleaseFunction", "2026-11-15T10:00:00Z")  # order 2 released, order 1 still pending


def test_a_store_with_pending_released_and_cancelled_points_is_clean(
    service: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    traffic(service)
    account = service.account("member")
    assert (account.points.earned, account.points.pending) == (30, 10)

    assert reconcile() == 0
    assert f"{STORE}: clean" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("update", "values", "problem"),
    [
        ("SET pending = :v", {":v": {"N": "99"}}, "pending entries sum to 10, pending is 99"),
        ("SET pending_release_at = :v", {":v": {"S": "2030-01-01T00:00:00.000Z"}}, "pending_release_at is"),
    ],
    ids=["pending-total", "next-release"],
)
def test_a_broken_pending_invariant_is_named(
    service: Service, capsys: pytest.CaptureFixture[str], update: str, values: dict, problem: str
) -> None:
    traffic(service)
    service.client.update_item(
        TableName=service.table_name,
        Key={"pk": {"S": f"STORE#{STORE}#CUSTOMER#member"}, "sk": {"S": "ACCOUNT"}},
        UpdateExpression=update,
        ExpressionAttributeValues=values,
    )

    assert reconcile() == 1
    assert problem in capsys.readouterr().out
