"""Pages over several index partitions at once, merged newest first, behind one opaque cursor.

A customer's history spans its own ledger and the ledgers of the files merged into it, and the
customer list spans the shards of a status: each is one index partition, queried newest first.
A page takes the newest `limit` items across them; the cursor remembers, per partition, where the
next page resumes (or that it is exhausted), so no item is skipped or repeated.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from loyalty.errors import InvalidCursor
from loyalty.repository.keys import Item

MAX_QUERIES_PER_PARTITION = 5  # bounds a page's cost when a search filter matches little
MAX_CURSOR_LENGTH = 8192  # eight shards' start keys of the longest ids fit in this
_DONE = "done"


@dataclass(frozen=True, slots=True)
class Partition:
    index: str
    key_name: str
    sort_name: str
    value: str


@dataclass(frozen=True, slots=True)
class Filter:
    expression: str
    names: dict[str, str]
    values: dict[str, Any]


def encode_cursor(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(text: str | None, partitions: Sequence[Partition]) -> dict[str, Any]:
    if not text:
        return {}
    if len(text) > MAX_CURSOR_LENGTH:
        raise _bad_cursor()
    try:
        state = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise _bad_cursor() from None
    known = {partition.value: partition for partition in partitions}
    if not isinstance(state, dict) or not set(state) <= set(known):
        raise _bad_cursor()
    for value, position in state.items():
        if position != _DONE and not _is_start_key(position, known[value]):
            raise _bad_cursor()
    return state


def _is_start_key(position: Any, partition: Partition) -> bool:
    """A cursor's position is the start key DynamoDB expects, and nothing else: the table's and the
    index's keys as non-empty strings, the index's partition the one being paged. A client edits
    the cursor at will, so anything DynamoDB would refuse (a 5xx here) is refused first (a 422)."""
    names = {"pk", "sk", partition.key_name, partition.sort_name}
    if not isinstance(position, dict) or set(position) != names:
        return False
    for attribute in position.values():
        if not isinstance(attribute, dict) or set(attribute) != {"S"}:
            return False
        text = attribute["S"]
        if not isinstance(text, str):
            return False
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:  # a lone surrogate from a JSON escape
            return False
        if not 0 < size <= 1024:
            return False
    return bool(position[partition.key_name] == {"S": partition.value})


def _bad_cursor() -> InvalidCursor:
    return InvalidCursor("invalid cursor")


def merged_page(
    client: Any,
    table: str,
    partitions: Sequence[Partition],
    limit: int,
    cursor: str | None,
    matching: Filter | None = None,
) -> tuple[list[Item], str | None]:
    """The newest `limit` items across `partitions` after `cursor`, and the cursor that follows."""
    state = decode_cursor(cursor, partitions)
    fetched: dict[str, tuple[list[Item], Item | None]] = {}
    for partition in partitions:
        position = state.get(partition.value)
        if position == _DONE:
            continue
        fetched[partition.value] = _fetch(client, table, partition, position, limit, matching)

    sort_names = {partition.value: partition.sort_name for partition in partitions}
    candidates = [(value, item) for value, (items, _) in fetched.items() for item in items]
    candidates.sort(key=lambda pair: (pair[1][sort_names[pair[0]]]["S"], pair[1]["pk"]["S"]), reverse=True)
    taken = candidates[:limit]

    next_state: dict[str, Any] = {value: _DONE for value, position in state.items() if position == _DONE}
    by_partition = {partition.value: partition for partition in partitions}
    for value, (items, last_key) in fetched.items():
        consumed = [item for taken_value, item in taken if taken_value == value]
        if len(consumed) == len(items):
            next_state[value] = last_key if last_key is not None else _DONE
        elif consumed:
            next_state[value] = _start_key(by_partition[value], consumed[-1])
        elif value in state:
            next_state[value] = state[value]
    exhausted = all(next_state.get(partition.value) == _DONE for partition in partitions)
    return [item for _, item in taken], None if exhausted else encode_cursor(next_state)


def _fetch(
    client: Any, table: str, partition: Partition, start: Item | None, limit: int, matching: Filter | None
) -> tuple[list[Item], Item | None]:
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": partition.index,
        "KeyConditionExpression": "#partition = :partition",
        "ExpressionAttributeNames": {"#partition": partition.key_name},
        "ExpressionAttributeValues": {":partition": {"S": partition.value}},
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if matching is not None:
        request["FilterExpression"] = matching.expression
        request["ExpressionAttributeNames"].update(matching.names)
        request["ExpressionAttributeValues"].update(matching.values)
    items: list[Item] = []
    last_key = start
    for _ in range(MAX_QUERIES_PER_PARTITION):
        if last_key is not None:
            request["ExclusiveStartKey"] = last_key
        page = client.query(**request)
        items.extend(page.get("Items", []))
        last_key = page.get("LastEvaluatedKey")
        if last_key is None or len(items) >= limit:
            break
    return items, last_key


def _start_key(partition: Partition, item: Item) -> Item:
    names = ("pk", "sk", partition.key_name, partition.sort_name)
    return {name: item[name] for name in names}
