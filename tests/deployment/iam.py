"""From recorded AWS calls to the IAM requests AWS authorizes, and their evaluation against a
function's role with moto's policy evaluator (moto.iam.access_control).

The mapping follows the Service Authorization Reference: a DynamoDB transaction is authorized per
item (Put as PutItem, Update as UpdateItem, Delete as DeleteItem, ConditionCheck as
ConditionCheckItem) on that item's table; BatchGetItem on each table it reads; Query and Scan on
the table or on `table/<name>/index/<index>`; S3's HeadObject as s3:GetObject on the object (a
pre-signed link is recorded as the call it signs); SendMessage and SendMessageBatch as
sqs:SendMessage on the queue its URL names; PutEvents as events:PutEvents on
each entry's bus; ssm:GetParameter on `parameter/<name>` with the name's
leading slash dropped (the ARN already has one). It is written by hand because no library maps
calls to actions; a call it does not know fails the tier rather than pass unchecked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult

from tests.deployment.stack import ACCOUNT, PARTITION, REGION, Policy

TRANSACTION_ITEM_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}
ONE_TABLE_OPERATIONS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable"}


@dataclass(frozen=True, order=True)
class Request:
    action: str
    resource: str


class UnmappedCall(LookupError):
    pass


def table_arn(name: str) -> str:
    return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def parameter_arn(name: str) -> str:
    return f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter/{name.removeprefix('/')}"


def event_bus_arn(name_or_arn: str) -> str:
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    return f"arn:{PARTITION}:events:{REGION}:{ACCOUNT}:event-bus/{name_or_arn}"


def requests_for(call: dict[str, Any]) -> list[Request]:
    """The (action, resource) pairs AWS checks for one recorded call."""
    service, operation, params = call["service"], call["operation"], call["params"]
    if service == "dynamodb":
        if operation in ONE_TABLE_OPERATIONS:
            return [Request(f"dynamodb:{operation}", table_arn(params["TableName"]))]
        if operation in {"Query", "Scan"}:
            resource = table_arn(params["TableName"])
            if "IndexName" in params:
                resource += f"/index/{params['IndexName']}"
            return [Request(f"dynamodb:{operation}", resource)]
        if operation in {"BatchGetItem", "BatchWriteItem"}:
            return [Request(f"dynamodb:{operation}", table_arn(name)) for name in params["RequestItems"]]
        if operation == "TransactWriteItems":
            return [
                Request(TRANSACTION_ITEM_ACTIONS[item["kind"]], table_arn(item["TableName"]))
                for item in params["TransactItems"]
            ]
        if operation == "TransactGetItems":
            return [
                Request("dynamodb:GetItem", table_arn(item["TableName"])) for item in params["TransactItems"]
            ]
    if service == "s3":  # HeadObject is authorized as GetObject; a pre-signed link as its operation
        action = {"PutObject": "s3:PutObject", "GetObject": "s3:GetObject", "HeadObject": "s3:GetObject"}.get(
            operation
        )
        if action is not None:
            return [Request(action, f"arn:{PARTITION}:s3:::{params['Bucket']}/{params['Key']}")]
    if service == "sqs" and operation in {"SendMessage", "SendMessageBatch"}:
        account, queue = str(params["QueueUrl"]).rstrip("/").split("/")[-2:]
        return [Request("sqs:SendMessage", f"arn:{PARTITION}:sqs:{REGION}:{account}:{queue}")]
    if service == "sqs" and operation in {"ChangeMessageVisibility", "ChangeMessageVisibilityBatch"}:
        account, queue = str(params["QueueUrl"]).rstrip("/").split("/")[-2:]
        return [Request("sqs:ChangeMessageVisibility", f"arn:{PARTITION}:sqs:{REGION}:{account}:{queue}")]
    if service == "events" and operation == "PutEvents":  # authorized per entry, on its bus
        return [
            Request("events:PutEvents", event_bus_arn(entry["EventBusName"])) for entry in params["Entries"]
        ]
    if service == "ssm":
        if operation == "GetParameter":
            return [Request("ssm:GetParameter", parameter_arn(params["Name"]))]
        if operation == "GetParameters":
            return [Request("ssm:GetParameters", parameter_arn(name)) for name in params["Names"]]
    raise UnmappedCall(f"{service}:{operation} has no mapping to IAM actions (tests/deployment/iam.py)")


def allowed(policies: list[Policy], request: Request) -> bool:
    """IAM's rule within one account: allowed when some statement allows and none denies."""
    results = [
        IAMPolicy(json.dumps(policy.document)).is_action_permitted(request.action, request.resource)
        for policy in policies
    ]
    return PermissionResult.PERMITTED in results and PermissionResult.DENIED not in results


def grants(policy: Policy) -> list[Request]:
    """Each (action, resource) an inline policy's Allow statements name."""
    found = []
    for statement in policy.document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        actions, resources = statement["Action"], statement["Resource"]
        for action in [actions] if isinstance(actions, str) else actions:
            for resource in [resources] if isinstance(resources, str) else resources:
                found.append(Request(action, resource))
    return found


def exercised(grant: Request, requests: set[Request]) -> bool:
    statement = IAMPolicyStatement({"Effect": "Allow", "Action": grant.action, "Resource": grant.resource})
    return any(
        statement.is_action_permitted(request.action, request.resource) == PermissionResult.PERMITTED
        for request in requests
    )
