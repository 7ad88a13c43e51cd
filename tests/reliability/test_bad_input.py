"""Property-based mutations of valid, correctly signed events: never a 5xx, always a JSON error
body, and nothing written when rejected."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import Service, invitation_event, order_event, registration_event

pytestmark = pytest.mark.dynamodb_local

VALID = {
    "/webhooks/order-created": order_event("1001", "c-1", has_account=True, tags=["vip"]),
    "/webhooks/member-registered": registration_event("c-2", "bob@example.com"),
    "/webhooks/invitation-accepted": invitation_event("c-1", "c-2"),
}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=5).map(lambda s: s * 20_000),
    st.sampled_from(["49.90", "-1", "1e3", "NaN", "Infinity", "0x10", "４９", "49.90\n", "", " ", "\x00"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def mutated_bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    route = draw(st.sampled_from(sorted(VALID)))
    document = json.loads(json.dumps(VALID[route]))
    kind = draw(st.sampled_from(["drop", "add", "replace", "replace", "non_object", "deep", "raw_tokens"]))
    if kind == "non_object":
        return route, json.dumps(draw(values), allow_nan=True).encode()
    if kind == "deep":
        depth = draw(st.integers(min_value=100, max_value=100_000))
        return route, ("[" * depth + "]" * depth).encode()
    if kind == "raw_tokens":
        token = draw(st.sampled_from(["NaN", "-Infinity", "1e999", "1E+2", "-0", "0.1e-400", "012"]))
        text = json.dumps(document).replace('"49.90"', token).replace('"c-1"', token, 1)
        return route, text.encode()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        target_path = draw(st.sampled_from(paths(document)))
        parent: Any = document
        for part in target_path[:-1]:
            parent = parent[part]
        key = target_path[-1]
        if kind == "drop" and isinstance(parent, dict):
            parent.pop(key, None)
        elif kind == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(values)
        else:
            parent[key] = draw(values)
    return route, json.dumps(document, allow_nan=True, ensure_ascii=draw(st.booleans())).encode()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutated_bodies())
def test_a_mutated_event_is_never_a_5xx_and_a_rejection_writes_nothing(
    service: Service, case: tuple[str, bytes]
) -> None:
    route, body = case
    before = service.snapshot()

    answer = service.post(route, body)

    assert answer.status < 500, answer.body
    document = answer.json()
    if answer.status >= 400:
        assert isinstance(document["error"], str)
        assert isinstance(document["message"], str)
        assert service.snapshot() == before
