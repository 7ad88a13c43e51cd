"""template.yaml as CloudFormation sees it: translated by SAM, linted clean, logs kept for a
bounded time, the API's access log in a group of its own, the totals failure queue kept."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from loyalty_dev.template import TEMPLATE_PATH, load_template
from tests.deployment.stack import Stack, functions, translate

CFN_LINT = Path(sys.executable).parent / "cfn-lint"
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "status": "$context.status",
    "route": "$context.resourcePath",
    "latency": "$context.responseLatency",
    "sourceIp": "$context.identity.sourceIp",
}


def lint(path: Path) -> str:
    run = subprocess.run([str(CFN_LINT), str(path)], capture_output=True, text=True, check=False)
    return run.stdout + run.stderr


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack(translate())


def test_the_translated_template_lints_without_errors_or_warnings(tmp_path: Path) -> None:
    translated = tmp_path / "translated.json"
    translated.write_text(json.dumps(translate(), indent=1), encoding="utf-8")

    output = lint(translated)
    assert output == "", output


def test_the_template_as_written_lints_without_errors_or_warnings() -> None:
    output = lint(TEMPLATE_PATH)
    assert output == "", output


def resources_of(stack: Stack, kind: str) -> dict[str, Any]:
    return {name: resource for name, resource in stack.resources.items() if resource["Type"] == kind}


def test_every_function_logs_to_a_group_of_its_own_kept_for_the_retention_parameter(stack: Stack) -> None:
    groups = resources_of(stack, "AWS::Logs::LogGroup")
    used = []
    for function in functions(stack):
        config = stack.resources[function]["Properties"].get("LoggingConfig", {})
        assert "LogGroup" in config, f"{function} logs to a group Lambda would create, kept forever"
        (group,) = (name for name in groups if config["LogGroup"] == {"Ref": name})
        assert groups[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}
        used.append(group)
    assert len(set(used)) == len(used)
    assert stack.parameter("LogRetentionInDays") == "30"


def test_the_api_access_log_goes_to_its_own_group_with_no_bodies_or_headers(stack: Stack) -> None:
    (stage,) = resources_of(stack, "AWS::ApiGateway::Stage").values()
    setting = stage["Properties"]["AccessLogSetting"]
    (group,) = setting["DestinationArn"]["Fn::GetAtt"][:1]
    assert stack.resources[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}
    assert group not in {
        stack.resources[function]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        for function in functions(stack)
    }
    fields = json.loads(setting["Format"])
    assert fields.items() >= ACCESS_LOG_FIELDS.items()
    text = setting["Format"].lower()
    assert "$input" not in text
    assert "header" not in text
    assert "body" not in text


def test_api_gateway_has_a_role_to_write_access_logs_before_the_stage_is_made(stack: Stack) -> None:
    """Access logging needs the account's API Gateway CloudWatch role; the stage fails without it."""
    (account,) = resources_of(stack, "AWS::ApiGateway::Account").values()
    role = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    policies = stack.resolve(stack.resources[role]["Properties"]["ManagedPolicyArns"])
    assert policies == ["arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"]
    principal = stack.resources[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"Service": "apigateway.amazonaws.com"}
    (api,) = resources_of(stack, "AWS::ApiGateway::RestApi")
    assert "ApiGatewayAccount" in stack.resources[api].get("DependsOn", [])


def test_the_totals_failure_queue_keeps_its_messages_and_outlives_the_stack() -> None:
    queue = load_template().resources["TotalsDeadLetterQueue"]
    assert queue["DeletionPolicy"] == queue["UpdateReplacePolicy"] == "Retain"
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 86400  # SQS's longest


def test_the_layer_is_built_for_python_3_13_on_arm64() -> None:
    """`make validate` builds it and checks the binaries (tools/loyalty_dev/built_layer.py)."""
    layer = load_template().resources["SharedLayer"]
    assert layer["Metadata"] == {"BuildMethod": "python3.13", "BuildArchitecture": "arm64"}
    globals_ = load_template().document["Globals"]["Function"]
    assert (globals_["Runtime"], globals_["Architectures"]) == ("python3.13", ["arm64"])


def test_sam_cli_expands_the_language_extensions_the_template_uses() -> None:
    # SAM CLI expands AWS::LanguageExtensions (Fn::ForEach) only when asked: without the setting,
    # `sam build` and `sam deploy` fail on the template's first Fn::ForEach.
    raw = TEMPLATE_PATH.read_text(encoding="utf-8")
    settings = tomllib.loads((TEMPLATE_PATH.parent / "samconfig.toml").read_text(encoding="utf-8"))
    if "AWS::LanguageExtensions" in raw:
        assert settings["default"]["global"]["parameters"].get("language_extensions") is True
