"""`loyalty dev`, `dev-reset`, `invoke` and `run-schedule`: the service on this machine."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, datetime

from loyalty.domain.entities import format_timestamp
from loyalty_dev.cli.common import Subparsers, default_port, relative
from loyalty_dev.engines.database import DYNAMODB_DATA_DIR, running_dev_server, wipe_dev_data
from loyalty_dev.local.dev import DevError, DevOptions, invoke, read_event, serve
from loyalty_dev.local.schedules import schedule_sources, scheduled_event
from loyalty_dev.local.server import DEFAULT_HOST
from loyalty_dev.local.workers import DEFAULT_WORKERS_PER_FUNCTION
from loyalty_dev.template import load_template


def add_dev(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "dev",
        help="serve every route of template.yaml on http://127.0.0.1:3000 with a local DynamoDB (make dev)",
        description="Start DynamoDB Local (unless AWS_ENDPOINT_URL_DYNAMODB names a database), create the "
        "template's tables, and serve the template's routes until Ctrl-C.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=default_port(), help="HTTP port (default: $PORT or 3000)")
    parser.add_argument(
        "--in-memory",
        action="store_true",
        help=f"keep no data (default: kept in {relative(DYNAMODB_DATA_DIR)})",
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
    where = relative(DYNAMODB_DATA_DIR)
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
