"""Storefront customer tokens: HS256 JWTs whose `sub` is `<store_id>:<customer_id>`.

A store id has no colon, so the subject is split at its first colon and names exactly one store
and one customer (a customer id may hold colons).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jwt

from loyalty.errors import Unauthorized

ALGORITHM = "HS256"
MAX_LIFETIME_SECONDS = 24 * 3600
# Expiry is exact, as for merchant tokens (API Gateway's Cognito authorizer, and the local server's,
# allow no leeway): a token is refused from its `exp` on. The storefront's server is another clock,
# so `iat` (informational) is not checked against this one, and the 24-hour bound on the lifetime
# allows that clock to be this much ahead.
MINTING_CLOCK_AHEAD_SECONDS = 60
# A customer token is about 200 characters; the bound keeps a stranger's "token" from reaching the
# base64 and JSON decoders at any size.
MAX_AUTHORIZATION_LENGTH = 2048
_STORE_ID = re.compile(r"[A-Za-z0-9._@-]{1,128}")


@dataclass(frozen=True, slots=True)
class Subject:
    store_id: str
    customer_id: str


def subject(store_id: str, customer_id: str) -> str:
    return f"{store_id}:{customer_id}"


def mint_customer_token(secret: bytes, store_id: str, customer_id: str, now: int, ttl: int) -> str:
    """What a storefront's server does for its logged-in customer (tools and tests use it too)."""
    claims = {"sub": subject(store_id, customer_id), "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def parse_subject(sub: object) -> Subject:
    """`<store_id>:<customer_id>`, split at the first colon; 401 unless the store part is a store
    id. (The customer part is only compared with the path, whose own check answers 422.)"""
    if not isinstance(sub, str):
        raise Unauthorized("invalid token subject")
    store_id, colon, customer_id = sub.partition(":")
    if not colon or not _STORE_ID.fullmatch(store_id) or not customer_id:
        raise Unauthorized("invalid token subject")
    return Subject(store_id, customer_id)


def verify_customer_token(
    authorization: str | None, secret: bytes, store_id: str, customer_id: str, now: float
) -> None:
    if authorization is not None and len(authorization) > MAX_AUTHORIZATION_LENGTH:
        raise Unauthorized("invalid token")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    try:
        claims = jwt.decode(
            token.strip(),
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"], "verify_iat": False},
            leeway=0,
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("token expired") from None
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError):
        # PyJWT turns `exp` into an int: a signed 1e308 or "soon" would escape as these.
        raise Unauthorized("invalid token") from None
    expires = claims["exp"]
    if not isinstance(expires, int) or isinstance(expires, bool):
        raise Unauthorized("invalid token expiry")
    if expires > now + MAX_LIFETIME_SECONDS + MINTING_CLOCK_AHEAD_SECONDS:
        raise Unauthorized("token lifetime exceeds 24 hours")
    if parse_subject(claims["sub"]) != Subject(store_id, customer_id):
        raise Unauthorized("token is for another customer")
