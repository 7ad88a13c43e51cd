"""Merchant sign-in as CloudFormation receives it (docs/merchant-access.md): every /admin route of the
translated API behind the Cognito authorizer and nothing else, the user pool, the dashboard's public
client, the managed login domain, and API Gateway's own 401 in the service's JSON shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from loyalty_dev.template import load_template
from tests.deployment.stack import Stack, translate

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method"}


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack(translate())


def api_body(stack: Stack) -> dict[str, Any]:
    (body,) = (
        resource["Properties"]["Body"]
        for resource in stack.resources.values()
        if resource["Type"] == "AWS::ApiGateway::RestApi"
    )
    return dict(body)


def operations(body: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in body["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_every_admin_route_is_behind_the_cognito_authorizer_and_nothing_on_admin_is_open(
    stack: Stack,
) -> None:
    body = api_body(stack)
    admin = [(method, path, op) for method, path, op in operations(body) if path.startswith("/admin")]
    in_template = {(route.method.lower(), route.path) for route in load_template().routes()}

    assert {(method, path) for method, path, _ in admin} == {
        (method, path) for method, path in in_template if path.startswith("/admin/")
    }, "the translated API and template.yaml disagree on the /admin routes"
    for method, path, operation in admin:
        assert operation.get("security") == [{"MerchantAuthorizer": []}], (
            f"{method.upper()} {path} is not guarded"
        )
    authorizer = body["securityDefinitions"]["MerchantAuthorizer"]
    assert authorizer["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    assert authorizer["in"] == "header"
    assert authorizer["name"] == "Authorization"
    assert authorizer["x-amazon-apigateway-authorizer"] == {
        "type": "cognito_user_pools",
        "providerARNs": [{"Fn::GetAtt": ["MerchantUserPool", "Arn"]}],
    }
    assert stack.resources["MerchantUserPool"]["Type"] == "AWS::Cognito::UserPool"


def test_the_other_routes_keep_their_own_credentials_and_no_authorizer(stack: Stack) -> None:
    for method, path, operation in operations(api_body(stack)):
        if not path.startswith("/admin"):
            assert "security" not in operation, (
                f"{method.upper()} {path}: signed or token-checked by its function"
            )


def test_api_gateway_answers_401_and_403_in_the_services_error_shape(stack: Stack) -> None:
    responses = api_body(stack)["x-amazon-apigateway-gateway-responses"]

    for kind, status, code in (
        ("UNAUTHORIZED", "401", "unauthorized"),
        ("ACCESS_DENIED", "403", "forbidden"),
    ):
        answer = responses[kind]
        document = json.loads(answer["responseTemplates"]["application/json"])
        assert answer["statusCode"] == status
        assert document["error"] == code
        assert isinstance(document["message"], str)
    assert responses["UNAUTHORIZED"]["responseParameters"] == {
        "gatewayresponse.header.WWW-Authenticate": "'Bearer'"
    }


def test_the_merchants_user_pool_signs_in_by_email_with_a_strong_password_and_optional_mfa(
    stack: Stack,
) -> None:
    pool = stack.resources["MerchantUserPool"]
    properties = pool["Properties"]
    policy = properties["Policies"]["PasswordPolicy"]

    assert pool["DeletionPolicy"] == "Retain"
    assert properties["DeletionProtection"] == "ACTIVE"
    assert properties["UsernameAttributes"] == ["email"]
    assert properties["MfaConfiguration"] == "OPTIONAL"
    assert properties["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert policy["MinimumLength"] >= 12
    assert all(
        policy[rule] for rule in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )
    assert properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True


def test_the_dashboard_is_a_public_client_with_the_code_flow_and_the_parameters_urls(stack: Stack) -> None:
    client = stack.resources["MerchantDashboardClient"]["Properties"]

    assert client["UserPoolId"] == {"Ref": "MerchantUserPool"}
    assert client["GenerateSecret"] is False  # a web page keeps no secret: PKCE instead
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    for urls, parameter in (("CallbackURLs", "DashboardCallbackUrls"), ("LogoutURLs", "DashboardLogoutUrls")):
        written = json.dumps(client[urls])
        assert "https://${DashboardDistribution.DomainName}/dashboard/" in written  # the published page
        assert json.dumps({"Ref": parameter}) in written  # and the parameter's (the local page by default)
    assert "ALLOW_USER_PASSWORD_AUTH" not in client["ExplicitAuthFlows"]


def test_managed_login_the_operators_group_and_the_outputs(stack: Stack) -> None:
    domain = stack.resources["MerchantSignInDomain"]["Properties"]
    group = stack.resources["OperatorsGroup"]["Properties"]
    outputs = stack.template["Outputs"]

    assert domain == {
        "UserPoolId": {"Ref": "MerchantUserPool"},
        "Domain": {"Ref": "MerchantSignInDomainPrefix"},
        "ManagedLoginVersion": 2,
    }
    assert stack.resources["MerchantSignInBranding"]["Properties"]["ClientId"] == {
        "Ref": "MerchantDashboardClient"
    }
    assert group["GroupName"] == "operators"
    assert outputs["MerchantUserPoolId"]["Value"] == {"Ref": "MerchantUserPool"}
    assert outputs["MerchantDashboardClientId"]["Value"] == {"Ref": "MerchantDashboardClient"}
    assert "MerchantSignInDomain" in json.dumps(outputs["MerchantSignInDomain"]["Value"])
