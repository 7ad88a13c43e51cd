"""What a deployment relies on: alarms for every function and table, samconfig, no boto3 shipped."""

from __future__ import annotations

import tomllib
from typing import Any

from loyalty_dev.template import PROJECT_ROOT, load_template

TEMPLATE = load_template()
ALARMS = [
    resource["Properties"]
    for resource in TEMPLATE.resources.values()
    if resource.get("Type") == "AWS::CloudWatch::Alarm"
]


def alarmed(metric: str, dimension: str) -> set[str]:
    """Logical ids that some alarm watches `metric` of, through a `dimension` that !Refs them."""
    found = set()
    for alarm in ALARMS:
        stats = [alarm] + [
            query["MetricStat"]["Metric"] for query in alarm.get("Metrics", []) if "MetricStat" in query
        ]
        for stat in stats:
            if stat.get("MetricName") != metric:
                continue
            for item in stat.get("Dimensions", []):
                if item["Name"] == dimension and isinstance(item["Value"], dict) and "Ref" in item["Value"]:
                    found.add(item["Value"]["Ref"])
    return found


def test_every_function_has_an_errors_and_a_throttles_alarm() -> None:
    functions = set(TEMPLATE.functions())

    assert functions - alarmed("Errors", "FunctionName") == set(), "add an Errors alarm (see template.yaml)"
    assert functions - alarmed("Throttles", "FunctionName") == set(), "add a Throttles alarm"


def test_every_table_has_a_system_errors_alarm() -> None:
    assert set(TEMPLATE.tables()) - alarmed("SystemErrors", "TableName") == set()


def test_every_alarm_notifies_the_topic_when_one_is_given() -> None:
    notify: Any = {"Fn::If": ["NotifyAlarms", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}
    for alarm in ALARMS:
        assert alarm["AlarmActions"] == notify
        assert alarm["OKActions"] == notify


def test_samconfig_deploys_with_every_parameter_the_template_declares() -> None:
    config = tomllib.loads((PROJECT_ROOT / "samconfig.toml").read_text())
    overrides = config["default"]["deploy"]["parameters"]["parameter_overrides"]
    given = {item.split("=", 1)[0] for item in overrides}
    # Optional ones may be left to their defaults; these are the ones an operator must see.
    required = {
        "PointsPerCurrencyUnit",
        "GuestsEarnPoints",
        "WebhookSecretParameterName",
        "CustomerTokenSecretParameterName",
        "AlarmTopicArn",
    }
    assert required <= given
    assert given <= set(TEMPLATE.parameter_defaults())
    assert config["default"]["global"]["parameters"]["stack_name"]


def test_the_layer_does_not_ship_boto3() -> None:
    """The python3.13 runtime provides boto3; shipping another copy costs size and cold start."""
    requirements = (PROJECT_ROOT / "shared" / "requirements.txt").read_text().lower().splitlines()
    packages = {
        line.split("==")[0].strip() for line in requirements if line.strip() and not line.startswith("#")
    }
    assert not packages & {"boto3", "botocore"}
