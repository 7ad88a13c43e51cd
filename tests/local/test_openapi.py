"""openapi.yaml describes exactly template.yaml's routes, is valid OpenAPI, and its examples are valid."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from loyalty_dev.openapi import OPENAPI_PATH, Operation, load_openapi
from loyalty_dev.schemas import render
from loyalty_dev.template import load_template

OPENAPI = load_openapi()
OPERATIONS = OPENAPI.operations()


def operation_id(operation: Operation) -> str:
    return f"{operation.method} {operation.path}"


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A JSON Schema validator for a schema of the document, its `#/components/...` refs resolvable."""
    root = {**schema, "components": OPENAPI.document.get("components", {})}
    return Draft202012Validator(root)


def test_the_document_is_valid_openapi() -> None:
    validate(OPENAPI.document)


def test_openapi_and_the_template_declare_the_same_routes() -> None:
    """CORS preflights (OPTIONS, unauthenticated, no body) are browser machinery, not operations of
    the API: docs/api.md describes them, and tests/handlers/test_storefront_cors.py holds them."""
    in_openapi = {(operation.method, operation.path) for operation in OPERATIONS}
    in_template = {
        (route.method, route.path) for route in load_template().routes() if route.method != "OPTIONS"
    }

    assert in_openapi - in_template == set(), "described in openapi.yaml but not routed in template.yaml"
    assert in_template - in_openapi == set(), "routed in template.yaml but not described in openapi.yaml"


@pytest.mark.parametrize("operation", OPERATIONS, ids=operation_id)
def test_every_operation_is_authenticated_and_answers_json_errors(operation: Operation) -> None:
    responses = operation.spec["responses"]

    if operation.spec.get("security") == [] and not operation.spec.get("x-signed-body"):
        # Public on purpose (the storefront's public program): read only, and it says so.
        assert operation.method == "GET"
        assert "public" in operation.spec["summary"].lower()
    else:
        # Wix signs the body itself (a JWT), which no OpenAPI security scheme can say: `x-signed-body`.
        signed = OPENAPI.security_schemes(operation) or operation.spec.get("x-signed-body")
        assert signed, "every route of the contract is signed or authorized"
        assert {"401", "403"} & responses.keys(), "say how a request without credentials is answered"
    # Every route checks the request's bounds (headers, path parameters, query values) first.
    assert "400" in responses, "say how an oversized request is answered"
    for status, response in responses.items():
        content = OPENAPI.resolve(response).get("content", {})
        assert "application/json" in content, f"{status} must describe its JSON body"
        if int(status) >= 400:
            schema = content["application/json"]["schema"]
            # The gateway's own 401 (the Cognito authorizer's) is shaped as ours by the template.
            assert schema == {"$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize("operation", OPERATIONS, ids=operation_id)
def test_every_example_is_valid_against_its_own_schema(operation: Operation) -> None:
    """The examples feed events/ and `loyalty send`: they must be events the service accepts."""
    request = operation.spec.get("requestBody", {}).get("content", {}).get("application/json")
    if request is not None:
        assert "example" in request, "a request body needs an example (events/ and `loyalty send` use it)"
        validator(request["schema"]).validate(request["example"])
    for parameter in map(OPENAPI.resolve, OPENAPI.parameters(operation)):
        if parameter["in"] == "path":
            assert "example" in parameter, f"path parameter {parameter['name']} needs an example"
        if "example" in parameter:
            validator(parameter["schema"]).validate(parameter["example"])
    for response in map(OPENAPI.resolve, operation.spec["responses"].values()):
        media = response["content"]["application/json"]
        if "example" in media:
            validator(media["schema"]).validate(media["example"])


def test_the_generated_schemas_are_those_of_the_models() -> None:
    """components/schemas is generated from the pydantic models: `make schemas` after changing one."""
    text = OPENAPI_PATH.read_text(encoding="utf-8")
    assert render(text) == text, "openapi.yaml's components/schemas is stale: run `make schemas`"
