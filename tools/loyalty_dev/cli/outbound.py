"""`loyalty events tail` (or `loyalty tail`): the outbound events the running `make dev`
publishes, printed as they come.

`loyalty events` alone still rewrites events/ (the API Gateway sample events `sam local invoke -e`
takes); `loyalty events tail` is the name the API's documentation gives this command, and
`loyalty tail` its short form.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from loyalty_dev.cli.common import Subparsers, relative
from loyalty_dev.local.event_log import EVENTS_LOG, describe, follow


def add_tail(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "tail",
        help="print the outbound events `make dev` publishes (points.earned, customer.joined…), as they come",
        description="Follow the events the local event bus receives from EventsFunction (one line each, "
        "or the EventBridge event as JSON with --json), until Ctrl-C. The same as `loyalty events tail`.",
    )
    add_tail_options(parser)
    parser.set_defaults(run=run_tail)


def add_tail_options(parser: argparse.ArgumentParser) -> None:
    """The options of `loyalty tail`, which `loyalty events tail` takes too."""
    parser.add_argument(
        "--all", action="store_true", help="from the first event of this `make dev`, not only new ones"
    )
    parser.add_argument(
        "--json", action="store_true", help="each event as EventBridge delivers it, one JSON a line"
    )
    parser.add_argument(
        "--type", action="append", default=[], help="only this kind (repeatable), e.g. points.earned"
    )
    parser.add_argument("--log", type=Path, default=EVENTS_LOG, help=argparse.SUPPRESS)


def run_tail(args: argparse.Namespace) -> int:
    if not args.log.exists():
        print(f"waiting for `make dev` to publish events (to {relative(args.log)})", flush=True)
    for event in follow(args.log, from_start=args.all):
        if args.type and event.get("detail-type") not in args.type:
            continue
        print(json.dumps(event) if args.json else describe(event), flush=True)
    return 0
