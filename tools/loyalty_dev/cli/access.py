"""`loyalty token`, `admin-token` and `merchants`: who may call the service."""

from __future__ import annotations

import argparse
import os
import sys
import time

from botocore.exceptions import BotoCoreError

from loyalty.http.tokens import MAX_LIFETIME_SECONDS, mint_customer_token
from loyalty_dev import merchants
from loyalty_dev.cli.common import Subparsers, server_url
from loyalty_dev.local.dev import DevError
from loyalty_dev.local.environment import local_secrets
from loyalty_dev.local.issuer import DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, Merchant
from loyalty_dev.template import load_template


def add_token(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "token",
        help="mint a customer token for the balance lookup (what a storefront's server does)",
        description="Print an HS256 customer token for STORE and CUSTOMER, signed with "
        "$LOYALTY_CUSTOMER_TOKEN_SECRET, else the development one.",
    )
    parser.add_argument("store", metavar="STORE")
    parser.add_argument("customer", metavar="CUSTOMER")
    parser.add_argument(
        "--ttl", type=int, default=3600, help="lifetime in seconds, at most 86400 (default: 3600)"
    )
    parser.set_defaults(run=run_token)


def run_token(args: argparse.Namespace) -> int:
    if not 0 < args.ttl <= MAX_LIFETIME_SECONDS:
        raise DevError(f"--ttl must be between 1 and {MAX_LIFETIME_SECONDS} seconds")
    secret = local_secrets().customer_token.encode()
    print(mint_customer_token(secret, args.store, args.customer, int(time.time()), args.ttl))
    return 0


def _ttl(value: str) -> int:
    seconds = int(value)
    if not 0 < seconds <= MAX_TTL_SECONDS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_TTL_SECONDS} seconds")
    return seconds


def add_admin_token(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "admin-token",
        help="mint a local merchant token for the back office (what Cognito's sign-in gives a merchant)",
        description="Print an RS256 ID token of the local issuer (keys in .dev-data/local-issuer/) for a "
        "merchant of each STORE (group store:<STORE>), or an operator (--operator, every store). The local "
        "server accepts it on /admin/… as API Gateway accepts Cognito's: "
        'curl -H "Authorization: Bearer $(loyalty admin-token acme)" …/admin/stores/acme/overview',
    )
    parser.add_argument("stores", metavar="STORE", nargs="*", help="the stores the merchant may act on")
    parser.add_argument("--operator", action="store_true", help="in the operators group: every store")
    parser.add_argument(
        "--email", default="merchant@example.com", help="the token's email (default: %(default)s)"
    )
    parser.add_argument(
        "--ttl",
        type=_ttl,
        default=DEFAULT_TTL_SECONDS,
        help=f"lifetime in seconds, at most {MAX_TTL_SECONDS} (default: %(default)s)",
    )
    parser.add_argument(
        "--url",
        default=None,
        help="the local server it is for (default: the running `make dev`'s, else $LOYALTY_URL)",
    )
    parser.set_defaults(run=run_admin_token)


def run_admin_token(args: argparse.Namespace) -> int:
    if not args.stores and not args.operator:
        raise DevError("name at least one STORE, or --operator")
    try:
        groups = merchants.requested_groups(args.stores, operator=args.operator)
        local = merchants.LocalMerchants(load_template(), server_url(args.url))
        print(local.token(Merchant(merchants.check_email(args.email), tuple(groups)), args.ttl))
    except merchants.MerchantError as error:
        raise DevError(str(error)) from None
    return 0


