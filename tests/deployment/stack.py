"""template.yaml as CloudFormation receives it: translated by the SAM translator, its functions'
roles read out of the result with their intrinsic functions resolved for one test stack.

`sam deploy` uploads the code and hands the template to CloudFormation, which runs the
AWS::Serverless transform; here the translator package does the same offline (it ships its map of
AWS managed policy names to ARNs), with the code locations replaced by S3 URIs as `sam package`
replaces them.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import boto3
from moto.iam.aws_managed_policies import aws_managed_policies_data
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

from loyalty_dev import language_extensions
from loyalty_dev.template import TEMPLATE_PATH

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
PARTITION = "aws"
STACK = "loyalty"


def translate(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    return copy.deepcopy(_translate(path.resolve()))


@cache
def _translate(path: Path) -> dict[str, Any]:
    # CloudFormation runs AWS::LanguageExtensions (Fn::ForEach) before the Serverless transform.
    template = language_extensions.expand(yaml_parse(path.read_text(encoding="utf-8")))
    for name, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = f"s3://loyalty-artifacts/{name}.zip"
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=REGION))
    translated: dict[str, Any] = translator.translate(
        template, parameter_values={}, get_managed_policy_map=lambda: {}
    )
    return json.loads(json.dumps(translated))  # plain dicts and lists


def bucket_name(logical_id: str) -> str:
    """A bucket as a test run names it: S3 takes lower case only."""
    return logical_id.lower()


class Unresolvable(ValueError):
    pass


@dataclass(frozen=True)
class Stack:
    """Physical names as a local run sees them: a table or queue is named by its logical id."""

    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.template["Resources"])

    def parameter(self, name: str) -> str:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": PARTITION,
            "AWS::StackName": STACK,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        spec = self.template.get("Parameters", {}).get(name)
        if spec is None or "Default" not in spec:
            raise Unresolvable(f"no value for parameter {name}")
        return str(spec["Default"])

    def ref(self, name: str) -> str:
        if name.startswith("AWS::") or name in self.template.get("Parameters", {}):
            return self.parameter(name)
        kind = self.resources[name]["Type"]
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
        if kind == "AWS::S3::Bucket":
            return bucket_name(name)
        return name

    def get_att(self, name: str, attribute: str) -> str:
        kind = self.resources[name]["Type"]
        table = f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
        found = {
            ("AWS::DynamoDB::Table", "Arn"): table,
            ("AWS::DynamoDB::Table", "StreamArn"): f"{table}/stream/2026-01-01T00:00:00.000",
            ("AWS::SQS::Queue", "Arn"): f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{name}",
            ("AWS::SQS::Queue", "QueueName"): name,
            ("AWS::Logs::LogGroup", "Arn"): f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{name}:*",
            ("AWS::IAM::Role", "Arn"): f"arn:{PARTITION}:iam::{ACCOUNT}:role/{name}",
            ("AWS::S3::Bucket", "Arn"): f"arn:{PARTITION}:s3:::{bucket_name(name)}",
            ("AWS::Events::EventBus", "Arn"): f"arn:{PARTITION}:events:{REGION}:{ACCOUNT}:event-bus/{name}",
        }.get((kind, attribute))
        if found is None:
            raise Unresolvable(f"!GetAtt {name}.{attribute}")
        return found

    def resolve(self, value: Any) -> Any:
        """Ref, GetAtt, Sub, Join, Select and Split as CloudFormation evaluates them."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {key: self.resolve(item) for key, item in value.items()}
        ((key, argument),) = value.items()
        if key == "Ref":
            return self.ref(argument)
        if key == "Fn::GetAtt":
            name, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return self.get_att(name, attribute)
        if key == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            return self._sub(text, {name: self.resolve(item) for name, item in variables.items()})
        if key == "Fn::Join":
            separator, items = argument
            return separator.join(str(item) for item in self.resolve(items))
        if key == "Fn::Select":
            index, items = argument[0], self.resolve(argument[1])
            return items[int(self.resolve(index))]
        if key == "Fn::Split":
            # CloudFormation takes exactly two arguments (cfn-lint E1019 on the translated
            # template says so); evaluated on its first two to show what it would grant.
            separator, text = argument[0], self.resolve(argument[1])
            return str(text).split(separator)
        if key.startswith("Fn::") or key == "Condition":
            raise Unresolvable(f"{key} is not resolved here")
        return {key: self.resolve(argument)}

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name:
                resource, attribute = name.split(".", 1)
                return self.get_att(resource, attribute)
            return self.ref(name)

        return re.sub(r"\$\{([^}]+)\}", replace, text)


@dataclass(frozen=True)
class Policy:
    name: str  # the inline policy's name, or the managed policy's
    document: dict[str, Any]
    managed: bool


def function_role_policies(stack: Stack, function: str) -> list[Policy]:
    """Every policy on the function's execution role: inline ones resolved, managed ones with the
    statements AWS publishes for them (moto ships that set)."""
    role_ref = stack.resources[function]["Properties"]["Role"]
    role_name = role_ref["Fn::GetAtt"][0]
    role = stack.resources[role_name]["Properties"]
    policies = [
        Policy(str(policy["PolicyName"]), stack.resolve(policy["PolicyDocument"]), managed=False)
        for policy in role.get("Policies", [])
    ]
    for arn in stack.resolve(role.get("ManagedPolicyArns", [])):
        name = str(arn).rsplit("/", 1)[1]
        published = aws_managed_policies_data_parsed().get(name)
        if published is None:
            raise Unresolvable(f"{function}: managed policy {arn} is not one AWS publishes")
        policies.append(Policy(name, published, managed=True))
    return policies


@cache
def aws_managed_policies_data_parsed() -> dict[str, dict[str, Any]]:
    return {name: policy["Document"] for name, policy in json.loads(aws_managed_policies_data).items()}


def functions(stack: Stack) -> list[str]:
    return sorted(
        name for name, resource in stack.resources.items() if resource["Type"] == "AWS::Lambda::Function"
    )
