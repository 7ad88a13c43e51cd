"""The dashboard's hosting in template.yaml: a private, encrypted bucket that only the stack's
CloudFront distribution reads (origin access control), the back office behind the same origin,
and the DashboardUrl output. Checked on SAM's translation, as CloudFormation receives it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.deployment.stack import Stack, translate


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack(translate())


def test_the_bucket_is_private_encrypted_and_owned_by_the_account(stack: Stack) -> None:
    bucket = stack.resources["DashboardBucket"]["Properties"]

    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert "WebsiteConfiguration" not in bucket  # no public website endpoint
    assert "AccessControl" not in bucket


def test_only_the_distribution_may_read_the_bucket_and_only_over_tls(stack: Stack) -> None:
    policy = stack.resources["DashboardBucketPolicy"]["Properties"]
    statements = policy["PolicyDocument"]["Statement"]
    allows = [statement for statement in statements if statement["Effect"] == "Allow"]

    assert policy["Bucket"] == {"Ref": "DashboardBucket"}
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert "${DashboardDistribution}" in json.dumps(allow["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert not any(statement.get("Principal") == "*" for statement in allows)
    denies = [statement for statement in statements if statement["Effect"] == "Deny"]
    assert any(statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for statement in denies)


def origins(stack: Stack) -> dict[str, dict[str, Any]]:
    config = stack.resources["DashboardDistribution"]["Properties"]["DistributionConfig"]
    return {origin["Id"]: origin for origin in config["Origins"]}


def test_cloudfront_reads_the_bucket_through_origin_access_control(stack: Stack) -> None:
    control = stack.resources["DashboardOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    files = origins(stack)["dashboard-files"]

    assert control["OriginAccessControlOriginType"] == "s3"
    assert control["SigningBehavior"] == "always"
    assert control["SigningProtocol"] == "sigv4"
    assert files["OriginAccessControlId"] == {"Fn::GetAtt": ["DashboardOriginAccessControl", "Id"]}
    assert files["DomainName"] == {"Fn::GetAtt": ["DashboardBucket", "RegionalDomainName"]}
    assert files["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy identity


def test_the_page_and_the_back_office_share_one_https_origin_and_nothing_of_the_api_is_cached(
    stack: Stack,
) -> None:
    config = stack.resources["DashboardDistribution"]["Properties"]["DistributionConfig"]
    (api,) = [behaviour for behaviour in config["CacheBehaviors"] if behaviour["PathPattern"] == "/admin/*"]
    cache = stack.resources["DashboardApiCachePolicy"]["Properties"]["CachePolicyConfig"]

    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": "DashboardResponseHeaders"}
    assert api["PathPattern"] == "/admin/*"
    assert api["TargetOriginId"] == "back-office-api"
    assert api["ViewerProtocolPolicy"] == "https-only"
    assert origins(stack)["back-office-api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert (cache["DefaultTTL"], cache["MinTTL"]) == (0, 0)
    assert cache["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]["Headers"] == ["Authorization"]


def test_the_page_s_security_headers_match_the_local_server_s(stack: Stack) -> None:
    from loyalty_dev.local.dashboard import CONTENT_SECURITY_POLICY

    policy = stack.resources["DashboardResponseHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    deployed = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]

    # The same policy, plus Cognito's token endpoint, which only the deployed page calls.
    assert deployed == CONTENT_SECURITY_POLICY.replace(
        "connect-src 'self'", "connect-src 'self' https://*.amazoncognito.com"
    )


def test_the_stack_outputs_the_dashboard_s_url_bucket_and_distribution(stack: Stack) -> None:
    outputs = stack.template["Outputs"]

    assert outputs["DashboardUrl"]["Value"] == {
        "Fn::Sub": "https://${DashboardDistribution.DomainName}/dashboard/"
    }
    assert outputs["DashboardBucketName"]["Value"] == {"Ref": "DashboardBucket"}
    assert outputs["DashboardDistributionId"]["Value"] == {"Ref": "DashboardDistribution"}
