"""The template's API authorizers, enforced locally as API Gateway enforces them.

For a route behind a Cognito user pools authorizer (``Auth: Authorizers: {X: {UserPoolArn: …}}``
on the `AWS::Serverless::Api`, ``Auth: {Authorizer: X}`` on the route, or the Api's
``DefaultAuthorizer``), API Gateway reads the identity header (``Authorization``), verifies the
token's RS256 signature against the pool's public keys, its expiry, that it is an ID token
(``token_use: id``) whose audience is one of the pool's app clients, and answers 401 itself when
any of that fails, before the function runs. Otherwise the function gets the token's claims in
``requestContext.authorizer.claims``, flattened to strings as a REST API flattens them. This
module does the same with the local issuer standing in for the pool (``issuer``).

An authorizer the local server cannot check (AWS_IAM, a Lambda authorizer) fails closed: 401.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt

from loyalty_dev.local.issuer import ALGORITHM, JWKS_SUFFIX, LocalIssuer, issuer_url
from loyalty_dev.template import Route, Template

DEFAULT_IDENTITY_HEADER = "Authorization"
# How a REST API writes a date claim (exp, iat, auth_time) in requestContext.authorizer.claims.
_GATEWAY_DATE = "%a %b %d %H:%M:%S UTC %Y"
_DATE_CLAIMS = frozenset({"exp", "iat", "auth_time"})


class NotAuthorized(Exception):
    """No valid token for the route's authorizer: API Gateway's 401, before the function runs."""


@dataclass(frozen=True)
class CognitoAuthorizer:
    """A Cognito user pools authorizer: the pool (a logical id) and the ids of its app clients."""

    name: str
    user_pool: str
    client_ids: frozenset[str]
    header: str = DEFAULT_IDENTITY_HEADER


@dataclass(frozen=True)
class UncheckedAuthorizer:
    """An authorizer the local server cannot verify (AWS_IAM, a Lambda authorizer…): it refuses all."""

    name: str
    reason: str


Authorizer = CognitoAuthorizer | UncheckedAuthorizer


@dataclass(frozen=True)
class GatewayResponse:
    """An answer API Gateway gives itself, e.g. UNAUTHORIZED (a `GatewayResponses` entry of the Api)."""

    status: int
    body: str
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def default(cls, kind: str) -> GatewayResponse:
        """API Gateway's own default, for a template that does not declare `kind`."""
        defaults = {"UNAUTHORIZED": (401, "Unauthorized"), "ACCESS_DENIED": (403, "Forbidden")}
        status, message = defaults.get(kind, (400, kind))
        return cls(status, json.dumps({"message": message}))


def gateway_response(template: Template, kind: str) -> GatewayResponse:
    """The template's gateway response for `kind` (its JSON template, status and static headers)."""
    for resource in template.resources.values():
        if resource.get("Type") != "AWS::Serverless::Api":
            continue
        spec = (resource.get("Properties", {}).get("GatewayResponses") or {}).get(kind)
        if not spec:
            continue
        default = GatewayResponse.default(kind)
        templates = spec.get("ResponseTemplates") or {}
        body = templates.get("application/json", default.body)
        headers = tuple(
            (str(name), str(value).strip("'"))  # static values are quoted: "'Bearer'"
            for name, value in ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items()
        )
        return GatewayResponse(int(spec.get("StatusCode", default.status)), str(body), headers=headers)
    return GatewayResponse.default(kind)


def template_authorizers(template: Template) -> dict[str, Authorizer]:
    """Every authorizer a route of the template may name, by the name routes give it."""
    found: dict[str, Authorizer] = {"AWS_IAM": UncheckedAuthorizer("AWS_IAM", "AWS_IAM needs SigV4")}
    clients = _pool_clients(template)
    for resource in template.resources.values():
        if resource.get("Type") != "AWS::Serverless::Api":
            continue
        auth = resource.get("Properties", {}).get("Auth") or {}
        for name, spec in (auth.get("Authorizers") or {}).items():
            pool = _get_att_arn(spec.get("UserPoolArn"))
            header = str((spec.get("Identity") or {}).get("Header") or DEFAULT_IDENTITY_HEADER)
            if pool is not None:
                found[name] = CognitoAuthorizer(name, pool, frozenset(clients.get(pool, ())), header)
            elif "UserPoolArn" in spec:
                found[name] = UncheckedAuthorizer(name, "its user pool is not one of this template's")
            else:
                found[name] = UncheckedAuthorizer(name, "only Cognito authorizers are checked locally")
    return found


def route_authorizer(template: Template, route: Route) -> Authorizer | None:
    """The authorizer guarding `route`, or None for an open route."""
    if route.authorizer is None:
        return None
    known = template_authorizers(template)
    return known.get(route.authorizer) or UncheckedAuthorizer(
        route.authorizer, "the template does not define it"
    )


def cognito_authorizers(template: Template) -> list[CognitoAuthorizer]:
    """The template's Cognito authorizers that some route uses, in a stable order."""
    used = {route.authorizer for route in template.routes()}
    return [
        authorizer
        for name, authorizer in sorted(template_authorizers(template).items())
        if isinstance(authorizer, CognitoAuthorizer) and name in used
    ]


def _pool_clients(template: Template) -> dict[str, list[str]]:
    """User pool logical id → the logical ids of its app clients (locally a client's id is its logical id)."""
    clients: dict[str, list[str]] = {}
    for name, resource in sorted(template.resources.items()):
        if resource.get("Type") == "AWS::Cognito::UserPoolClient":
            pool = resource.get("Properties", {}).get("UserPoolId")
            if isinstance(pool, dict) and "Ref" in pool:
                clients.setdefault(str(pool["Ref"]), []).append(name)
    return clients


