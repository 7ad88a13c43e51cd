"""Storefront customer tokens: HS256 JWTs whose `sub` is `<store_id>:<customer_id>`."""

from __future__ import annotations

import jwt

from loyalty.errors import Unauthorized

ALGORITHM = "HS256"
MAX_LIFETIME_SECONDS = 24 * 3600
CLOCK_SKEW_SECONDS = 60


def subject(store_id: str, customer_id: str) -> str:
    return f"{store_id}:{customer_id}"


def mint_customer_token(secret: bytes, store_id: str, customer_id: str, now: int, ttl: int) -> str:
    """What a storefront's server does for its logged-in customer (tools and tests use it too)."""
    claims = {"sub": subject(store_id, customer_id), "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_customer_token(
    authorization: str | None, secret: bytes, store_id: str, customer_id: str, now: float
) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    try:
        claims = jwt.decode(
            token.strip(),
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
            leeway=CLOCK_SKEW_SECONDS,
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("token expired") from None
    except jwt.PyJWTError:
        raise Unauthorized("invalid token") from None
    if claims["exp"] > now + MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS:
        raise Unauthorized("token lifetime exceeds 24 hours")
    if claims["sub"] != subject(store_id, customer_id):
        raise Unauthorized("token is for another customer")
