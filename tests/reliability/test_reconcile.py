"""reconcile reports a clean store after real traffic, and names every broken invariant."""

from __future__ import annotations

import os

import pytest

from loyalty_dev.reconcile import main
from tests.support import STORE, Service, invitation_event, order_event, registration_event

pytestmark = pytest.mark.dynamodb_local


def traffic(service: Service) -> None:
    service.order(order_event("1", "guest", "12.50"))
    service.register(registration_event("member", "ann@example.com"))
    service.order(order_event("2", "member", "30", has_account=True))
    service.merge(invitation_event("guest", "member"))
    service.order(order_event("3", "guest", "5"))


def reconcile() -> int:
    return main(["--store", STORE, "--table", os.environ["TABLE_NAME"]])


def test_a_store_after_real_traffic_is_clean(service: Service, capsys: pytest.CaptureFixture[str]) -> None:
    traffic(service)

    assert reconcile() == 0
    assert f"{STORE}: clean" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("key", "update", "values", "problem"),
    [
        ("member", "SET balance = :v", {":v": {"N": "1"}}, "balance 1 != earned"),
        ("member", "SET earned = :v, balance = :v", {":v": {"N": "1000"}}, "ledger sums to"),
        ("guest", "SET earned = :v, balance = :v", {":v": {"N": "0"}}, None),
        ("guest", "SET merged_into = :v", {":v": {"S": "nobody"}}, "not a live account"),
        ("guest", "SET #s = :v", {":v": {"S": "member"}}, "held by several members"),
    ],
    ids=["balance-formula", "ledger-sum", "no-op", "dangling-merge", "duplicate-email"],
)
def test_every_broken_invariant_is_reported(
    service: Service,
    capsys: pytest.CaptureFixture[str],
    key: str,
    update: str,
    values: dict,
    problem: str | None,
) -> None:
    traffic(service)
    if key == "guest" and "#s" in update:  # a second member holding the member's email
        service.client.update_item(
            TableName=service.table_name,
            Key={"pk": {"S": f"STORE#{STORE}#CUSTOMER#guest"}, "sk": {"S": "ACCOUNT"}},
            UpdateExpression="SET #s = :v, email = :e REMOVE merged_into",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={**values, ":e": {"S": "ANN@example.com"}},
        )
    else:
        service.client.update_item(
            TableName=service.table_name,
            Key={"pk": {"S": f"STORE#{STORE}#CUSTOMER#{key}"}, "sk": {"S": "ACCOUNT"}},
            UpdateExpression=update,
            ExpressionAttributeValues=values,
        )

    status = reconcile()

    output = capsys.readouterr().out
    if problem is None:
        assert status == 0
    else:
        assert status == 1
        assert problem in output
