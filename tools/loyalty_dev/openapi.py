"""Reads openapi.yaml, the HTTP contract: its operations, their examples and their security."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from loyalty_dev.template import PROJECT_ROOT

OPENAPI_PATH = PROJECT_ROOT / "openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Operation:
    method: str  # upper case, as template.Route has it
    path: str  # the path template, e.g. /stores/{store_id}/customers/{customer_id}/balance
    spec: dict[str, Any]


@dataclass(frozen=True)
class OpenApi:
    document: dict[str, Any]

    def operations(self) -> list[Operation]:
        return [
            Operation(method.upper(), path, spec)
            for path, item in self.document.get("paths", {}).items()
            for method, spec in item.items()
            if method in HTTP_METHODS
        ]

    def operation(self, method: str, path: str) -> Operation | None:
        spec = self.document.get("paths", {}).get(path, {}).get(method.lower())
        return Operation(method.upper(), path, spec) if spec is not None else None

    def request_example(self, operation: Operation) -> Any | None:
        """The JSON request body's example, or None when the operation takes no body."""
        content = operation.spec.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "example" in content:
            return content["example"]
        examples = content.get("examples") or {}
        return next((example.get("value") for example in examples.values()), None)

    def parameters(self, operation: Operation) -> list[dict[str, Any]]:
        """The operation's parameters and its path's, `$ref`s followed (the operation's win)."""
        shared = self.document.get("paths", {}).get(operation.path, {}).get("parameters", [])
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for parameter in [*shared, *operation.spec.get("parameters", [])]:
            resolved = self.resolve(parameter)
            found[(resolved["in"], resolved["name"])] = resolved
        return list(found.values())

    def resolve(self, item: dict[str, Any]) -> dict[str, Any]:
        """`item`, or what its local `$ref` (`#/components/...`) points at."""
        while "$ref" in item:
            node: Any = self.document
            for part in str(item["$ref"]).removeprefix("#/").split("/"):
                node = node[part]
            item = node
        return item

    def path_examples(self, operation: Operation) -> dict[str, str]:
        return {
            parameter["name"]: str(parameter["example"])
            for parameter in self.parameters(operation)
            if parameter.get("in") == "path" and "example" in parameter
        }

    def security_schemes(self, operation: Operation) -> list[dict[str, Any]]:
        """The security schemes the operation requires (its own `security`, else the document's)."""
        requirements = operation.spec.get("security", self.document.get("security", []))
        schemes = self.document.get("components", {}).get("securitySchemes", {})
        return [schemes[name] for requirement in requirements for name in requirement if name in schemes]


def load_openapi(path: Path = OPENAPI_PATH) -> OpenApi:
    return _load(path.resolve())


@cache
def _load(path: Path) -> OpenApi:
    with path.open(encoding="utf-8") as stream:
        return OpenApi(yaml.safe_load(stream))
