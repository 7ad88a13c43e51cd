"""`loyalty admin-token` and `loyalty merchants`: local tokens the local server accepts, and the
operator's invitations on a deployed stack (Cognito, on moto's cognito-idp)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
from moto import mock_aws

import loyalty_dev.local.issuer as local_issuer
from loyalty_dev import cli
from loyalty_dev.engines import database
from loyalty_dev.local.authorizers import LocalGate, NotAuthorized, cognito_authorizers
from loyalty_dev.local.issuer import LocalIssuer, Merchant
from loyalty_dev.merchants import CognitoMerchants, MerchantError, user_pool_of_stack
from loyalty_dev.template import load_template

AUTHORIZER = cognito_authorizers(load_template())[0]
URL = "http://127.0.0.1:3999"


@pytest.fixture
def issuer_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The local issuer's folder moved off the developer's .dev-data, and no `make dev` in sight."""
    directory = tmp_path / "local-issuer"
    monkeypatch.setattr(local_issuer, "ISSUER_DATA_DIR", directory)
    monkeypatch.setattr(database, "running_dev_server", lambda: None)
    monkeypatch.setenv("LOYALTY_URL", URL)
    monkeypatch.delenv("LOYALTY_USER_POOL_ID", raising=False)
    return directory


def verified(token: str, directory: Path) -> dict[str, str]:
    """The claims the local server would hand AdminFunction for `token`."""
    return LocalGate(LocalIssuer(directory), URL).claims(AUTHORIZER, {"Authorization": f"Bearer {token}"})


# -- admin-token ----------------------------------------------------------------------------------


def test_admin_token_mints_a_merchant_token_the_local_server_accepts(
    issuer_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["admin-token", "acme", "beta", "--ttl", "600"]) == 0
    token = capsys.readouterr().out.strip()

    claims = verified(token, issuer_dir)
    assert claims["cognito:groups"] == "store:acme,store:beta"
    assert claims["token_use"] == "id"
    assert 590 <= jwt.decode(token, options={"verify_signature": False})["exp"] - time.time() <= 600
    key = issuer_dir / local_issuer.KEY_FILE_NAME
    assert key.stat().st_mode & 0o077 == 0, "the private key is readable by others"


def test_an_operator_token_carries_the_operators_group(
    issuer_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["admin-token", "--operator"]) == 0

    assert verified(capsys.readouterr().out.strip(), issuer_dir)["cognito:groups"] == "operators"


