"""The `loyalty` command: run the service locally, invoke a function, sign and send webhooks, mint tokens,
invite merchants, check a store's invariants.

Each subcommand is one ``add_*`` function that declares its arguments and the function that runs
it; adding a subcommand is writing one such function and listing it in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from loyalty.domain.entities import format_timestamp
from loyalty.http.signatures import SIGNATURE_HEADER, signature_header
from loyalty.http.tokens import MAX_LIFETIME_SECONDS, mint_customer_token
from loyalty_dev import merchants, reconcile
from loyalty_dev.engines.database import DYNAMODB_DATA_DIR, running_dev_server, wipe_dev_data
from loyalty_dev.harness.events import scheduled_event
from loyalty_dev.local.dev import DevError, DevOptions, invocation_database, invoke, read_event, serve
from loyalty_dev.local.environment import local_secrets, patched_environ, secret_names
from loyalty_dev.local.issuer import DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, Merchant
from loyalty_dev.local.schedules import schedule_sources
from loyalty_dev.local.server import DEFAULT_HOST, DEFAULT_PORT
from loyalty_dev.local.wix_keys import (
    NOTIFICATION_EXTENSION,
    TOKEN_MEDIA_TYPE,
    is_wix_route,
    local_wix_keys,
    notification_example,
    sign_notification,
)
from loyalty_dev.local.workers import DEFAULT_WORKERS_PER_FUNCTION
from loyalty_dev.openapi import OPENAPI_PATH, load_openapi
from loyalty_dev.sample_events import EVENTS_DIR, write_events
from loyalty_dev.schemas import write_schemas
from loyalty_dev.template import PROJECT_ROOT, load_template

Subparsers = Any  # argparse's _SubParsersAction, which typeshed keeps private
Run = Callable[[argparse.Namespace], int]


def _default_port() -> int:
    raw = os.environ.get("PORT", "")
    return int(raw) if raw.isdigit() else DEFAULT_PORT


def _default_url() -> str:
    return os.environ.get("LOYALTY_URL") or f"http://127.0.0.1:{_default_port()}"


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# -- dev ---------------------------------------------------------------------------------------


def add_dev(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "dev",
        help="serve every route of template.yaml on http://127.0.0.1:3000 with a local DynamoDB (make dev)",
        description="Start DynamoDB Local (unless AWS_ENDPOINT_URL_DYNAMODB names a database), create the "
        "template's tables, and serve the template's routes until Ctrl-C.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=_default_port(), help="HTTP port (default: $PORT or 3000)"
    )
    parser.add_argument(
        "--in-memory",
        action="store_true",
        help=f"keep no data (default: kept in {_relative(DYNAMODB_DATA_DIR)})",
    )
    parser.add_argument(
        "--dynamodb-port", type=int, default=None, help="DynamoDB Local's port (default: a free one)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS_PER_FUNCTION,
        help="execution environments per function, at most (default: %(default)s)",
    )
    parser.add_argument("--no-prewarm", action="store_true", help="start each function at its first request")
    parser.set_defaults(run=run_dev)


def _log_to_console() -> None:
    """One line per request (and per new execution environment) on stdout, with the time."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    logger = logging.getLogger("loyalty.dev")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def run_dev(args: argparse.Namespace) -> int:
    _log_to_console()
    options = DevOptions(
        host=args.host,
        port=args.port,
        data_dir=None if args.in_memory else DYNAMODB_DATA_DIR,
        dynamodb_port=args.dynamodb_port,
        workers_per_function=args.workers,
        prewarm=not args.no_prewarm,
    )
    return serve(options)


def add_dev_reset(commands: Subparsers) -> None:
    parser = commands.add_parser("dev-reset", help="wipe the local database's data (make dev-reset)")
    parser.set_defaults(run=run_dev_reset)


def run_dev_reset(args: argparse.Namespace) -> int:
    state = running_dev_server()
    if state is not None:
        raise DevError(f"`make dev` is running (pid {state['pid']}): stop it first")
    where = _relative(DYNAMODB_DATA_DIR)
    print(f"Removed {where}." if wipe_dev_data() else f"Nothing to remove ({where} does not exist).")
    return 0


# -- invoke ------------------------------------------------------------------------------------


def add_invoke(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "invoke",
        help="run one function on one event and print its response (as `sam local invoke`)",
        description="Run FUNCTION (a logical id of template.yaml) on the API Gateway event in EVENT_FILE "
        "('-': standard input), in a fresh process with the template's environment, against the running "
        "`make dev`'s database (or AWS_ENDPOINT_URL_DYNAMODB, or a local database started for it). "
        "Webhook signatures and customer tokens in the event are renewed unless --as-is.",
    )
    parser.add_argument("function", metavar="FUNCTION")
    parser.add_argument("event_file", metavar="EVENT_FILE")
    parser.add_argument("--as-is", action="store_true", help="send the event's signature and token unchanged")
    parser.set_defaults(run=run_invoke)


