"""reconcile: check a store's invariants on any table (local or AWS); exit 1 on any problem."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import boto3
from botocore.config import Config

from loyalty.domain.operations.invariants import store_problems
from loyalty.repository import Repository


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="loyalty-reconcile", description=__doc__)
    parser.add_argument("--store", action="append", required=True, help="store id (repeat for several)")
    parser.add_argument(
        "--table",
        default=os.environ.get("TABLE_NAME", "LoyaltyTable"),
        help="table name (default: $TABLE_NAME, else LoyaltyTable as `make dev` names it)",
    )
    parser.add_argument(
        "--endpoint-url",
        default=None,
        help="DynamoDB endpoint (default: boto3's, so AWS_ENDPOINT_URL_DYNAMODB or AWS itself)",
    )
    parser.add_argument("--region", default=None, help="AWS region (default: boto3's)")
    return parser


def run(arguments: argparse.Namespace) -> int:
    client = boto3.client(
        "dynamodb",
        endpoint_url=arguments.endpoint_url,
        region_name=arguments.region,
        config=Config(retries={"mode": "adaptive", "max_attempts": 10}),
    )
    repository = Repository(arguments.table, client)
    problems = 0
    for store_id in arguments.store:
        found = store_problems(repository, store_id)
        problems += len(found)
        for problem in found:
            print(f"PROBLEM {problem}")
        print(f"{store_id}: {'clean' if not found else f'{len(found)} problem(s)'}")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
