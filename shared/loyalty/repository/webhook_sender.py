"""Sending one webhook (urllib3): resolve the endpoint's host, judge every address it resolves to
(rules/webhook_urls.py), then connect to exactly the address judged, with TLS verified against the
host's name; no redirect followed, 10 seconds in all, the answer's body never read."""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

from loyalty.domain.rules.webhook_urls import RefusedUrl, address_of, check_address, check_url

TIMEOUT_SECONDS = 10.0
Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True, slots=True)
class Sent:
    status_code: int | None  # None: no answer
    error: str | None = None  # why there was no answer, in a word or two (never a body)
    refused: bool = False  # the URL or an address is not allowed: trying again will not help

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to (TCP)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


class WebhookSender:
    def __init__(
        self, *, allow_local: bool, resolver: Resolver = resolve, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.allow_local = allow_local
        self._resolve = resolver
        self._timeout = timeout

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Sent:
        try:
            check_url(url, allow_local=self.allow_local)
            parts = urlsplit(url)
            host = parts.hostname or ""
            port = parts.port or (443 if parts.scheme == "https" else 80)
            literal = address_of(host)
            addresses = [str(literal)] if literal is not None else self._resolve(host, port)
            if not addresses:
                return Sent(None, "no_address")
            for address in addresses:  # every one: a name may answer with several
                parsed = address_of(address)
                if parsed is None:
                    return Sent(None, "bad_address", refused=True)
                check_address(parsed, allow_local=self.allow_local)
        except RefusedUrl as refusal:
            return Sent(None, f"refused: {refusal}", refused=True)
        except OSError:
            return Sent(None, "dns_failure")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return self._send(parts.scheme, host, addresses[0], port, path, body, headers)

    def _send(
        self,
        scheme: str,
        host: str,
        address: str,
        port: int,
        path: str,
        body: bytes,
        headers: Mapping[str, str],
    ) -> Sent:
        timeout = urllib3.Timeout(total=self._timeout)
        pool: urllib3.HTTPConnectionPool
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                retries=False,
                server_hostname=host,
                assert_hostname=host,
                cert_reqs="CERT_REQUIRED",
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        host_header = host if port in (80, 443) else f"{host}:{port}"
        try:
            with pool:
                response = pool.urlopen(
                    "POST",
                    path,
                    body=body,
                    headers={**headers, "Host": host_header},
                    redirect=False,
                    preload_content=False,
                    assert_same_host=False,
                )
                status = int(response.status)
                response.close()  # the body is never read, nor stored
        except urllib3.exceptions.TimeoutError:
            return Sent(None, "timeout")
        except urllib3.exceptions.HTTPError as error:
            return Sent(None, type(error).__name__)
        return Sent(status)
