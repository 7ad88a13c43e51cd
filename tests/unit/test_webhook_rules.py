"""Webhook endpoints as pure rules: every URL and address refused (the SSRF guard, with hypothesis
over addresses), what an endpoint is sent, and how long failed deliveries are retried."""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.domain.entities import WebhookEndpoint
from loyalty.domain.rules.events import EventKind, OutboundEvent
from loyalty.domain.rules.webhook_urls import RefusedUrl, check_address, check_url
from loyalty.domain.rules.webhooks import (
    MAX_ENDPOINTS,
    RETRY_DELAYS,
    decide_create,
    delivery_body,
    retry_delay,
    subscribes,
)
from loyalty.errors import Conflict

REFUSED = [
    "http://hooks.example.com/loyalty",  # not https
    "ftp://hooks.example.com/",
    "https://127.0.0.1/",
    "https://127.1.2.3:8443/x",
    "https://localhost/",
    "https://api.localhost/",
    "https://[::1]/",
    "https://10.0.0.5/",
    "https://172.16.3.4/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://169.254.10.10/",
    "https://[fd00:ec2::254]/",
    "https://[fe80::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[2002:a9fe:a9fe::1]/",  # 6to4 around 169.254.169.254
    "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 around 169.254.169.254
    "https://0.0.0.0/",
    "https://100.64.0.1/",  # shared address space (carrier-grade NAT)
    "https://224.0.0.1/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://printer.local/",
    "https://intranet/",  # a single-label name
    "https://2130706433/",  # 127.0.0.1 as one number
    "https://user:secret@hooks.example.com/",
    "https://hooks.example.com:99999/",
    "https:///nohost",
    "https://hooks.example.com/a b",
    "https://" + "a" * 2050 + ".example.com/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_every_internal_or_malformed_url_is_refused(url: str) -> None:
    with pytest.raises(RefusedUrl):
        check_url(url, allow_local=False)


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/loyalty", "https://93.184.216.34:8443/in?x=1", "https://[2606:4700::1111]/"],
)
def test_a_public_https_url_is_accepted(url: str) -> None:
    assert check_url(url, allow_local=False) == url


def test_local_urls_only_where_local_webhooks_are_allowed() -> None:
    for url in ("http://127.0.0.1:8080/hook", "http://localhost:3000/hook"):
        assert check_url(url, allow_local=True) == url
        with pytest.raises(RefusedUrl):
            check_url(url, allow_local=False)
    with pytest.raises(RefusedUrl):  # allowed means loopback only, never a private network
        check_url("http://10.0.0.5/hook", allow_local=True)
    with pytest.raises(RefusedUrl):
        check_address(ipaddress.ip_address("169.254.169.254"), allow_local=True)


@given(st.ip_addresses())
def test_an_address_passes_only_when_globally_routable(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    judged = address
    if isinstance(address, ipaddress.IPv6Address):
        judged = address.ipv4_mapped or address.sixtofour or address
    public = judged.is_global and not judged.is_multicast and not judged.is_reserved
    try:
        check_address(address, allow_local=False)
    except RefusedUrl:
        assert not public
    else:
        assert public


@given(
    st.ip_addresses(network="10.0.0.0/8")
    | st.ip_addresses(network="192.168.0.0/16")
    | st.ip_addresses(network="169.254.0.0/16")
)
def test_private_and_link_local_networks_are_refused_whole(address: ipaddress.IPv4Address) -> None:
    with pytest.raises(RefusedUrl):
        check_address(address, allow_local=True)


NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)


def endpoint(events: tuple[str, ...] = ("*",), number: int = 0) -> WebhookEndpoint:
    return WebhookEndpoint("acme", f"we_{number:016x}", "https://hooks.example.com/", events, "whsec_x", NOW)


def test_an_endpoint_receives_the_kinds_it_names_or_every_kind() -> None:
    assert subscribes(endpoint(), "points.earned")
    assert subscribes(endpoint(("points.earned",)), "points.earned")
    assert not subscribes(endpoint(("points.earned",)), "customer.joined")


def test_a_store_has_at_most_five_endpoints() -> None:
    five = tuple(endpoint(number=number) for number in range(MAX_ENDPOINTS))
    assert decide_create("acme", five[:4], 4, five[4]).changes is not None
    with pytest.raises(Conflict):
        decide_create("acme", five, 5, endpoint(number=9))


def test_the_body_is_id_type_created_at_and_the_detail_as_data() -> None:
    event = OutboundEvent(
        "evt_1", EventKind.POINTS_EARNED, "acme", "c-42", NOW, {"points": 49, "balance": 49}
    )
    document = json.loads(delivery_body(event, None))
    assert document == {
        "id": "evt_1",
        "type": "points.earned",
        "created_at": "2026-11-20T10:00:00.000Z",
        "data": {
            "id": "evt_1",
            "store_id": "acme",
            "customer_id": "c-42",
            "occurred_at": "2026-11-20T10:00:00.000Z",
            "points": 49,
            "balance": 49,
        },
    }


def test_failed_deliveries_are_retried_with_growing_pauses_for_at_least_a_day() -> None:
    assert list(RETRY_DELAYS) == sorted(RETRY_DELAYS)
    assert sum(RETRY_DELAYS) >= 24 * 3600
    assert max(RETRY_DELAYS) <= 12 * 3600  # SQS's longest visibility timeout
    assert [retry_delay(attempt) for attempt in (1, 2, len(RETRY_DELAYS))] == [60, 300, 43200]
    assert retry_delay(len(RETRY_DELAYS) + 1) is None
