"""The tests' one table factory: a table as template.yaml declares it (keys, indexes, stream), on
whichever engine the client talks to (moto, DynamoDB Local)."""

from __future__ import annotations

import uuid
from typing import Any

from loyalty_dev.template import create_table_request, load_template

TABLE = "LoyaltyTable"


def template_table(client: Any, name: str | None = None, *, logical_id: str = TABLE) -> str:
    """Create the template's table `logical_id` as `name` (default: a fresh unique name), wait until
    it is active, and return its name."""
    name = name or f"{logical_id}-{uuid.uuid4().hex[:12]}"
    properties = load_template().tables()[logical_id]
    created = client.create_table(**create_table_request(logical_id, properties, name))
    if created["TableDescription"]["TableStatus"] != "ACTIVE":  # moto's are at once; AWS's are not
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return name