def test_the_key_is_kept_so_tokens_stay_valid_across_runs_and_a_new_key_voids_them(
    issuer_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli.main(["admin-token", "acme"])
    first = capsys.readouterr().out.strip()
    cli.main(["admin-token", "acme"])
    second = capsys.readouterr().out.strip()

    verified(first, issuer_dir)
    verified(second, issuer_dir)
    with pytest.raises(NotAuthorized):
        verified(first, tmp_path / "a-fresh-issuer")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["admin-token"], "at least one STORE"),
        (["admin-token", "not a store"], "not a store id"),
        (["admin-token", "acme", "--email", "nobody"], "not an email"),
    ],
)
def test_admin_token_refuses_what_no_merchant_could_have(
    issuer_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("ttl", ["0", "86401"])
def test_admin_token_lives_between_a_second_and_a_day(issuer_dir: Path, ttl: str) -> None:
    with pytest.raises(SystemExit):
        cli.main(["admin-token", "acme", "--ttl", ttl])
    with pytest.raises(ValueError, match="between 1 and 86400"):
        LocalIssuer(issuer_dir).mint(
            Merchant("m@example.com", ()), issuer="i", client_id="c", now=0, ttl=int(ttl)
        )


# -- merchants, locally ---------------------------------------------------------------------------


def test_locally_adding_a_merchant_prints_a_token_and_lists_them(
    issuer_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["merchants", "add", "Ann@Example.com", "--store", "acme"]) == 0
    first = capsys.readouterr().out.strip()
    assert cli.main(["merchants", "add", "ann@example.com", "--store", "beta"]) == 0
    second = capsys.readouterr().out.strip()
    assert cli.main(["merchants", "add", "ops@example.com", "--operator"]) == 0
    capsys.readouterr()

    assert verified(first, issuer_dir)["cognito:groups"] == "store:acme"
    assert verified(second, issuer_dir)["cognito:groups"] == "store:acme,store:beta"
    assert verified(second, issuer_dir)["email"] == "ann@example.com"
    assert cli.main(["merchants", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ann@example.com  store:acme, store:beta  [local]",
        "ops@example.com  operators  [local]",
    ]

    assert cli.main(["merchants", "remove", "ann@example.com", "--store", "acme"]) == 0
    assert cli.main(["merchants", "remove", "ops@example.com"]) == 0
    capsys.readouterr()
    cli.main(["merchants", "list"])
    assert capsys.readouterr().out.splitlines() == ["ann@example.com  store:beta  [local]"]
    assert cli.main(["merchants", "remove", "nobody@example.com"]) == 2


def test_adding_a_merchant_to_no_store_is_refused(
    issuer_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["merchants", "add", "ann@example.com"]) == 2
    assert "at least one --store" in capsys.readouterr().err


# -- merchants, on a deployed stack (moto's Cognito) ------------------------------------------------


@pytest.fixture
def cognito(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    """A user pool as the stack declares it (email as the username, the operators group)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        client = boto3.client("cognito-idp", region_name="us-east-1")
        pool = client.create_user_pool(PoolName="merchants", UsernameAttributes=["email"])["UserPool"]["Id"]
        client.create_group(UserPoolId=pool, GroupName="operators")
        yield client, pool


def groups_of(client: Any, pool: str, email: str) -> list[str]:
    return sorted(
        group["GroupName"]
        for group in client.admin_list_groups_for_user(UserPoolId=pool, Username=email)["Groups"]
    )


def test_adding_a_merchant_invites_them_and_puts_them_in_the_stores_group(
    cognito: tuple[Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    client, pool = cognito

    assert cli.main(["merchants", "add", "ann@example.com", "--store", "acme", "--user-pool-id", pool]) == 0
    said = capsys.readouterr().out
    user = client.admin_get_user(UserPoolId=pool, Username="ann@example.com")

    assert "invited" in said
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"  # a temporary password, emailed by Cognito
    assert {"Name": "email", "Value": "ann@example.com"} in user["UserAttributes"]
    assert groups_of(client, pool, "ann@example.com") == ["store:acme"]
    assert "acme" in client.get_group(UserPoolId=pool, GroupName="store:acme")["Group"]["Description"]


def test_a_second_store_or_the_operators_group_joins_an_existing_user(cognito: tuple[Any, str]) -> None:
    client, pool = cognito
    directory = CognitoMerchants(client, pool)

    assert directory.add("ann@example.com", ["store:acme"]) is True
    assert directory.add("ann@example.com", ["store:beta"]) is False
    assert directory.add("ann@example.com", ["store:acme"]) is False  # again: nothing changes
    directory.add("ops@example.com", ["operators"])

    assert groups_of(client, pool, "ann@example.com") == ["store:acme", "store:beta"]
    assert [(record.email, record.groups) for record in directory.members()] == [
        ("ann@example.com", ("store:acme", "store:beta")),
        ("ops@example.com", ("operators",)),
    ]


def test_removing_a_store_keeps_the_user_and_removing_the_user_removes_all(cognito: tuple[Any, str]) -> None:
    client, pool = cognito
    directory = CognitoMerchants(client, pool)
    directory.add("ann@example.com", ["store:acme", "store:beta"])

    directory.remove("ann@example.com", ["store:acme"])
    assert groups_of(client, pool, "ann@example.com") == ["store:beta"]

    directory.remove("ann@example.com", [])
    assert directory.members() == []
    with pytest.raises(MerchantError, match="no merchant"):
        directory.remove("ann@example.com", [])


def test_a_pool_without_the_operators_group_is_not_the_stacks(cognito: tuple[Any, str]) -> None:
    client, _ = cognito
    other = client.create_user_pool(PoolName="other")["UserPool"]["Id"]

    with pytest.raises(MerchantError, match="no operators group"):
        CognitoMerchants(client, other).add("ops@example.com", ["operators"])


def test_the_stack_names_its_user_pool_in_an_output() -> None:
    class Stacks:
        def __init__(self, outputs: list[dict[str, str]]) -> None:
            self.outputs = outputs

        def describe_stacks(self, StackName: str) -> dict[str, Any]:
            return {"Stacks": [{"StackName": StackName, "Outputs": self.outputs}]}

    found = user_pool_of_stack(
        Stacks([{"OutputKey": "MerchantUserPoolId", "OutputValue": "us-east-1_abc"}]), "s"
    )

    assert found == "us-east-1_abc"
    with pytest.raises(MerchantError, match="no MerchantUserPoolId output"):
        user_pool_of_stack(Stacks([]), "s")
    assert "MerchantUserPoolId" in load_template().document["Outputs"]
