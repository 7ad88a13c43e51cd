"""Imports' and exports' records (the Repository's, composed in).

| item        | pk                              | sk              |
| ----------- | ------------------------------- | --------------- |
| import      | STORE#<store>#IMPORT#<id>       | IMPORT          |
| chunk count | STORE#<store>#IMPORT#<id>       | CHUNK#<row>     |
| export      | STORE#<store>#EXPORT#<id>       | EXPORT          |

An import's counters grow once per chunk: the chunk's marker (with its bad rows) is put with
`attribute_not_exists` in the same transaction as the counters' ADD, so a redelivered chunk is
counted once. One write per chunk of rows, not per row: the import's item is never hot. Its first
errors are read back from its chunks' markers, in row order, by one Query on its partition.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from loyalty.domain.entities import Account, CustomerStatus, IdempotencyRecord, format_timestamp
from loyalty.domain.rules.imports import ExportJob, ImportJob, ImportMode, JobStatus, RowError
from loyalty.repository import items
from loyalty.repository.faults import infrastructure_faults
from loyalty.repository.keys import CUSTOMER_SHARDS, Item, customers_partition
from loyalty.repository.outcomes import AccountChanged, AlreadyApplied

CHUNK_PREFIX = "CHUNK#"


def _import_pk(store_id: str, import_id: str) -> str:
    return f"STORE#{store_id}#IMPORT#{import_id}"


def _import_key(store_id: str, import_id: str) -> Item:
    return {"pk": {"S": _import_pk(store_id, import_id)}, "sk": {"S": "IMPORT"}}


def _export_key(store_id: str, export_id: str) -> Item:
    return {"pk": {"S": f"STORE#{store_id}#EXPORT#{export_id}"}, "sk": {"S": "EXPORT"}}


def _errors(raw: Any) -> tuple[RowError, ...]:
    return tuple(RowError(int(error["row"]), str(error["message"])) for error in raw or ())


class ImportRecords:
    """Import and export jobs; the Repository supplies the table and the client."""

    _table: str
    _client: Any

    def create_job(self, job: ImportJob | ExportJob, idempotency: IdempotencyRecord | None) -> None:
        """The new job, with the request's Idempotency-Key record when it has one: both or neither
        (AccountChanged: the key was used meanwhile; read it again)."""
        item = self._import_item(job) if isinstance(job, ImportJob) else self._export_item(job)
        actions: list[Item] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        if idempotency is not None:
            actions.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": items.idempotency_item(idempotency),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        try:
            with infrastructure_faults():
                self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                raise AccountChanged from None
            raise

    def get_import(self, store_id: str, import_id: str) -> ImportJob | None:
        with infrastructure_faults():
            found = self._client.get_item(
                TableName=self._table, Key=_import_key(store_id, import_id), ConsistentRead=True
            )
        if "Item" not in found:
            return None
        item = items.plain(found["Item"])
        rows = item.get("rows")
        return ImportJob(
            store_id=store_id,
            import_id=import_id,
            mode=ImportMode(item["mode"]),
            source=item["source"],
            status=JobStatus(item["status"]),
            created_at=datetime.fromisoformat(item["created_at"]),
            rows=int(rows) if rows is not None else None,
            imported=int(item.get("imported", 0)),
            skipped=int(item.get("skipped", 0)),
            reason=item.get("reason"),
        )

    def first_errors(self, store_id: str, import_id: str, limit: int) -> list[RowError]:
        """The import's bad rows in row order, the first `limit` of them (chunks in row order)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :chunk)",
            "FilterExpression": "attribute_exists(row_errors)",
            "ExpressionAttributeValues": {
                ":pk": {"S": _import_pk(store_id, import_id)},
                ":chunk": {"S": CHUNK_PREFIX},
            },
            "ConsistentRead": True,
        }
        found: list[RowError] = []
        while len(found) < limit:
            with infrastructure_faults():
                page = self._client.query(**request)
            for item in page.get("Items", []):
                found.extend(_errors(items.plain(item).get("row_errors")))
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found[:limit]

    def start_import(self, job: ImportJob, rows: int) -> None:
        """Queued → running with its row count (again on a redelivered plan: same values)."""
        self._set_status(
            _import_key(job.store_id, job.import_id),
            "SET #status = :running, #rows = :rows",
            {":running": {"S": JobStatus.RUNNING.value}, ":rows": {"N": str(rows)}},
        )

    def fail_import(self, job: ImportJob, reason: str) -> None:
        self._set_status(
            _import_key(job.store_id, job.import_id),
            "SET #status = :failed, reason = :reason",
            {":failed": {"S": JobStatus.FAILED.value}, ":reason": {"S": reason}},
        )

    def count_chunk(
        self,
        store_id: str,
        import_id: str,
        first_row: int,
        imported: int,
        skipped: int,
        errors: tuple[RowError, ...],
    ) -> None:
        """Add a chunk's rows to the import's counters, once (AlreadyApplied: counted before)."""
        marker: dict[str, Any] = {
            "pk": _import_pk(store_id, import_id),
            "sk": f"{CHUNK_PREFIX}{first_row:08d}",
            "imported": imported,
            "skipped": skipped,
            "row_errors": [{"row": error.row, "message": error.message} for error in errors] or None,
        }
        actions = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": items.typed(marker),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": _import_key(store_id, import_id),
                    "UpdateExpression": "ADD imported :imported, skipped :skipped",
                    "ExpressionAttributeValues": {
                        ":imported": {"N": str(imported)},
                        ":skipped": {"N": str(skipped)},
                    },
                }
            },
        ]
        try:
            with infrastructure_faults():
                self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                raise AlreadyApplied from None
            raise

    def get_export(self, store_id: str, export_id: str) -> ExportJob | None:
        with infrastructure_faults():
            found = self._client.get_item(
                TableName=self._table, Key=_export_key(store_id, export_id), ConsistentRead=True
            )
        if "Item" not in found:
            return None
        item = items.plain(found["Item"])
        rows = item.get("rows")
        return ExportJob(
            store_id=store_id,
            export_id=export_id,
            status=JobStatus(item["status"]),
            created_at=datetime.fromisoformat(item["created_at"]),
            target=item["target"],
            rows=int(rows) if rows is not None else None,
        )

    def finish_export(self, job: ExportJob, rows: int) -> None:
        self._set_status(
            _export_key(job.store_id, job.export_id),
            "SET #status = :done, #rows = :rows",
            {":done": {"S": JobStatus.DONE.value}, ":rows": {"N": str(rows)}},
        )

    def store_accounts(self, store_id: str) -> Iterator[Account]:
        """Every listed customer of a store (members, candidates, excluded), through the Customers
        index's partitions: a Query per status and shard, never a scan."""
        for status in (CustomerStatus.MEMBER, CustomerStatus.CANDIDATE, CustomerStatus.EXCLUDED):
            for shard in range(CUSTOMER_SHARDS):
                request: dict[str, Any] = {
                    "TableName": self._table,
                    "IndexName": "Customers",
                    "KeyConditionExpression": "customers_pk = :partition",
                    "ExpressionAttributeValues": {
                        ":partition": {"S": customers_partition(store_id, status.value, shard)}
                    },
                }
                while True:
                    with infrastructure_faults():
                        page = self._client.query(**request)
                    for item in page.get("Items", []):
                        yield items.account_from_item(items.plain(item))
                    if "LastEvaluatedKey" not in page:
                        break
                    request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _set_status(self, key: Item, update: str, values: Item) -> None:
        names = {"#status": "status", **({"#rows": "rows"} if "#rows" in update else {})}
        with infrastructure_faults():
            self._client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression=update,
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )

    @staticmethod
    def _import_item(job: ImportJob) -> Item:
        return {
            **_import_key(job.store_id, job.import_id),
            **items.typed(
                {
                    "store_id": job.store_id,
                    "mode": job.mode.value,
                    "source": job.source,
                    "status": job.status.value,
                    "created_at": format_timestamp(job.created_at),
                    "rows": job.rows,
                    "imported": 0,
                    "skipped": 0,
                }
            ),
        }

    @staticmethod
    def _export_item(job: ExportJob) -> Item:
        return {
            **_export_key(job.store_id, job.export_id),
            **items.typed(
                {
                    "store_id": job.store_id,
                    "status": job.status.value,
                    "created_at": format_timestamp(job.created_at),
                    "target": job.target,
                }
            ),
        }
