"""The template reader expands Fn::ForEach as CloudFormation's AWS::LanguageExtensions does."""

from __future__ import annotations

from typing import Any

from loyalty_dev import language_extensions
from loyalty_dev.template import load_template


def test_a_loop_substitutes_keys_subs_and_refs_and_nests() -> None:
    document: dict[str, Any] = {
        "Resources": {
            "Fn::ForEach::Outer": [
                "Name",
                ["A", "B"],
                {
                    "Fn::ForEach::Inner": [
                        "Kind",
                        ["X", "Y"],
                        {
                            "${Name}${Kind}Alarm": {
                                "Description": {"Fn::Sub": "${Name} has ${Kind} in ${AWS::Region}"},
                                "Plain": {"Fn::Sub": "${Name}"},
                                "Metric": {"Ref": "Kind"},
                                "Target": {"Ref": {"Fn::Sub": "${Name}"}},
                                "Other": {"Ref": "Elsewhere"},
                            }
                        },
                    ]
                },
            ]
        }
    }

    resources = language_extensions.expand(document)["Resources"]

    assert sorted(resources) == ["AXAlarm", "AYAlarm", "BXAlarm", "BYAlarm"]
    assert resources["BYAlarm"] == {
        "Description": {"Fn::Sub": "B has Y in ${AWS::Region}"},
        "Plain": "B",
        "Metric": "Y",
        "Target": {"Ref": "B"},
        "Other": {"Ref": "Elsewhere"},
    }


def test_the_template_s_alarms_are_written_once_per_kind_and_expand_to_every_function() -> None:
    template = load_template()
    alarms = {
        name: resource["Properties"]
        for name, resource in template.resources.items()
        if resource.get("Type") == "AWS::CloudWatch::Alarm"
    }

    assert not [name for name in template.resources if name.startswith("Fn::ForEach")]
    for function in template.functions():
        for metric in ("Errors", "Throttles"):
            alarm = alarms[f"{function}{metric}Alarm"]
            assert alarm["MetricName"] == metric
            assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function}}]
    source = (template.root / "template.yaml").read_text(encoding="utf-8")
    # functions, table, API, and one per dead-letter queue (the totals stream's, the events
    # stream's, the webhooks', the shop redaction's, the imports'), written one by one: a loop over the queues
    # needs Fn::GetAtt of the loop's name, which the local expander lacks
    assert source.count("Type: AWS::CloudWatch::Alarm") <= 8
