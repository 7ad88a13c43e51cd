"""Webhook signatures: `X-Loyalty-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, as Stripe signs."""

from __future__ import annotations

import hashlib
import hmac
import re

from loyalty.errors import Unauthorized

SIGNATURE_HEADER = "X-Loyalty-Signature"
TOLERANCE_SECONDS = 300
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_HEADER_LENGTH = 4096


def compute_signature(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: bytes, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={compute_signature(secret, timestamp, body)}"


def verify_signature(header: str | None, body: bytes, secret: bytes, now: float) -> None:
    """Raise Unauthorized unless one `v1` entry is the MAC of `<t>.<body>` and `t` is recent."""
    if not header:
        raise Unauthorized(f"missing {SIGNATURE_HEADER} header")
    timestamp, candidates = _parse(header)
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise Unauthorized("signature timestamp is outside the 300 second tolerance")
    expected = compute_signature(secret, timestamp, body).encode()
    # Compare against every entry, without stopping early, so timing says nothing about which.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate.encode())
    if not matched:
        raise Unauthorized("signature does not match the body")


def _parse(header: str) -> tuple[int, list[str]]:
    if len(header) > _MAX_HEADER_LENGTH:
        raise Unauthorized(f"malformed {SIGNATURE_HEADER} header")
    timestamps: list[str] = []
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise Unauthorized(f"malformed {SIGNATURE_HEADER} header")
        if key == "t":
            timestamps.append(value)
        elif key == "v1" and _HEX_SHA256.fullmatch(value):
            candidates.append(value)
        # Other schemes (v0, future versions) are ignored, as Stripe's verifiers do.
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise Unauthorized(f"malformed {SIGNATURE_HEADER} header: one numeric t= is required")
    if not candidates:
        raise Unauthorized(f"malformed {SIGNATURE_HEADER} header: no v1 signature")
    return int(timestamps[0]), candidates
