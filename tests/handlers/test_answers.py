"""Every kind of answer the service gives is what its response model (loyalty_dev.responses, and
so openapi.yaml's generated schemas) says it is."""

from __future__ import annotations

from pydantic import BaseModel

from loyalty_dev import responses
from tests.support import Service, invitation_event, order_event, refund_event, registration_event


def conforms(model: type[BaseModel], body: object) -> None:
    model.model_validate(body, strict=True)


def test_webhook_answers_match_their_models(service: Service) -> None:
    conforms(responses.OrderResult, service.order(order_event("1001", "guest")).json())
    conforms(responses.OrderResult, service.order(order_event("1001", "guest")).json())  # duplicate
    conforms(responses.MemberResult, service.register(registration_event("member")).json())
    conforms(responses.OrderResult, service.order(order_event("1002", "member", has_account=True)).json())
    conforms(responses.MergeResult, service.merge(invitation_event("guest", "member")).json())
    conforms(responses.RefundResult, service.refund(refund_event("r-1", "1002", "10.00")).json())
    conforms(responses.Account, service.balance("guest").json())  # merged_from, on a merged id
    conforms(responses.Error, service.order({"event_id": "x"}).json())


def test_back_office_answers_match_their_models(service: Service) -> None:
    service.order(order_event("1001", "c-1"))
    conforms(responses.Program, service.admin("GET", "/program").json())
    conforms(responses.Overview, service.admin("GET", "/overview").json())
    conforms(responses.CustomerPage, service.admin("GET", "/customers", query={"status": "candidate"}).json())
    conforms(responses.Customer, service.admin("GET", "/customers/c-1").json())
    conforms(
        responses.TransactionRecorded,
        service.admin("POST", "/customers/c-1/points", {"amount": 5, "reason": "welcome"}).json(),
    )
    conforms(responses.TransactionPage, service.admin("GET", "/customers/c-1/transactions").json())
    conforms(responses.Account, service.admin("PUT", "/customers/c-1/exclusion").json())
    conforms(responses.Error, service.admin("GET", "/customers/nobody").json())
