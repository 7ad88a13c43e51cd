"""The `loyalty` command: run the service locally, invoke a function, sign and send webhooks, follow
the outbound events, mint tokens, invite merchants, check a store's invariants.

One module per command group (server, webhooks, access, project); each subcommand is one ``add_*``
function that declares its arguments and the function that runs it. Adding a subcommand is writing
one such function and listing it in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from loyalty.http.tokens import mint_customer_token
from loyalty_dev.cli.access import add_admin_token, add_merchants, add_token
from loyalty_dev.cli.common import Run, Subparsers, relative
from loyalty_dev.cli.outbound import add_tail
from loyalty_dev.cli.project import add_events, add_reconcile, add_schemas
from loyalty_dev.cli.server import add_dev, add_dev_reset, add_invoke, add_run_schedule
from loyalty_dev.cli.webhooks import add_send, webhook_kinds
from loyalty_dev.local.dev import DevError
from loyalty_dev.template import PROJECT_ROOT

__all__ = ["COMMANDS", "build_parser", "main", "mint_customer_token", "webhook_kinds"]

COMMANDS: tuple[Callable[[Subparsers], None], ...] = (
    add_dev,
    add_dev_reset,
    add_invoke,
    add_run_schedule,
    add_send,
    add_tail,
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
        description=f"Developer commands of the loyalty service (project: {relative(PROJECT_ROOT)}).",
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
