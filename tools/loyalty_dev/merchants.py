"""Who may sign in to the back office: `loyalty merchants add | remove | list` and `loyalty admin-token`.

On a deployed stack the merchants are users of its Cognito user pool (the stack's
``MerchantUserPoolId`` output): adding one is Cognito's AdminCreateUser, which emails them a
temporary password, plus membership of the group ``store:<store_id>`` (created when missing) or
``operators``. Against the local issuer (`make dev`) there is nobody to email: the merchant is
written to ``.dev-data/local-issuer/merchants.json`` and a token is printed instead.

Removing a membership (or the user) stops new sign-ins from carrying it at once; a token already
issued stays valid until it expires (an hour for the dashboard's client), in AWS as locally.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from loyalty.http.admin.access import OPERATORS_GROUP, STORE_GROUP_PREFIX
from loyalty_dev.local.authorizers import CognitoAuthorizer, cognito_authorizers
from loyalty_dev.local.issuer import LocalIssuer, Merchant, default_directory, issuer_url, merchant_groups
from loyalty_dev.template import Template

USER_POOL_OUTPUT = "MerchantUserPoolId"
_STORE_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")  # the contract's ids (loyalty.http.models.Identifier)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class MerchantError(Exception):
    """Something the operator can fix, said in one line."""


@dataclass(frozen=True)
class MerchantRecord:
    email: str
    groups: tuple[str, ...]
    status: str = ""  # Cognito's UserStatus (FORCE_CHANGE_PASSWORD until the first sign-in)


def check_email(email: str) -> str:
    if not _EMAIL.fullmatch(email):
        raise MerchantError(f"not an email address: {email!r}")
    return email.strip().lower()


def requested_groups(stores: Sequence[str], *, operator: bool) -> list[str]:
    for store in stores:
        if not _STORE_ID.fullmatch(store):
            raise MerchantError(f"not a store id: {store!r} (1 to 128 of A-Z a-z 0-9 . _ : @ -)")
    return merchant_groups(stores, operator=operator)


# -- on a deployed stack: Cognito ----------------------------------------------------------------


def user_pool_of_stack(cloudformation: Any, stack: str) -> str:
    """The stack's MerchantUserPoolId output."""
    try:
        stacks = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as error:
        raise MerchantError(f"cannot read stack {stack}: {error.response['Error'].get('Message')}") from None
    for output in stacks[0].get("Outputs", []) if stacks else []:
        if output.get("OutputKey") == USER_POOL_OUTPUT:
            return str(output["OutputValue"])
    raise MerchantError(f"stack {stack} has no {USER_POOL_OUTPUT} output (deployed before issue 16?)")


