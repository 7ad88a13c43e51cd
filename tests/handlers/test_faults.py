"""Infrastructure faults answer 503 (the platform redelivers) and nothing escapes a handler."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from loyalty.domain.operations.retries import MAX_ATTEMPTS
from loyalty.repository import Repository
from loyalty.runtime import runtime
from tests.support import Service, order_event


class FaultyClient:
    """The real DynamoDB client, but `operation` raises `error` (as botocore would, after retries)."""

    def __init__(self, client: object, operations: set[str], error: Exception) -> None:
        self._client, self._operations, self._error = client, operations, error
        self.calls = 0

    def __getattr__(self, name: str) -> object:
        if name in self._operations:
            return self._raise
        return getattr(self._client, name)

    def _raise(self, **_kwargs: object) -> None:
        self.calls += 1
        raise self._error


def use_client(
    monkeypatch: pytest.MonkeyPatch, service: Service, operations: set[str], error: Exception
) -> FaultyClient:
    faulty = FaultyClient(service.client, operations, error)
    monkeypatch.setattr(runtime(), "repository", Repository(service.table_name, faulty))
    return faulty


def failing(error: Exception):  # type: ignore[no-untyped-def]
    def raise_it(*_args: object, **_kwargs: object) -> None:
        raise error

    return raise_it


def client_error(code: str, operation: str = "TransactWriteItems") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, operation)


@pytest.mark.parametrize(
    "error",
    [
        client_error("ProvisionedThroughputExceededException"),
        client_error("ThrottlingException"),
        client_error("InternalServerError"),
        EndpointConnectionError(endpoint_url="http://localhost:1"),
    ],
    ids=["throughput", "throttling", "internal", "unreachable"],
)
def test_a_transient_fault_is_503_with_a_json_body(
    service: Service, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    use_client(monkeypatch, service, {"get_item", "batch_get_item"}, error)

    answer = service.order(order_event())

    assert answer.status == 503
    assert answer.json()["error"] == "service_unavailable"


def test_a_transaction_cancelled_by_throttling_is_503(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    cancelled = ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": "ThrottlingError"}, {"Code": "None"}],
        },
        "TransactWriteItems",
    )
    use_client(monkeypatch, service, {"transact_write_items"}, cancelled)

    answer = service.order(order_event())

    assert answer.status == 503
    assert service.snapshot() == []
    monkeypatch.undo()
    assert service.order(order_event()).json()["status"] == "processed"


def test_endless_contention_is_503_after_bounded_retries(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    conflict = ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}],
        },
        "TransactWriteItems",
    )
    faulty = use_client(monkeypatch, service, {"transact_write_items"}, conflict)
    monkeypatch.setattr("loyalty.domain.operations.retries.time.sleep", lambda _: None)

    answer = service.order(order_event())

    assert answer.status == 503
    assert faulty.calls == MAX_ATTEMPTS


def test_an_unexpected_error_is_a_json_500_and_never_escapes(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Repository, "get_account_and_program", failing(RuntimeError("boom")))

    answer = service.order(order_event())

    assert answer.status == 500
    assert answer.json() == {"error": "internal_error", "message": "internal error"}


def test_a_weak_secret_is_a_configuration_error_not_a_crash(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loyalty.runtime import reset_runtime

    monkeypatch.setenv("LOYALTY_WEBHOOK_SECRET", "short")
    reset_runtime()

    answer = service.order(order_event())

    assert answer.status == 500
    assert answer.json()["error"] == "configuration_error"


def test_an_unknown_route_is_a_json_404(service: Service) -> None:
    answer = service.api.request("GET", "/nowhere")

    assert answer.status == 404
    assert answer.json()["error"] == "not_found"
