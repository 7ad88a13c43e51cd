"""Imports' and exports' resources as CloudFormation receives them: the private bucket (encrypted,
no public access, TLS only, files deleted after 7 days), the queue with its dead-letter queue and
alarm, and ImportFunction's event source (partial batch failures, bounded concurrency)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deployment.stack import Stack, translate


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack(translate())


def properties(stack: Stack, name: str) -> dict[str, Any]:
    return dict(stack.resources[name]["Properties"])


def test_the_bucket_is_encrypted_and_blocks_every_kind_of_public_access(stack: Stack) -> None:
    bucket = properties(stack, "TransferBucket")
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]  # no ACLs


def test_the_bucket_refuses_every_request_without_tls(stack: Stack) -> None:
    policy = stack.resolve(properties(stack, "TransferBucketPolicy"))
    assert policy["Bucket"] == stack.ref("TransferBucket")
    denials = [
        statement
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny" and statement["Principal"] == "*" and statement["Action"] == "s3:*"
    ]
    assert denials
    (tls,) = denials
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    arn = stack.get_att("TransferBucket", "Arn")
    assert sorted(tls["Resource"]) == sorted([arn, f"{arn}/*"])
    assert not any(statement["Effect"] == "Allow" for statement in policy["PolicyDocument"]["Statement"])


def test_exports_and_imported_files_are_deleted_after_seven_days(stack: Stack) -> None:
    rules = {
        rule["Prefix"]: rule
        for rule in properties(stack, "TransferBucket")["LifecycleConfiguration"]["Rules"]
        if "Prefix" in rule
    }
    for prefix in ("exports/", "imports/", "uploads/"):
        assert rules[prefix]["Status"] == "Enabled"
        assert rules[prefix]["ExpirationInDays"] == 7


def test_work_that_keeps_failing_lands_in_a_dead_letter_queue_that_alarms(stack: Stack) -> None:
    queue = properties(stack, "ImportQueue")
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["ImportDeadLetterQueue", "Arn"]}
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 3
    assert queue["SqsManagedSseEnabled"] is True
    function = properties(stack, "ImportFunction")
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]  # Lambda's advice for SQS sources
    alarm = properties(stack, "ImportDeadLetterAlarm")
    assert alarm["Namespace"] == "AWS/SQS"
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["ImportDeadLetterQueue", "QueueName"]}}
    ]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")


def test_import_function_reports_failed_messages_alone_and_runs_a_bounded_number_at_once(
    stack: Stack,
) -> None:
    (mapping,) = [
        resource["Properties"]
        for resource in stack.resources.values()
        if resource["Type"] == "AWS::Lambda::EventSourceMapping"
        and "ImportQueue" in str(resource["Properties"].get("EventSourceArn"))
    ]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 1 <= mapping["ScalingConfig"]["MaximumConcurrency"] <= 10
