"""A shop's erasure on DynamoDB Local: a store of a few thousand items erased a page at a time,
through its own keys and indexes, beside a second store that keeps every item; run twice, the
second walk finds nothing and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from loyalty.domain.entities import (
    Account,
    Changes,
    CustomerStatus,
    DataRequest,
    DayActivity,
    EmailClaim,
    EntryType,
    IdempotencyRecord,
    LedgerEntry,
    Points,
    Totals,
)
from loyalty.domain.operations.shop_redaction import RedactionStep, redact_store_step
from loyalty.repository import Repository
from tests.plugins.dynamodb_local import engine_endpoint
from tests.support import Service

pytestmark = pytest.mark.dynamodb_local


@pytest.fixture(scope="module")
def dynamodb_local_endpoint() -> Iterator[str]:
    """An engine of this module's own: after its thousands of writes, the writes of every later
    test of the tier ran ten times slower on a shared engine (see tests/plugins/dynamodb_local.py)."""
    yield from engine_endpoint(long_run=True)


GOING, STAYING = "going.myshopify.com", "staying.myshopify.com"
CUSTOMERS, ENTRIES = 150, 12  # per store: 150 accounts with 12 entries, claims, markers, records
START = datetime(2026, 1, 1, tzinfo=UTC)


def fill(repository: Repository, store: str) -> None:
    for number in range(CUSTOMERS):
        customer = f"c{number}"
        moment = START + timedelta(minutes=number)
        entries = tuple(
            LedgerEntry(
                store, f"order:{customer}-{n}", customer, EntryType.EARN, 10, 10 * (n + 1), moment, f"e-{n}"
            )
            for n in range(ENTRIES)
        )
        account = Account(
            store,
            customer,
            CustomerStatus.MEMBER,
            Points(earned=10 * ENTRIES),
            1,
            moment,
            moment,
            moment,
            email=f"{customer}@example.com",
        )
        repository.commit(
            Changes(
                accounts=((None, account),),
                entries=entries,
                claims=(EmailClaim(store, f"{customer}@example.com", customer),),
                idempotency=IdempotencyRecord(store, f"k-{customer}", "f", 201, "{}", moment, customer),
            )
        )
        repository.add_to_totals(store, customer, 1, Totals(members=1))
        repository.add_to_activity(
            store, customer, entries[0].entry_id, date(2026, 1, 1), DayActivity(earned=10)
        )
    repository.record_data_request(DataRequest(store, "dr-1", "c1", START))


def store_items(service: Service, store: str) -> dict[tuple[str, str], object]:
    return {key: item for key, item in service.items().items() if key[0].startswith(f"STORE#{store}#")}


def walk(repository: Repository, store: str) -> int:
    step: RedactionStep | None = RedactionStep(store)
    steps = 0
    while step is not None:
        step = redact_store_step(repository, step)
        steps += 1
    return steps


def test_a_shop_of_thousands_of_items_is_erased_page_by_page_and_its_neighbour_kept(service: Service) -> None:
    repository = service.repository
    fill(repository, GOING)
    fill(repository, STAYING)
    kept = store_items(service, STAYING)
    assert len(store_items(service, GOING)) > 2000

    steps = walk(repository, GOING)

    assert steps >= CUSTOMERS // 25 + 3  # pages of customers, the store's items, then the sweep
    assert store_items(service, GOING) == {}
    assert store_items(service, STAYING) == kept
    assert walk(repository, GOING) >= 2  # a repeat (shop/redact redelivered) is harmless
    assert store_items(service, STAYING) == kept