def run_invoke(args: argparse.Namespace) -> int:
    result = invoke(args.function, read_event(args.event_file), renew=not args.as_is)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def add_run_schedule(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "run-schedule",
        help="run a scheduled function now, on the event EventBridge would send (ExpiryFunction)",
        description="Invoke FUNCTION (a function of template.yaml with a `Type: Schedule` event) once, "
        "as `loyalty invoke` does, on a `Scheduled Event` whose `time` is now (or --time): against the "
        "running `make dev`'s database, else AWS_ENDPOINT_URL_DYNAMODB, else a local database started "
        "for it. `make dev` also fires it on its schedule by itself.",
    )
    parser.add_argument("function", metavar="FUNCTION")
    parser.add_argument(
        "--time", default=None, help="the event's time, RFC 3339 (default: now), e.g. 2027-03-01T03:15:00Z"
    )
    parser.set_defaults(run=run_run_schedule)


def run_run_schedule(args: argparse.Namespace) -> int:
    scheduled = {source.function for source in schedule_sources(load_template())}
    if args.function not in scheduled:
        raise DevError(
            f"{args.function} has no Schedule event in template.yaml;"
            f" scheduled: {', '.join(sorted(scheduled))}"
        )
    moment = args.time or format_timestamp(datetime.now(UTC))
    result = invoke(args.function, scheduled_event(moment), renew=False)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


# -- send --------------------------------------------------------------------------------------


def webhook_kinds() -> dict[str, str]:
    """kind → path of every webhook route of the template that `send` can sign: the canonical ones
    (`POST /webhooks/<kind>`) and Wix's (`POST /webhooks/wix/<kind>`, kind `wix/<kind>`)."""
    kinds = {}
    for route in load_template().routes():
        parts = route.path.strip("/").split("/")
        if route.method == "POST" and len(parts) == 2 and parts[0] == "webhooks":
            kinds[parts[1]] = route.path
        elif route.method == "POST" and is_wix_route(route.path):
            kinds[route.path.removeprefix("/webhooks/")] = route.path
    return kinds


def add_send(commands: Subparsers) -> None:
    kinds = webhook_kinds()
    parser = commands.add_parser(
        "send",
        help="sign a canonical webhook event and POST it to the service",
        description="Sign FILE (a canonical event as in CONTRACT.md; default: the example of openapi.yaml) "
        "with a fresh X-Loyalty-Signature and POST it to URL/webhooks/KIND. The secret is "
        "$LOYALTY_WEBHOOK_SECRET, else the development one. For wix/* kinds, FILE is the decoded "
        "notification ({eventType, instanceId, data, identity}), sent as Wix sends it: a JWT signed "
        "RS256 with the development Wix key (or --wix-private-key).",
    )
    parser.add_argument("kind", metavar="KIND", choices=sorted(kinds), help=" | ".join(sorted(kinds)))
    parser.add_argument("file", metavar="FILE", nargs="?", help="the event's JSON ('-': standard input)")
    parser.add_argument(
        "--url", default=_default_url(), help="base URL (default: $LOYALTY_URL or %(default)s)"
    )
    parser.add_argument(
        "--wix-private-key",
        type=Path,
        metavar="PEM",
        help="sign wix/* kinds with this private key (needed when LOYALTY_WIX_PUBLIC_KEY is your own)",
    )
    parser.set_defaults(run=run_send)


def run_send(args: argparse.Namespace) -> int:
    path = webhook_kinds()[args.kind]
    if is_wix_route(path):
        return send_wix(args, path)
    if args.file is None:
        openapi = load_openapi()
        operation = openapi.operation("POST", path)
        example = openapi.request_example(operation) if operation is not None else None
        if example is None:
            raise DevError(f"openapi.yaml has no example for POST {path}: give a FILE")
        body = json.dumps(example, separators=(",", ":"), ensure_ascii=False).encode()
    else:
        # The file's bytes exactly as they are: they are what gets signed.
        try:
            body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
        except OSError as error:
            raise DevError(f"cannot read {args.file}: {error.strerror}") from None
    secret = local_secrets().webhook.encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(secret, int(time.time()), body),
    }
    status, text = http_request("POST", args.url.rstrip("/") + path, headers, body)
    print(f"HTTP {status}", file=sys.stderr)
    print(_pretty(text))
    return 0 if status < 400 else 1


def send_wix(args: argparse.Namespace, path: str) -> int:
    if args.file is None:
        operation = load_openapi().operation("POST", path)
        notification = notification_example(operation) if operation is not None else None
        if notification is None:
            raise DevError(f"openapi.yaml has no {NOTIFICATION_EXTENSION} for POST {path}: give a FILE")
    else:
        try:
            text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
            notification = json.loads(text)
        except OSError as error:
            raise DevError(f"cannot read {args.file}: {error.strerror}") from None
        except ValueError as error:
            raise DevError(f"{args.file} is not JSON: {error}") from None
    keys = local_wix_keys(os.environ, args.wix_private_key)
    if keys.private_pem is None:
        raise DevError(
            "LOYALTY_WIX_PUBLIC_KEY is your own app's key: sign with its private key (--wix-private-key PEM)"
        )
    token = sign_notification(keys.private_pem, notification, int(time.time()))
    headers = {"Content-Type": TOKEN_MEDIA_TYPE}
    status, text = http_request("POST", args.url.rstrip("/") + path, headers, token.encode())
    print(f"HTTP {status}", file=sys.stderr)
    print(_pretty(text))
    return 0 if status < 400 else 1


