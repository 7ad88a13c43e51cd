"""The local stand-in for the merchants' Cognito user pool: an RS256 key pair, its JWKS, and ID tokens.

Under `make dev` nobody signs in with Cognito, yet every `/admin/…` route must be as closed as in
AWS. So the local server trusts this issuer instead: it serves the issuer's public keys (a JWKS,
at ``<issuer>/.well-known/jwks.json``, as Cognito serves them under its issuer URL) and verifies
every admin token against them. `loyalty admin-token STORE` and `loyalty merchants add` mint the
tokens: ID tokens shaped as Cognito's (``token_use: id``, ``aud`` = the app client's id,
``cognito:groups``), so the function sees the claims it will see in AWS.

The private key lives in ``.dev-data/local-issuer/`` (git-ignored, created on first use, readable
by its owner only). It signs only local tokens; deleting the folder makes a new key and voids
every token minted before.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from loyalty.http.admin.access import OPERATORS_GROUP, store_group
from loyalty_dev.engines.database import DEV_DATA_DIR

ISSUER_DATA_DIR = DEV_DATA_DIR / "local-issuer"
KEY_FILE_NAME = "signing-key.pem"
ALGORITHM = "RS256"
ISSUER_PATH_PREFIX = "/local-cognito"  # the local server's path for a user pool's issuer
JWKS_SUFFIX = "/.well-known/jwks.json"
DEFAULT_TTL_SECONDS = 3600
MAX_TTL_SECONDS = 86_400  # Cognito's longest ID token validity (1 day)


def default_directory() -> Path:
    """Where `make dev`'s issuer keeps its key (looked up at each call, so tests can move it)."""
    return ISSUER_DATA_DIR


def issuer_url(base_url: str, user_pool: str) -> str:
    """The `iss` of the local user pool `user_pool` (a logical id) on the server at base_url."""
    return f"{base_url.rstrip('/')}{ISSUER_PATH_PREFIX}/{user_pool}"


def merchant_groups(stores: Iterable[str], *, operator: bool = False) -> list[str]:
    groups = [store_group(store) for store in stores]
    return [OPERATORS_GROUP, *groups] if operator else groups


@dataclass(frozen=True)
class Merchant:
    """Who a token speaks for: an email (Cognito's username here) and the groups."""

    email: str
    groups: tuple[str, ...]

    @property
    def sub(self) -> str:
        # Stable per email, as a Cognito user's sub is stable per user.
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"loyalty-local-merchant:{self.email.lower()}"))


class LocalIssuer:
    """An RS256 key pair kept in `directory`: the JWKS of its public half, ID tokens signed by it."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_directory()
        self._key = _load_or_create_key(self.directory / KEY_FILE_NAME)
        public = self._key.public_key()
        der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.key_id = base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:16]).decode().rstrip("=")
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(public, as_dict=True)
        self._jwk = {**jwk, "kid": self.key_id, "alg": ALGORITHM, "use": "sig"}

    def jwks(self) -> dict[str, Any]:
        """The public keys, as Cognito publishes them at <issuer>/.well-known/jwks.json."""
        return {"keys": [dict(self._jwk)]}

    def mint(
        self,
        merchant: Merchant,
        *,
        issuer: str,
        client_id: str,
        now: int,
        ttl: int = DEFAULT_TTL_SECONDS,
    ) -> str:
        """An ID token for `merchant`, shaped as Cognito's, valid for `ttl` seconds from `now`."""
        if not 0 < ttl <= MAX_TTL_SECONDS:
            raise ValueError(f"a token lives between 1 and {MAX_TTL_SECONDS} seconds")
        claims: dict[str, Any] = {
            "sub": merchant.sub,
            "email": merchant.email,
            "email_verified": True,
            "cognito:username": merchant.sub,
            "iss": issuer,
            "aud": client_id,
            "token_use": "id",
            "auth_time": now,
            "iat": now,
            "exp": now + ttl,
            "jti": str(uuid.uuid4()),
        }
        if merchant.groups:  # Cognito leaves the claim out for a user in no group
            claims["cognito:groups"] = list(merchant.groups)
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.key_id})


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Written under a temporary name and renamed: two processes starting at once keep one key each
    # only until one rename wins, and nobody ever reads half a file.
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(pem)
    try:
        os.link(temporary, path)  # fails if another process made the key first: use that one
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return _load_or_create_key(path)
