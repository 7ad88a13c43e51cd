"""RedemptionFunction: a member redeems a catalog reward from the storefront, behind its customer
token, once per Idempotency-Key (required); CORS for the store's own sites. It can write; the
balance function stays read only."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from aws_lambda_powertools.event_handler import Response

from loyalty.http.resolver import create_app, lambda_entry, validate_ids
from loyalty.http.rewards import redeem_reward
from loyalty.http.storefront import preflight, verify_customer, with_cors

app = create_app()
REDEMPTIONS = "/stores/<store_id>/customers/<customer_id>/redemptions"


@app.post(REDEMPTIONS)
def redeem(store_id: str, customer_id: str) -> Response[str]:
    verify_customer(app, store_id, customer_id)
    return redeem_reward(app, store_id, customer_id, key_required=True)


@app.route(REDEMPTIONS, method="OPTIONS")
def redemption_preflight(store_id: str, customer_id: str) -> Response[str]:
    validate_ids(store_id, customer_id=customer_id)
    return preflight("POST, OPTIONS")


lambda_handler = with_cors(lambda_entry(app))
gc.freeze()  # keep the collector off what the imports made
gc.enable()
