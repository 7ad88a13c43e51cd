"""SnapStart as CloudFormation receives it (translated by SAM): every function on a runtime that
supports it snapshots its published versions, and whatever invokes a function — each API Gateway
integration and the stream's event source mapping — invokes its alias, never $LATEST (which
SnapStart never applies to)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.deployment.stack import Stack, functions, translate

# Lambda's managed runtimes with SnapStart: Python 3.12 and later (Java 11+ and .NET 8+ too).
SNAPSTART_PYTHON = re.compile(r"^python3\.(1[2-9]|[2-9][0-9])$")
INTEGRATION_URI = re.compile(
    r"^arn:aws:apigateway:\$\{AWS::Region\}:lambda:path/2015-03-31/functions/\$\{(\w+)\}/invocations$"
)


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack(translate())


def aliases(stack: Stack) -> dict[str, str]:
    """Alias resource -> the function it points at."""
    return {
        name: resource["Properties"]["FunctionName"]["Ref"]
        for name, resource in stack.resources.items()
        if resource["Type"] == "AWS::Lambda::Alias"
    }


def integrations(stack: Stack) -> list[tuple[str, str, Any]]:
    found = []
    for resource in stack.resources.values():
        if resource["Type"] != "AWS::ApiGateway::RestApi":
            continue
        for path, methods in resource["Properties"]["Body"]["paths"].items():
            for method, operation in methods.items():
                integration = operation.get("x-amazon-apigateway-integration")
                if integration is not None:
                    found.append((path, method, integration["uri"]))
    return found


def test_every_function_snapshots_its_published_versions(stack: Stack) -> None:
    names = functions(stack)
    assert len(names) >= 7
    for name in names:
        properties = stack.resources[name]["Properties"]
        runtime = properties["Runtime"]
        assert SNAPSTART_PYTHON.match(runtime), f"{name}: {runtime} has no SnapStart"
        assert properties.get("SnapStart") == {"ApplyOn": "PublishedVersions"}, name


def test_every_function_has_an_alias_on_a_published_version(stack: Stack) -> None:
    pointed = aliases(stack)
    assert sorted(pointed.values()) == functions(stack)
    for alias, function in pointed.items():
        version = stack.resources[alias]["Properties"]["FunctionVersion"]
        version_resource = stack.resources[version["Fn::GetAtt"][0]]
        assert version_resource["Type"] == "AWS::Lambda::Version"
        assert version_resource["Properties"]["FunctionName"] == {"Ref": function}


def test_every_api_integration_invokes_an_alias(stack: Stack) -> None:
    pointed = aliases(stack)
    routes = integrations(stack)
    assert len(routes) >= 20
    for path, method, uri in routes:
        found = INTEGRATION_URI.match(uri["Fn::Sub"])
        assert found, f"{method} {path}: {uri}"
        assert found.group(1) in pointed, f"{method} {path} invokes {found.group(1)}, not an alias"


def test_api_gateway_may_invoke_the_aliases_only(stack: Stack) -> None:
    pointed = aliases(stack)
    permissions = [r for r in stack.resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert permissions
    for permission in permissions:
        assert permission["Properties"]["FunctionName"]["Ref"] in pointed, permission


def test_the_stream_and_queue_mappings_invoke_their_functions_aliases(stack: Stack) -> None:
    pointed = aliases(stack)
    mappings = [r for r in stack.resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    invoked = {
        pointed.get(mapping["Properties"]["FunctionName"]["Ref"]): str(
            mapping["Properties"]["EventSourceArn"]
        )
        for mapping in mappings
    }
    assert set(invoked) == {
        "TotalsFunction",
        "EventsFunction",
        "WebhookFunction",
        "ShopRedactionFunction",
        "ImportFunction",
    }, invoked
    assert "StreamArn" in invoked["TotalsFunction"]
    assert "StreamArn" in invoked["EventsFunction"]
    assert "ImportQueue" in invoked["ImportFunction"]
    assert "ShopRedactionQueue" in invoked["ShopRedactionFunction"]


def test_the_schedules_invoke_the_expiry_release_tier_review_and_birthday_aliases_and_nothing_else(
    stack: Stack,
) -> None:
    pointed = aliases(stack)
    rules = {name: r for name, r in stack.resources.items() if r["Type"] == "AWS::Events::Rule"}
    assert len(rules) == 4
    invoked = set()
    for name, rule in rules.items():
        assert rule["Properties"]["ScheduleExpression"].startswith(("cron(", "rate("))
        ((target,),) = [[target["Arn"]["Ref"] for target in rule["Properties"]["Targets"]]]
        invoked.add(pointed.get(target))
        (permission,) = (
            r
            for r in stack.resources.values()
            if r["Type"] == "AWS::Lambda::Permission"
            and r["Properties"]["Principal"] == "events.amazonaws.com"
            and r["Properties"]["SourceArn"] == {"Fn::GetAtt": [name, "Arn"]}
        )
        assert permission["Properties"]["FunctionName"] == {"Ref": target}
    assert invoked == {"ExpiryFunction", "ReleaseFunction", "TierReviewFunction", "BirthdayFunction"}