def add_merchants(commands: Subparsers) -> None:
    target = argparse.ArgumentParser(add_help=False)
    where = target.add_argument_group("where the merchants are (default: the local issuer of `make dev`)")
    where.add_argument(
        "--user-pool-id", default=os.environ.get("LOYALTY_USER_POOL_ID"), help="a Cognito user pool"
    )
    where.add_argument("--stack", help="a deployed stack: its MerchantUserPoolId output")
    where.add_argument("--region", default=None, help="AWS region (default: your AWS configuration's)")
    where.add_argument("--url", default=None, help="local only: the `make dev` the token is for")
    membership = argparse.ArgumentParser(add_help=False)
    membership.add_argument(
        "--store",
        dest="stores",
        action="append",
        default=[],
        metavar="STORE",
        help="store:<STORE> (repeatable)",
    )
    membership.add_argument("--operator", action="store_true", help="the operators group (every store)")

    parser = commands.add_parser(
        "merchants",
        help="invite, remove and list the merchants who may sign in to the back office",
        description="On a deployed stack (--stack or --user-pool-id): Cognito users, invited by email with a "
        "temporary password, in the groups store:<id> (created when missing) or operators. Locally: "
        "recorded in .dev-data/local-issuer/ and given a token at once.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", parents=[target, membership], help="invite EMAIL to stores (or as an operator)"
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--ttl", type=_ttl, default=DEFAULT_TTL_SECONDS, help="local only: the token's lifetime")
    remove = actions.add_parser(
        "remove",
        parents=[target, membership],
        help="take EMAIL out of stores; with none named, remove the user",
    )
    remove.add_argument("email", metavar="EMAIL")
    actions.add_parser("list", parents=[target], help="every merchant and their groups")
    parser.set_defaults(run=run_merchants)


def _cognito(args: argparse.Namespace) -> merchants.CognitoMerchants | None:
    if not args.user_pool_id and not args.stack:
        return None
    import boto3

    session = boto3.session.Session(region_name=args.region)
    try:
        pool = args.user_pool_id or merchants.user_pool_of_stack(session.client("cloudformation"), args.stack)
        return merchants.CognitoMerchants(session.client("cognito-idp"), pool)
    except BotoCoreError as error:
        raise DevError(f"cannot reach AWS: {error}") from None


def run_merchants(args: argparse.Namespace) -> int:
    try:
        cognito = _cognito(args)
        if cognito is None:
            print("(no --stack or --user-pool-id: the local issuer of `make dev`)", file=sys.stderr)
            return _local_merchants(args, merchants.LocalMerchants(load_template(), server_url(args.url)))
        return _cognito_merchants(args, cognito)
    except merchants.MerchantError as error:
        raise DevError(str(error)) from None


def _membership(args: argparse.Namespace) -> tuple[str, list[str]]:
    email = merchants.check_email(args.email)
    groups = merchants.requested_groups(args.stores, operator=args.operator)
    if args.action == "add" and not groups:
        raise DevError("name at least one --store, or --operator")
    return email, groups


def _cognito_merchants(args: argparse.Namespace, cognito: merchants.CognitoMerchants) -> int:
    if args.action == "list":
        for line in merchants.describe(cognito.members()) or ["(no merchants)"]:
            print(line)
        return 0
    email, groups = _membership(args)
    if args.action == "add":
        invited = cognito.add(email, groups)
        said = "invited: Cognito emails a temporary password" if invited else "already a user"
        print(f"{email}: {', '.join(groups)} ({said})")
        return 0
    cognito.remove(email, groups)
    print(f"{email}: removed from {', '.join(groups)}" if groups else f"{email}: removed")
    return 0


def _local_merchants(args: argparse.Namespace, local: merchants.LocalMerchants) -> int:
    if args.action == "list":
        for line in merchants.describe(local.members()) or ["(no merchants)"]:
            print(line)
        return 0
    email, groups = _membership(args)
    if args.action == "add":
        print(local.add(email, groups, args.ttl))
        print(f"{email}: {', '.join(groups)} (local: the token above lasts {args.ttl} s)", file=sys.stderr)
        return 0
    local.remove(email, groups)
    print(f"{email}: removed from {', '.join(groups)}" if groups else f"{email}: removed")
    return 0
