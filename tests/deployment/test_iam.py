"""Every function's calls against its own role, both ways, with the secrets read from SSM.

The handler suites (tests/handlers: webhooks, Shopify, the back office, the balance, the
table's stream into TotalsFunction, the scheduled ExpiryFunction) run with every AWS call recorded
and attributed to the function whose handler made it (tests/plugins/aws_calls.py), and with no
secret in the environment: each function reads its own from moto's SSM (tests/plugins/ssm_secrets.py).
`make handlers` makes that recording (tests/deployment/recorded_run.py); when it is missing or older
than the files, the suites run again here, recording. Each call is mapped to the IAM requests AWS
authorizes for it and evaluated against that function's role in the translated template.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from loyalty_dev.template import load_template
from tests.deployment import recorded_run
from tests.deployment.iam import Request, allowed, exercised, grants, parameter_arn, requests_for
from tests.deployment.stack import Policy, Stack, function_role_policies, functions, translate
from tests.plugins.aws_calls import recorded_calls
from tests.plugins.ssm_secrets import SECRET_VARIABLES

# Without the handler tier's recording, the whole handler suite runs in a subprocess (bounded by its
# own 900 s, tests/deployment/recorded_run.py): on a loaded machine it outlasts the suite-wide 300 s
# of pytest-timeout.
pytestmark = [pytest.mark.deployment_calls, pytest.mark.timeout(900)]

# What Lambda itself does under a function's role: write its logs, send its traces, and, for a
# stream's event source mapping, read the stream and send what fails to the on-failure queue (for
# a queue's, receive and delete its messages).
# None of these calls is made by the function's code, so no test can exercise them.
RUNTIME_MANAGED_POLICIES = {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}
STREAM_MANAGED_POLICY = "AWSLambdaDynamoDBExecutionRole"
QUEUE_MANAGED_POLICY = "AWSLambdaSQSQueueExecutionRole"  # an SQS event source receives and deletes
SECRETS = {
    variable: load_template().parameter_defaults()[parameter]
    for variable, parameter in (
        ("LOYALTY_WEBHOOK_SECRET", "WebhookSecretParameterName"),
        ("LOYALTY_CUSTOMER_TOKEN_SECRET", "CustomerTokenSecretParameterName"),
        ("LOYALTY_SHOPIFY_SECRET", "ShopifySecretParameterName"),
        ("LOYALTY_WIX_PUBLIC_KEY", "WixPublicKeyParameterName"),
    )
}
WEBHOOK, TOKEN, SHOPIFY, WIX = (SECRETS[variable] for variable in SECRET_VARIABLES)
# The secrets each function reads: its own, and (webhook functions) the token key that the webhook
# secret is checked distinct from. The balance function never reads the webhook secret.
SECRETS_READ = {
    "OrderCreatedFunction": {WEBHOOK, TOKEN, SHOPIFY, WIX},
    "MemberRegisteredFunction": {WEBHOOK, TOKEN, SHOPIFY, WIX},
    "OrderRefundedFunction": {WEBHOOK, TOKEN, SHOPIFY},
    "InvitationAcceptedFunction": {WEBHOOK, TOKEN},
    "BalanceFunction": {TOKEN, SHOPIFY},
    "RedemptionFunction": {TOKEN},
    "AdminFunction": set(),
    "TotalsFunction": set(),
    "ExpiryFunction": set(),
    "ReleaseFunction": set(),
    "TierReviewFunction": set(),
    "PrivacyFunction": {SHOPIFY},
    "ShopRedactionFunction": set(),
    "ImportFunction": set(),
    "EventsFunction": set(),
    "WebhookFunction": set(),
}


@pytest.fixture(scope="module")
def calls(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The handler tier's recording when it is of the files as they are, else a run of our own."""
    kept = recorded_run.recording()
    if kept is not None:
        return recorded_calls(kept)
    record = tmp_path_factory.mktemp("aws-calls") / recorded_run.CALLS_FILE
    # On every core, as `make handlers` runs them; each worker records its own calls.
    arguments = [*recorded_run.RECORDED_SUITES, "-q", "-x", "-p", "no:cacheprovider", "-n", "auto"]
    run = recorded_run.record(arguments, record, capture=True)
    assert run.returncode == 0, "the recorded suites failed with secrets from SSM:\n" + run.stdout[-4000:]
    return recorded_calls(record)


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack(translate())


def requests_by_function(calls: list[dict[str, Any]]) -> dict[str, dict[Request, str]]:
    """Per function, each IAM request its calls made, with the first test that made it."""
    found: dict[str, dict[Request, str]] = defaultdict(dict)
    for call in calls:
        for request in requests_for(call):
            found[call["function"]].setdefault(request, call["first_test"])
    return found


def test_every_function_of_the_template_is_driven_by_the_recorded_suites(
    calls: list[dict[str, Any]], stack: Stack
) -> None:
    assert {call["function"] for call in calls} == set(functions(stack))