def _get_att_arn(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("Fn::GetAtt"), list):
        target, attribute = value["Fn::GetAtt"]
        return str(target) if attribute == "Arn" else None
    return None


def gateway_claims(payload: Mapping[str, Any]) -> dict[str, str]:
    """A token's claims as a REST API hands them to the function: every value a string, a list
    joined with commas (``["operators", "store:acme"]`` → ``"operators,store:acme"``), a date
    claim written as ``"Tue Nov 24 10:00:00 UTC 2026"``, booleans ``"true"``/``"false"``."""
    claims: dict[str, str] = {}
    for name, value in payload.items():
        if name in _DATE_CLAIMS and isinstance(value, int | float) and not isinstance(value, bool):
            claims[name] = datetime.fromtimestamp(value, UTC).strftime(_GATEWAY_DATE)
        elif isinstance(value, bool):
            claims[name] = "true" if value else "false"
        elif isinstance(value, list | tuple):
            claims[name] = ",".join(str(item) for item in value)
        else:
            claims[name] = str(value)
    return claims


def bearer_token(header: str | None) -> str:
    """The token of an identity header: the raw token, or `Bearer <token>`."""
    value = (header or "").strip()
    scheme, _, rest = value.partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else value
    if not token:
        raise NotAuthorized("a merchant token is required (Authorization: Bearer <token>)")
    return token


class LocalGate:
    """Verifies the tokens of the routes' authorizers against the local issuer of the server at `base_url`."""

    def __init__(self, issuer: LocalIssuer, base_url: str) -> None:
        self.issuer = issuer
        self.base_url = base_url
        self._keys = jwt.PyJWKSet.from_dict(issuer.jwks())

    def jwks_for(self, path: str, user_pools: set[str]) -> dict[str, Any] | None:
        """The JWKS served at `path`, if it is `<issuer path>/.well-known/jwks.json` of a known pool."""
        for pool in user_pools:
            issuer_path = issuer_url("", pool)
            if path == f"{issuer_path}{JWKS_SUFFIX}":
                return self.issuer.jwks()
        return None

    def claims(self, authorizer: Authorizer, headers: Mapping[str, str]) -> dict[str, str]:
        """The request's claims for the function, or NotAuthorized as API Gateway's 401."""
        if isinstance(authorizer, UncheckedAuthorizer):
            raise NotAuthorized(f"the local server cannot verify {authorizer.name}: {authorizer.reason}")
        if not authorizer.client_ids:
            raise NotAuthorized(f"user pool {authorizer.user_pool} has no app client in the template")
        wanted = authorizer.header.lower()
        token = bearer_token(next((value for name, value in headers.items() if name.lower() == wanted), None))
        try:
            signing_key = self._keys[jwt.get_unverified_header(token).get("kid", "")]
            payload: dict[str, Any] = jwt.decode(
                token,
                signing_key.key,
                algorithms=[ALGORITHM],
                audience=sorted(authorizer.client_ids),
                issuer=issuer_url(self.base_url, authorizer.user_pool),
                options={"require": ["exp", "iat", "iss", "aud", "token_use"]},
            )
        except jwt.ExpiredSignatureError:
            raise NotAuthorized("the merchant token has expired") from None
        except (jwt.PyJWTError, KeyError):
            raise NotAuthorized("the merchant token is not valid for this API") from None
        if payload.get("token_use") != "id":
            raise NotAuthorized("an ID token is required")
        return gateway_claims(payload)


class RouteGuard:
    """What API Gateway does before the function of a guarded route runs, for one template: the
    authorizer a route names verifies the request (claims for the function) or it is refused with
    the template's UNAUTHORIZED gateway response. It also serves the local issuer's keys."""

    def __init__(
        self,
        authorizers: Mapping[str, Authorizer],
        unauthorized: GatewayResponse,
        issuer: LocalIssuer | None,
        base_url: str,
    ) -> None:
        self.authorizers = dict(authorizers)
        self.unauthorized = unauthorized
        self.gate = LocalGate(issuer, base_url) if issuer is not None else None
        self.user_pools = {
            authorizer.user_pool
            for authorizer in self.authorizers.values()
            if isinstance(authorizer, CognitoAuthorizer)
        }

    @classmethod
    def of(cls, template: Template, issuer: LocalIssuer | None, base_url: str) -> RouteGuard:
        return cls(
            template_authorizers(template), gateway_response(template, "UNAUTHORIZED"), issuer, base_url
        )

    def set_base_url(self, base_url: str) -> None:
        """The server's URL once its port is known: the local issuer's URL names it."""
        if self.gate is not None:
            self.gate.base_url = base_url

    def claims(self, name: str, headers: Mapping[str, str]) -> dict[str, str]:
        """The claims for the function of a route behind authorizer `name`, or NotAuthorized."""
        authorizer = self.authorizers.get(name) or UncheckedAuthorizer(
            name, "the template does not define it"
        )
        if self.gate is None:
            raise NotAuthorized("the local server has no issuer to verify tokens with")
        return self.gate.claims(authorizer, headers)

    def jwks(self, path: str) -> dict[str, Any] | None:
        """The local issuer's public keys when `path` is a user pool's JWKS path, else None."""
        return self.gate.jwks_for(path, self.user_pools) if self.gate is not None else None
