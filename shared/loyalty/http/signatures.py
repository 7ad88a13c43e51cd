"""Webhook signatures: `X-Loyalty-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, as Stripe signs."""

from __future__ import annotations

import hashlib
import hmac
import re

from loyalty.errors import Unauthorized

SIGNATURE_HEADER = "X-Loyalty-Signature"
TOLERANCE_SECONDS = 300
MAX_HEADER_LENGTH = 4096
# Rotation needs two or three entries; more than this is not a signature but a flood.
MAX_ENTRIES = 16
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
# ASCII digits only (str.isdigit also accepts "١٢٣" and "²"), and no more than 12 of them: unix
# seconds stay below 10**11 for thousands of years, and a longer number must never reach arithmetic.
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


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
    if len(header) > MAX_HEADER_LENGTH:
        raise Unauthorized(f"malformed {SIGNATURE_HEADER} header: longer than {MAX_HEADER_LENGTH}")
    parts = header.split(",", MAX_ENTRIES)
    if len(parts) > MAX_ENTRIES:
        raise Unauthorized(f"malformed {SIGNATURE_HEADER} header: more than {MAX_ENTRIES} entries")
    timestamps: list[str] = []
    candidates: list[str] = []
    for part in parts:
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise Unauthorized(f"malformed {SIGNATURE_HEADER} header")
        if key == "t":
            timestamps.append(value)
        elif key == "v1" and _HEX_SHA256.fullmatch(value):
            candidates.append(value)
        # Other schemes (v0, future versions) are ignored, as Stripe's verifiers do.
    if len(timestamps) != 1 or not _UNIX_SECONDS.fullmatch(timestamps[0]):
        raise Unauthorized(f"malformed {SIGNATURE_HEADER} header: one numeric t= is required")
    if not candidates:
        raise Unauthorized(f"malformed {SIGNATURE_HEADER} header: no v1 signature")
    return int(timestamps[0]), candidates
