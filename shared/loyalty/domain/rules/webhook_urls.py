"""Where a webhook endpoint may point (pure): the guard against server-side request forgery.

A store's endpoint URL is the one place where a merchant makes the service send requests somewhere,
so it must never reach what only the service can reach: loopback, private networks, link-local
addresses (the cloud's metadata service at 169.254.169.254 among them), anything not globally
routable. The URL is judged when it is saved (its form and any address written in it) and every
address its host resolves to is judged again when delivering, right before connecting to exactly
that address (so a name that resolves elsewhere later cannot slip through).

Only where the deployment allows local webhooks (`LOYALTY_ALLOW_LOCAL_WEBHOOKS=true`: `make dev` and
tests, never the template) may a URL be `http://127.0.0.1…` or `http://localhost…`.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

MAX_URL_LENGTH = 2048
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
# Names that only mean something inside a network or a cloud (never a merchant's public receiver).
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan", ".intranet")
# The metadata services' addresses, refused by name too (they are also not globally routable).
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedUrl(ValueError):
    """Why a URL or an address is not a place the service sends events to."""


def _parts(url: str) -> SplitResult:
    if len(url) > MAX_URL_LENGTH:
        raise RefusedUrl(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(character.isspace() or ord(character) < 0x20 for character in url):
        raise RefusedUrl("the URL holds spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:
        raise RefusedUrl("the URL cannot be read") from None
    return parts


def is_local(url: str) -> bool:
    """A development URL: plain http to this machine's loopback."""
    parts = _parts(url)
    return parts.scheme == "http" and (parts.hostname or "") in LOCAL_HOSTS


def check_url(url: str, *, allow_local: bool) -> str:
    """The URL if an endpoint may point there; RefusedUrl with the reason otherwise."""
    parts = _parts(url)
    host = (parts.hostname or "").lower()
    if allow_local and parts.scheme in {"http", "https"} and host in LOCAL_HOSTS:
        return url
    if parts.scheme != "https":
        raise RefusedUrl("the URL must be https://")
    if not host:
        raise RefusedUrl("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise RefusedUrl("the URL must not carry credentials (user:password@)")
    literal = address_of(host)
    if literal is not None:
        check_address(literal, allow_local=False)
        return url
    if host in LOCAL_HOSTS or host.endswith(INTERNAL_SUFFIXES) or "." not in host.strip("."):
        raise RefusedUrl("the host is a local or internal name")
    return url


def address_of(host: str) -> IPAddress | None:
    """The address a host written as one stands for (None: a name)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def check_address(address: IPAddress, *, allow_local: bool) -> None:
    """RefusedUrl unless `address` is globally routable (or loopback where local webhooks are
    allowed). An IPv6 address that embeds an IPv4 one (mapped, 6to4) is judged as that one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            address = embedded
    if allow_local and address.is_loopback:
        return
    if address in METADATA_ADDRESSES:
        raise RefusedUrl("the address is a metadata service")
    if address.is_loopback:
        raise RefusedUrl("the address is a loopback address")
    if address.is_link_local:
        raise RefusedUrl("the address is link-local")
    if address.is_private:
        raise RefusedUrl("the address is private")
    if address.is_multicast or address.is_unspecified or address.is_reserved or not address.is_global:
        raise RefusedUrl("the address is not a public address")
