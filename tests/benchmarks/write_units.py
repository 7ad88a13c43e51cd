"""Figure 2: the request units of each event: write units per item and index entry, read units."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from loyalty_dev.template import load_template
from tests.benchmarks.calls import Measured, cancelled_writes
from tests.benchmarks.report import Report
from tests.benchmarks.sizes import ITEM_STORAGE_OVERHEAD_BYTES, item_size, read_units, write_units


@dataclass(frozen=True)
class Index:
    """A global secondary index of the table, as the template declares it."""

    name: str
    keys: tuple[str, ...]  # the index's own key attributes
    table_keys: tuple[str, ...]  # the table's key attributes (every index entry holds them)
    projection: str
    included: tuple[str, ...] = ()

    def entry(self, item: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The index entry an item makes (None when it lacks a key attribute: sparse index)."""
        if item is None or not all(key in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return dict(item)
        kept = {*self.keys, *self.table_keys, *self.included}
        return {name: value for name, value in item.items() if name in kept}

    def writes(self, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[int]:
        """Sizes of the index entries a change writes: one per entry put or deleted, two if its key moves."""
        before, after = self.entry(old), self.entry(new)
        if before is None and after is None:
            return []
        if before is None or after is None:
            return [entry_size(after or before or {})]
        if all(before[key] == after[key] for key in self.keys):
            return [] if before == after else [max(entry_size(before), entry_size(after))]
        return [entry_size(before), entry_size(after)]


def entry_size(entry: Mapping[str, Any]) -> int:
    """An item or index entry as stored and billed: its attributes plus 100 bytes of overhead."""
    return item_size(entry) + ITEM_STORAGE_OVERHEAD_BYTES


def table_indexes(table_name: str) -> list[Index]:
    properties = load_template().tables()[table_name]
    table_keys = tuple(str(key["AttributeName"]) for key in properties["KeySchema"])
    return [
        Index(
            name=str(index["IndexName"]),
            keys=tuple(str(key["AttributeName"]) for key in index["KeySchema"]),
            table_keys=table_keys,
            projection=str(index["Projection"]["ProjectionType"]),
            included=tuple(index["Projection"].get("NonKeyAttributes", ())),
        )
        for index in properties.get("GlobalSecondaryIndexes", [])
    ]


@dataclass(frozen=True)
class ItemWrite:
    kind: str
    action: str
    size: int  # the larger of the item before and after
    units: int  # transactional: twice the standard units
    index_writes: tuple[tuple[str, int, int], ...]  # (index, entry bytes, standard write units)
    stored: int  # bytes the item occupies afterwards, index entries included (0: deleted)

    @property
    def index_units(self) -> int:
        return sum(units for _, _, units in self.index_writes)


def _key_of(item: Mapping[str, Any]) -> tuple[str, str]:
    return item["pk"]["S"], item["sk"]["S"]


def _kind(sort_key: str) -> str:
    known = {"ACCOUNT": "account", "ENTRY": "ledger entry", "EMAIL": "email claim", "PROGRAM": "program"}
    return known.get(sort_key, sort_key.lower())


def action_key(name: str, body: Mapping[str, Any]) -> tuple[str, str]:
    return _key_of(body["Item"] if name == "Put" else body["Key"])


def transaction_writes(measured: Measured, indexes: Sequence[Index] | None = None) -> list[ItemWrite]:
    """The items each successful TransactWriteItems of the event wrote, with their write units."""
    indexes = table_indexes(measured.table_name) if indexes is None else indexes
    written: list[ItemWrite] = []
    for call in measured.calls:
        if call.operation != "TransactWriteItems" or call.error is not None:
            continue
        for action in call.params["TransactItems"]:
            ((name, body),) = action.items()
            key = action_key(name, body)
            old, new = measured.before.get(key), measured.after.get(key)
            size = max(item_size(old) if old else 0, item_size(new) if new else 0)
            index_writes = tuple(
                (index.name, bytes_, write_units(bytes_))
                for index in indexes
                for bytes_ in index.writes(old, new)
            )
            stored = 0
            if new is not None:
                entries = [index.entry(new) for index in indexes]
                stored = entry_size(new) + sum(entry_size(entry) for entry in entries if entry is not None)
            written.append(
                ItemWrite(
                    kind=_kind(key[1]),
                    action=name,
                    size=size,
                    units=2 * write_units(size),
                    index_writes=index_writes,
                    stored=stored,
                )
            )
    return written


def read_cost(measured: Measured) -> float:
    """Read request units of the event's reads: per item, 1 RRU per 4 KB consistent (half eventually),
    a missing item billed as the smallest read; a TransactGetItems item twice."""
    total = 0.0
    for call in measured.calls:
        response = call.response or {}
        if call.operation == "GetItem":
            item = response.get("Item") or {}
            total += read_units(item_size(item), consistent=bool(call.params.get("ConsistentRead")))
        elif call.operation == "BatchGetItem":
            for table, request in call.params["RequestItems"].items():
                found = {_key_of(item): item for item in response.get("Responses", {}).get(table, [])}
                for key in request["Keys"]:
                    item = found.get(_key_of(key), {})
                    total += read_units(item_size(item), consistent=bool(request.get("ConsistentRead")))
        elif call.operation == "TransactGetItems":
            for answer in response.get("Responses", []):
                total += 2 * read_units(item_size(answer.get("Item") or {}), consistent=True)
    return total


def report_write_units(report: Report, measured: list[Measured]) -> None:
    report.title("2. Request units per event (item sizes by DynamoDB's rules; transactional writes x2)")
    report.line(
        "Write: ceil(item bytes / 1 KB) x 2 per item of a TransactWriteItems; an index entry (ALL "
        "projection: item + 100 B) is a standard write, two when its key moves."
    )
    report.line(
        "Read: a consistent read is 1 RRU per 4 KB (min 1) per item; a cancelled transaction writes nothing."
    )
    for result in measured:
        if not result.implemented:
            continue
        writes_ = transaction_writes(result)
        parts = []
        for item in writes_:
            text = f"{item.kind} {item.size} B -> {item.units} WRU"
            for index, bytes_, units in item.index_writes:
                text += f" + {index} index {bytes_} B -> {units} WRU"
            parts.append(text)
        total_write = sum(item.units + item.index_units for item in writes_)
        cancelled = cancelled_writes(result)
        if cancelled:
            parts.append(f"{cancelled} cancelled transaction (nothing written)")
        report.line(f"  {result.scenario.name}: {total_write} WRU + {read_cost(result):g} RRU")
        for part in parts:
            report.line(f"      {part}")