def test_every_call_is_allowed_by_the_calling_function_s_own_role(
    calls: list[dict[str, Any]], stack: Stack
) -> None:
    denied = [
        f"{function}: {request.action} on {request.resource} denied (first in {test})"
        for function, requests in sorted(requests_by_function(calls).items())
        for request, test in sorted(requests.items())
        if not allowed(function_role_policies(stack, function), request)
    ]
    assert denied == [], "\n".join(denied)


def without_action(policy: Policy, action: str) -> Policy:
    """The policy with `action` struck from each of its statements (a statement left with none goes)."""
    statements = []
    for statement in policy.document.get("Statement", []):
        actions = statement["Action"]
        kept = [name for name in ([actions] if isinstance(actions, str) else actions) if name != action]
        if kept:
            statements.append({**statement, "Action": kept})
    return Policy(policy.name, {**policy.document, "Statement": statements}, policy.managed)


def test_each_action_a_function_s_calls_need_is_missed_when_its_role_loses_it(
    calls: list[dict[str, Any]], stack: Stack
) -> None:
    """The check can fail: for each function and each action its recorded calls need, the role
    without that action (struck from its own policies) denies some of those calls. An action a
    managed policy grants is Lambda's own and cannot be struck."""
    survived, struck = [], set()
    for function, requests in sorted(requests_by_function(calls).items()):
        policies = function_role_policies(stack, function)
        managed = [policy for policy in policies if policy.managed]
        for action in sorted({request.action for request in requests}):
            needing = [request for request in requests if request.action == action]
            if all(allowed(managed, request) for request in needing):
                continue
            weakened = [policy if policy.managed else without_action(policy, action) for policy in policies]
            struck.add(function)
            if all(allowed(weakened, request) for request in needing):
                survived.append(f"{function}: {action}")
    assert struck == set(functions(stack))  # each function's role lost some action in turn
    assert survived == [], "\n".join(survived)


def stream_destination_policies(function: str) -> set[str]:
    """The inline policies SAM adds for an event source mapping's on-failure destination."""
    events = load_template().resources[function]["Properties"].get("Events", {})
    return {
        f"{function}{name}{event['Properties']['DestinationConfig']['OnFailure']['Type']}Policy"
        for name, event in events.items()
        if event["Type"] in {"DynamoDB", "Kinesis"} and "DestinationConfig" in event["Properties"]
    }


def test_no_data_action_is_granted_that_no_call_exercises(calls: list[dict[str, Any]], stack: Stack) -> None:
    made = requests_by_function(calls)
    unexercised = [
        f"{function}: {grant.action} on {grant.resource} ({policy.name}) is granted but never used"
        for function in functions(stack)
        for policy in function_role_policies(stack, function)
        if not policy.managed and policy.name not in stream_destination_policies(function)
        for grant in grants(policy)
        if not exercised(grant, set(made.get(function, {})))
    ]
    assert unexercised == [], "\n".join(unexercised)


def test_managed_policies_are_only_what_lambda_does_for_the_function(stack: Stack) -> None:
    """Lambda writes logs and traces; a stream's event source mapping reads the stream, a queue's
    reads and deletes the queue's messages."""
    for function in functions(stack):
        kinds = {
            event["Type"]
            for event in load_template().resources[function]["Properties"].get("Events", {}).values()
        }
        managed = {policy.name for policy in function_role_policies(stack, function) if policy.managed}
        expected = RUNTIME_MANAGED_POLICIES | ({STREAM_MANAGED_POLICY} if "DynamoDB" in kinds else set())
        assert managed == expected | ({QUEUE_MANAGED_POLICY} if "SQS" in kinds else set()), function


def test_every_function_reads_its_secrets_from_ssm_through_its_parameter_variables(
    calls: list[dict[str, Any]],
) -> None:
    read: dict[str, set[str]] = defaultdict(set)
    for call in calls:
        if (call["service"], call["operation"]) == ("ssm", "GetParameter"):
            read[call["function"]].add(call["params"]["Name"])
    assert {function: read.get(function, set()) for function in SECRETS_READ} == SECRETS_READ


def test_a_parameter_arn_has_one_slash_after_parameter() -> None:
    assert parameter_arn("/loyalty/webhook-secret").endswith(":parameter/loyalty/webhook-secret")


READ_ACTIONS = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "ssm:GetParameter"}


def test_the_balance_function_stays_read_only_and_the_redemption_function_writes(stack: Stack) -> None:
    """The storefront's write (a redemption) has a function of its own: the balance lookup, which
    every page view calls, can write nothing."""

    def actions(function: str) -> set[str]:
        return {
            grant.action
            for policy in function_role_policies(stack, function)
            if not policy.managed
            for grant in grants(policy)
        }

    assert actions("BalanceFunction") <= READ_ACTIONS
    assert "dynamodb:PutItem" in actions("RedemptionFunction")
