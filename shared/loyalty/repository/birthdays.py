"""The daily birthday run's reads: the accounts whose birthday ("MM-DD") is celebrated on a day,
every store's, from the sparse `Birthdays` index (keys only; one partition per day of the year).
Query pages through LastEvaluatedKey; nothing here scans the table. The index is eventually
consistent: the run reads each account itself, consistently, before it decides."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from loyalty.repository.keys import birthdays_partition

INDEX = "Birthdays"
PAGE_SIZE = 500  # keys per Query page (keys only: a page is a few dozen KB)


class BirthdaysIndex:
    """Queries on the Birthdays index of one table."""

    def __init__(self, table_name: str, client: Any, faults: Any) -> None:
        self._table = table_name
        self._client = client
        self._faults = faults  # the repository's mapping of DynamoDB's transient errors

    def on(self, month_days: tuple[str, ...], page_size: int = PAGE_SIZE) -> Iterator[tuple[str, str]]:
        """(store, customer) of every account listed under one of `month_days`, every store's."""
        for month_day in month_days:
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": INDEX,
                "KeyConditionExpression": "birthdays_pk = :partition",
                "ExpressionAttributeValues": {":partition": {"S": birthdays_partition(month_day)}},
                "Limit": page_size,
            }
            while True:
                with self._faults():
                    page = self._client.query(**request)
                for item in page.get("Items", []):
                    # A store id holds no '#', nor does a customer id: split at the first.
                    store_id, customer_id = item["birthdays_sk"]["S"].split("#", 1)
                    yield store_id, customer_id
                if "LastEvaluatedKey" not in page:
                    break
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