def http_request(method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - http(s) only, checked below
    if urlsplit(url).scheme not in {"http", "https"}:
        raise DevError(f"not an http(s) URL: {url}")
    # A proxy from the environment must not catch requests meant for this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode("utf-8", "replace")
    except urllib.error.URLError as error:
        raise DevError(f"nothing answers at {url} ({error.reason}); is `make dev` running?") from None


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


# -- token -------------------------------------------------------------------------------------


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


# -- admin-token and merchants: who may use the back office -------------------------------------


def _dev_server_url() -> str:
    """The URL of the running `make dev` (its tokens name it as their issuer), else the default one."""
    state = running_dev_server()
    return str(state["url"]) if state and state.get("url") else _default_url()


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
        local = merchants.LocalMerchants(load_template(), args.url or _dev_server_url())
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
            return _local_merchants(
                args, merchants.LocalMerchants(load_template(), args.url or _dev_server_url())
            )
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


# -- events ------------------------------------------------------------------------------------


def add_events(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "events",
        help="rewrite events/: one API Gateway event per route, freshly signed",
        description="Write one API Gateway event per route of template.yaml, with openapi.yaml's example, "
        "a fresh signature or customer token (local secrets), and remove the events of routes that are gone.",
    )
    parser.add_argument("--output", type=Path, default=EVENTS_DIR, help="folder (default: events/)")
    parser.set_defaults(run=run_events)


def run_events(args: argparse.Namespace) -> int:
    template = load_template()
    secrets = local_secrets(None, secret_names(template))
    written, removed = write_events(template, load_openapi(), secrets, args.output)
    for path in written:
        print(f"wrote   {_relative(path)}")
    for path in removed:
        print(f"removed {_relative(path)}")
    return 0


def add_schemas(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "schemas",
        help="rewrite openapi.yaml's components/schemas from the pydantic models",
        description="Write openapi.yaml's generated part (components/schemas) from loyalty.http.models "
        "and loyalty.http.responses; the paths, prose and examples stay as written.",
    )
    parser.set_defaults(run=run_schemas)


def run_schemas(args: argparse.Namespace) -> int:
    changed = write_schemas()
    print(f"{'wrote' if changed else 'unchanged'} {_relative(OPENAPI_PATH)} (components/schemas)")
    return 0


# -- reconcile ---------------------------------------------------------------------------------


def add_reconcile(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "reconcile",
        help="check stores' invariants on the running `make dev`'s database (loyalty-reconcile)",
        description="Check every invariant of each --store (as `loyalty-reconcile`), print the broken "
        "ones and exit 1 if there is any. Database: --endpoint-url, else AWS_ENDPOINT_URL_DYNAMODB, else "
        "the running `make dev`'s, else DynamoDB Local on .dev-data/ for the call (as `invoke`). "
        "For a table on AWS, use `loyalty-reconcile`.",
    )
    reconcile.build_parser(parser)
    # build_parser's help gives boto3's default, which this command replaces.
    endpoint = parser._option_string_actions["--endpoint-url"]
    endpoint.help = "DynamoDB endpoint (default: AWS_ENDPOINT_URL_DYNAMODB, else the running `make dev`'s)"
    parser.set_defaults(run=run_reconcile)


def run_reconcile(args: argparse.Namespace) -> int:
    if args.endpoint_url is not None:
        return reconcile.run(args)
    with invocation_database(os.environ, load_template()) as database:
        try:
            database.client().describe_table(TableName=args.table)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            raise DevError(f"no table {args.table} in {database.description}") from None
        except BotoCoreError as error:
            raise DevError(f"cannot reach {database.description}: {error}") from None
        print(f"database  {database.description}", file=sys.stderr)
        args.endpoint_url = database.endpoint_url
        # The dummy credentials and region a local engine is reached with, for this call.
        with patched_environ(database.environment):
            return reconcile.run(args)


# -- the command -------------------------------------------------------------------------------

COMMANDS: tuple[Callable[[Subparsers], None], ...] = (
    add_dev,
    add_dev_reset,
    add_invoke,
    add_run_schedule,
    add_send,
    add_token,
    add_admin_token,
    add_merchants,
    add_events,
    add_schemas,
    add_reconcile,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loyalty",
        description=f"Developer commands of the loyalty service (project: {_relative(PROJECT_ROOT)}).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Run = args.run
    try:
        return run(args)
    except DevError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