class CognitoMerchants:
    """The merchants of a Cognito user pool, through the cognito-idp client `client`."""

    def __init__(self, client: Any, user_pool_id: str) -> None:
        self.client = client
        self.pool = user_pool_id

    def add(self, email: str, groups: Sequence[str]) -> bool:
        """Invite `email` (unless the user exists) and add it to `groups`; True when invited now."""
        invited = True
        try:
            self._call(
                "admin_create_user",
                UserPoolId=self.pool,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
                DesiredDeliveryMediums=["EMAIL"],
            )
        except ClientError as error:
            if _code(error) != "UsernameExistsException":
                raise self._failure("invite", error) from None
            invited = False
        for group in groups:
            self._ensure_group(group)
            try:
                self._call("admin_add_user_to_group", UserPoolId=self.pool, Username=email, GroupName=group)
            except ClientError as error:
                raise self._failure(f"add to {group}", error) from None
        return invited

    def remove(self, email: str, groups: Sequence[str]) -> None:
        """Take `email` out of `groups`; with no groups, delete the user (every membership with it)."""
        try:
            if not groups:
                self._call("admin_delete_user", UserPoolId=self.pool, Username=email)
            for group in groups:
                self._call(
                    "admin_remove_user_from_group", UserPoolId=self.pool, Username=email, GroupName=group
                )
        except ClientError as error:
            if _code(error) == "UserNotFoundException":
                raise MerchantError(f"no merchant {email} in user pool {self.pool}") from None
            raise self._failure("remove", error) from None

    def members(self) -> list[MerchantRecord]:
        records = []
        try:
            for page in self.client.get_paginator("list_users").paginate(UserPoolId=self.pool):
                for user in page.get("Users", []):
                    attributes = {item["Name"]: item["Value"] for item in user.get("Attributes", [])}
                    groups = self._groups_of(str(user["Username"]))
                    email = attributes.get("email", str(user["Username"]))
                    records.append(MerchantRecord(email, tuple(groups), str(user.get("UserStatus", ""))))
        except ClientError as error:
            raise self._failure("list", error) from None
        return sorted(records, key=lambda record: record.email)

    def _groups_of(self, username: str) -> list[str]:
        groups: list[str] = []
        for page in self.client.get_paginator("admin_list_groups_for_user").paginate(
            UserPoolId=self.pool, Username=username
        ):
            groups.extend(str(group["GroupName"]) for group in page.get("Groups", []))
        return sorted(groups)

    def _ensure_group(self, group: str) -> None:
        try:
            self._call("get_group", UserPoolId=self.pool, GroupName=group)
            return
        except ClientError as error:
            if _code(error) != "ResourceNotFoundException":
                raise self._failure(f"read group {group}", error) from None
        if group == OPERATORS_GROUP:
            raise MerchantError(f"user pool {self.pool} has no {OPERATORS_GROUP} group: is it the stack's?")
        store = group.removeprefix(STORE_GROUP_PREFIX)
        try:
            self._call(
                "create_group",
                UserPoolId=self.pool,
                GroupName=group,
                Description=f"May act on store {store} in the back office.",
            )
        except ClientError as error:
            if _code(error) != "GroupExistsException":  # another operator made it meanwhile
                raise self._failure(f"create group {group}", error) from None

    def _call(self, operation: str, **parameters: Any) -> Any:
        try:
            return getattr(self.client, operation)(**parameters)
        except BotoCoreError as error:
            raise MerchantError(f"cannot reach Cognito: {error}") from None

    def _failure(self, action: str, error: ClientError) -> MerchantError:
        return MerchantError(
            f"Cognito refused to {action}: {_code(error)}: {error.response['Error'].get('Message')}"
        )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


# -- under `make dev`: the local issuer ------------------------------------------------------------


def local_authorizer(template: Template) -> CognitoAuthorizer:
    found = cognito_authorizers(template)
    if not found:
        raise MerchantError("no route of template.yaml is behind a Cognito authorizer")
    return found[0]


class LocalMerchants:
    """The merchants `make dev` knows (a JSON file beside the local issuer's key) and their tokens."""

    def __init__(self, template: Template, base_url: str, directory: Path | None = None) -> None:
        self.authorizer = local_authorizer(template)
        self.base_url = base_url
        self.directory = directory or default_directory()
        self.registry = self.directory / "merchants.json"

    def token(self, merchant: Merchant, ttl: int, now: int | None = None) -> str:
        """An ID token of the local issuer for `merchant`, as Cognito's managed login would issue one."""
        return LocalIssuer(self.directory).mint(
            merchant,
            issuer=issuer_url(self.base_url, self.authorizer.user_pool),
            client_id=sorted(self.authorizer.client_ids)[0],
            now=int(time.time()) if now is None else now,
            ttl=ttl,
        )

    def add(self, email: str, groups: Sequence[str], ttl: int) -> str:
        known = self._read()
        known[email] = sorted({*known.get(email, ()), *groups})
        self._write(known)
        return self.token(Merchant(email, tuple(known[email])), ttl)

    def remove(self, email: str, groups: Sequence[str]) -> None:
        known = self._read()
        if email not in known:
            raise MerchantError(f"no local merchant {email}")
        if groups:
            known[email] = [group for group in known[email] if group not in groups]
        else:
            del known[email]
        self._write(known)

    def members(self) -> list[MerchantRecord]:
        return [
            MerchantRecord(email, tuple(groups), "local") for email, groups in sorted(self._read().items())
        ]

    def _read(self) -> dict[str, list[str]]:
        try:
            document = json.loads(self.registry.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError:
            raise MerchantError(f"{self.registry} is not JSON: fix or delete it") from None
        return {str(email): [str(group) for group in groups] for email, groups in dict(document).items()}

    def _write(self, known: dict[str, list[str]]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.registry.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def describe(records: Iterable[MerchantRecord]) -> list[str]:
    lines = []
    for record in records:
        groups = ", ".join(record.groups) or "(no group: may act on no store)"
        status = f"  [{record.status}]" if record.status else ""
        lines.append(f"{record.email}  {groups}{status}")
    return lines
