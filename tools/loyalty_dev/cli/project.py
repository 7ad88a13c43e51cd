"""`loyalty events`, `schemas` and `reconcile`: files generated from the project, and its checks."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from loyalty_dev import reconcile
from loyalty_dev.cli.common import Subparsers, relative
from loyalty_dev.cli.outbound import add_tail_options, run_tail
from loyalty_dev.local.dev import DevError, invocation_database
from loyalty_dev.local.environment import local_secrets, patched_environ, secret_names
from loyalty_dev.openapi import OPENAPI_PATH, load_openapi
from loyalty_dev.sample_events import EVENTS_DIR, write_events
from loyalty_dev.schemas import write_schemas
from loyalty_dev.template import load_template


def add_events(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "events",
        help="rewrite events/: one API Gateway event per route, freshly signed; `events tail`: follow "
        "the outbound events `make dev` publishes",
        description="Write one API Gateway event per route of template.yaml, with openapi.yaml's example, "
        "a fresh signature or customer token (local secrets), and remove the events of routes that are gone. "
        "`loyalty events tail` instead follows the outbound events the running `make dev` publishes "
        "(as `loyalty tail`).",
    )
    parser.add_argument(
        "action", nargs="?", choices=["tail"], help="tail: follow the outbound events instead"
    )
    parser.add_argument("--output", type=Path, default=EVENTS_DIR, help="folder (default: events/)")
    add_tail_options(parser)
    parser.set_defaults(run=run_events)


def run_events(args: argparse.Namespace) -> int:
    if args.action == "tail":
        return run_tail(args)
    template = load_template()
    secrets = local_secrets(None, secret_names(template))
    written, removed = write_events(template, load_openapi(), secrets, args.output)
    for path in written:
        print(f"wrote   {relative(path)}")
    for path in removed:
        print(f"removed {relative(path)}")
    return 0


def add_schemas(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "schemas",
        help="rewrite openapi.yaml's components/schemas from the pydantic models",
        description="Write openapi.yaml's generated part (components/schemas) from loyalty.http.models "
        "and loyalty_dev.responses; the paths, prose and examples stay as written.",
    )
    parser.set_defaults(run=run_schemas)


def run_schemas(args: argparse.Namespace) -> int:
    changed = write_schemas()
    print(f"{'wrote' if changed else 'unchanged'} {relative(OPENAPI_PATH)} (components/schemas)")
    return 0


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
