"""BalanceFunction: a customer's balance for the storefront — behind a customer token, or
behind Shopify's app proxy for the logged-in customer — and the storefront panel's reads (the
public program, the customer's history and coupons); CORS for the store's own sites. Read only."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

import time

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.operations.storefront import require_with_storefront
from loyalty.http import panel
from loyalty.http.platforms import shopify
from loyalty.http.resolver import create_app, dumps, json_response, lambda_entry, validate_ids
from loyalty.http.storefront import account_answer, preflight, verify_customer, with_cors
from loyalty.http.tokens import mint_customer_token
from loyalty.runtime import runtime

app = create_app()
app.include_router(panel.router)
BALANCE = "/stores/<store_id>/customers/<customer_id>/balance"
# A panel asks again when its token is refused: an hour spares the shop's visitors a mint per page.
PROXY_TOKEN_SECONDS = 3600


@app.get(BALANCE)
def balance(store_id: str, customer_id: str) -> Response[str]:
    verify_customer(app, store_id, customer_id)
    return answer(store_id, customer_id)


@app.route(BALANCE, method="OPTIONS")
def balance_preflight(store_id: str, customer_id: str) -> Response[str]:
    validate_ids(store_id, customer_id=customer_id)
    return preflight("GET, OPTIONS")


@app.get("/proxy/shopify/balance")
def shopify_proxy_balance() -> Response[str]:
    parameters = app.current_event.multi_value_query_string_parameters or {}
    customer = shopify.verify_app_proxy(parameters, runtime().shopify_secret(), time.time())
    return answer(customer.shop, customer.customer_id)


@app.get("/proxy/shopify/token")
def shopify_proxy_token() -> Response[str]:
    """The storefront panel's `token-url` on a Shopify store: the logged-in customer's token."""
    parameters = app.current_event.multi_value_query_string_parameters or {}
    services = runtime()
    now = time.time()
    customer = shopify.verify_app_proxy(parameters, services.shopify_secret(), now)
    validate_ids(customer.shop, customer_id=customer.customer_id)
    token = mint_customer_token(
        services.customer_token_secret(), customer.shop, customer.customer_id, int(now), PROXY_TOKEN_SECONDS
    )
    return Response(
        status_code=200,
        content_type="application/json",
        body=dumps({"token": token}),
        headers={"Cache-Control": "no-store"},
    )


def answer(store_id: str, customer_id: str) -> Response[str]:
    validate_ids(store_id, customer_id=customer_id)
    services = runtime()
    found = require_with_storefront(services.repository, services.storefronts, store_id, customer_id)
    return json_response(200, account_answer(found))


lambda_handler = with_cors(lambda_entry(app))
gc.freeze()  # keep the collector off what the imports made
gc.enable()
