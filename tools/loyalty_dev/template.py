"""Reads template.yaml, the single source of the service's wiring: functions, routes, env, tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from loyalty_dev import language_extensions

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = PROJECT_ROOT / "template.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub, …) read as their long form."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


@dataclass(frozen=True)
class Route:
    method: str  # upper case
    path: str  # API Gateway resource path, e.g. /stores/{store_id}/customers/{customer_id}/balance
    function: str


@dataclass(frozen=True)
class Function:
    name: str
    code_uri: Path
    handler: str  # module.attribute inside code_uri
    environment: dict[str, str]
    routes: list[Route] = field(default_factory=list)

    @property
    def module_path(self) -> Path:
        return self.code_uri / (self.handler.rsplit(".", 1)[0] + ".py")

    @property
    def handler_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]


@dataclass(frozen=True)
class Template:
    document: dict[str, Any]
    root: Path

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.document.get("Resources", {}))

    def parameter_defaults(self) -> dict[str, str]:
        return {
            name: str(spec.get("Default", "")) for name, spec in self.document.get("Parameters", {}).items()
        }

    def tables(self) -> dict[str, dict[str, Any]]:
        """Logical id → Properties of every DynamoDB table."""
        return {
            name: resource.get("Properties", {})
            for name, resource in self.resources.items()
            if resource.get("Type") == "AWS::DynamoDB::Table"
        }

    def functions(self, parameters: dict[str, str] | None = None) -> dict[str, Function]:
        """Every function with its routes and its environment, Refs resolved as a local run sees them:
        a parameter gives its value (default or override), a table gives its logical id as its name."""
        values = {**self.parameter_defaults(), **(parameters or {})}
        globals_ = self.document.get("Globals", {}).get("Function", {})
        global_env = globals_.get("Environment", {}).get("Variables", {})
        found: dict[str, Function] = {}
        for name, resource in self.resources.items():
            if resource.get("Type") != "AWS::Serverless::Function":
                continue
            props = resource.get("Properties", {})
            env_spec = {**global_env, **props.get("Environment", {}).get("Variables", {})}
            routes = [
                Route(
                    method=str(event["Properties"]["Method"]).upper(),
                    path=str(event["Properties"]["Path"]),
                    function=name,
                )
                for event in props.get("Events", {}).values()
                if event.get("Type") == "Api"
            ]
            found[name] = Function(
                name=name,
                code_uri=self.root / str(props.get("CodeUri", globals_.get("CodeUri", ""))),
                handler=str(props.get("Handler", globals_.get("Handler", ""))),
                environment={key: self._resolve(value, values) for key, value in env_spec.items()},
                routes=routes,
            )
        return found

    def routes(self) -> list[Route]:
        return [route for function in self.functions().values() for route in function.routes]

    def _resolve(self, value: Any, parameters: dict[str, str]) -> str:
        if isinstance(value, dict) and "Ref" in value:
            target = str(value["Ref"])
            if target in parameters:
                return parameters[target]
            if target in self.resources:
                return target
            raise ValueError(f"cannot resolve !Ref {target} locally")
        if isinstance(value, str | int | float | bool):
            return str(value).lower() if isinstance(value, bool) else str(value)
        raise ValueError(f"cannot resolve {value!r} locally")


def load_template(path: Path = TEMPLATE_PATH) -> Template:
    return _load(path.resolve())


@cache
def _load(path: Path) -> Template:
    with path.open(encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=_CloudFormationLoader)  # noqa: S506 — SafeLoader subclass
    return Template(document=language_extensions.expand(document), root=path.parent)


def create_table_request(name: str, properties: dict[str, Any], table_name: str) -> dict[str, Any]:
    """The CreateTable request for a table as the template declares it (keys, indexes, billing)."""
    request: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if "GlobalSecondaryIndexes" in properties:
        request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if "StreamSpecification" in properties:
        request["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
    return request


def create_tables(client: Any, template: Template | None = None) -> list[str]:
    """Create every table of the template (named by logical id) that does not exist yet."""
    template = template or load_template()
    existing = set(client.list_tables().get("TableNames", []))
    created = []
    for name, properties in template.tables().items():
        if name in existing:
            continue
        client.create_table(**create_table_request(name, properties, name))
        client.get_waiter("table_exists").wait(TableName=name)
        created.append(name)
    return created
