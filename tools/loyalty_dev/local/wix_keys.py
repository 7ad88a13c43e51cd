"""Wix webhooks on this machine: a development key pair for the app, and tokens signed as Wix signs.

Wix signs each webhook RS256 with the app's private key, which only Wix holds. Locally the service
verifies with the public half of a development key pair made on first use under .dev-data/
(git-ignored, never committed), and `loyalty send wix/...`, `loyalty events` and `loyalty invoke`
sign with its private half. A developer who sets LOYALTY_WIX_PUBLIC_KEY to a real app's key gets
that key verified instead, and can sign only with its private key (`--wix-private-key`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from loyalty_dev.engines.database import DEV_DATA_DIR
from loyalty_dev.openapi import Operation

WIX_PUBLIC_KEY_VARIABLE = "LOYALTY_WIX_PUBLIC_KEY"
DEV_PRIVATE_KEY_FILE = DEV_DATA_DIR / "wix-app-dev-private-key.pem"
WIX_WEBHOOKS_PREFIX = "/webhooks/wix/"
NOTIFICATION_EXTENSION = "x-wix-notification"  # openapi.yaml: the decoded example of a Wix route
TOKEN_MEDIA_TYPE = "text/plain"  # noqa: S105 - a media type, not a secret
# What Wix's tokens carry: a lifetime, which the service does not enforce (Wix redelivers for days).
TOKEN_LIFETIME_SECONDS = 2 * 86400


@dataclass(frozen=True)
class WixKeys:
    """The public key the functions verify with, and the private one to sign with (None when the
    developer gave a real app's public key, whose private half only Wix has)."""

    public_pem: str
    private_pem: str | None
    is_dev: bool


def dev_private_key(path: Path = DEV_PRIVATE_KEY_FILE) -> str:
    """The development private key, made (RSA 2048, readable by the owner only) on first use."""
    if path.exists():
        return path.read_text(encoding="ascii")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole beside it, then linked into place: two processes starting at once (tests, `make
    # dev` and `loyalty send`) end with the same key, never half a file or one replaced under the other.
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as stream:
        stream.write(pem)
    try:
        os.link(draft, path)
    except FileExistsError:
        pem = path.read_text(encoding="ascii")
    finally:
        draft.unlink()
    return pem


def public_key_of(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def local_wix_keys(environ: Mapping[str, str], private_key_file: Path | None = None) -> WixKeys:
    given = environ.get(WIX_PUBLIC_KEY_VARIABLE)
    if given:
        private = private_key_file.read_text(encoding="ascii") if private_key_file else None
        return WixKeys(public_pem=given, private_pem=private, is_dev=False)
    private = private_key_file.read_text(encoding="ascii") if private_key_file else dev_private_key()
    return WixKeys(public_pem=public_key_of(private), private_pem=private, is_dev=True)


def _as_json_string(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def sign_notification(private_pem: str, notification: Mapping[str, Any], now: int) -> str:
    """The body Wix posts for `notification` (`{eventType, instanceId, data, identity}`, its
    `data` and `identity` as objects or JSON strings): each layer a JSON string, signed RS256."""
    layered = {
        **notification,
        "data": _as_json_string(notification.get("data", {})),
        "identity": _as_json_string(notification.get("identity", {})),
    }
    claims = {"data": _as_json_string(layered), "iat": now, "exp": now + TOKEN_LIFETIME_SECONDS}
    return jwt.encode(claims, private_pem, algorithm="RS256")


class NotAToken(ValueError):
    """What was to be re-signed is not a JWT."""


def resign(token: str, private_pem: str, now: int) -> str:
    """The same claims, freshly signed (and dated) with `private_pem`."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise NotAToken("not a JWT") from None
    claims.update(iat=now, exp=now + TOKEN_LIFETIME_SECONDS)
    return jwt.encode(claims, private_pem, algorithm="RS256")


def notification_example(operation: Operation) -> dict[str, Any] | None:
    """The decoded example openapi.yaml gives a Wix route (None for every other route)."""
    content = operation.spec.get("requestBody", {}).get("content", {}).get(TOKEN_MEDIA_TYPE, {})
    example = content.get(NOTIFICATION_EXTENSION)
    return dict(example) if isinstance(example, dict) else None


def is_wix_route(path: str) -> bool:
    return path.startswith(WIX_WEBHOOKS_PREFIX)
