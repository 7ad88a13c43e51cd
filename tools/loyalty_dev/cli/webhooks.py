"""`loyalty send`: sign a webhook as a platform does and POST it to the local server."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from loyalty.http.signatures import SIGNATURE_HEADER, signature_header
from loyalty_dev.cli.common import Subparsers, server_url
from loyalty_dev.local.dev import DevError
from loyalty_dev.local.environment import local_secrets
from loyalty_dev.local.wix_keys import (
    NOTIFICATION_EXTENSION,
    TOKEN_MEDIA_TYPE,
    is_wix_route,
    local_wix_keys,
    notification_example,
    sign_notification,
)
from loyalty_dev.openapi import load_openapi
from loyalty_dev.template import load_template


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
        description="Sign FILE (a canonical event as docs/api.md and openapi.yaml describe it; default: "
        "openapi.yaml's example) with a fresh X-Loyalty-Signature and POST it to URL/webhooks/KIND. "
        "The secret is "
        "$LOYALTY_WEBHOOK_SECRET, else the development one. For wix/* kinds, FILE is the decoded "
        "notification ({eventType, instanceId, data, identity}), sent as Wix sends it: a JWT signed "
        "RS256 with the development Wix key (or --wix-private-key).",
    )
    parser.add_argument("kind", metavar="KIND", choices=sorted(kinds), help=" | ".join(sorted(kinds)))
    parser.add_argument("file", metavar="FILE", nargs="?", help="the event's JSON ('-': standard input)")
    parser.add_argument(
        "--url",
        default=None,
        help="base URL (default: the running `make dev`'s, else $LOYALTY_URL, else http://127.0.0.1:$PORT)",
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
    status, text = http_request("POST", server_url(args.url).rstrip("/") + path, headers, body)
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
    status, text = http_request("POST", server_url(args.url).rstrip("/") + path, headers, token.encode())
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
