"""BalanceFunction: a customer's balance for the storefront — behind a customer token, or
behind Shopify's app proxy for the logged-in customer."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

import time

from aws_lambda_powertools.event_handler import Response

from loyalty.domain.operations.customers import require_with_program
from loyalty.errors import Unauthorized
from loyalty.http.platforms import shopify
from loyalty.http.request_bounds import single_header
from loyalty.http.resolver import create_app, json_response, lambda_entry, validate_ids
from loyalty.http.tokens import MAX_AUTHORIZATION_LENGTH, verify_customer_token
from loyalty.http.views import account_view
from loyalty.runtime import runtime

app = create_app()


@app.get("/stores/<store_id>/customers/<customer_id>/balance")
def balance(store_id: str, customer_id: str) -> Response[str]:
    services = runtime()
    verify_customer_token(
        single_header(app.current_event, "Authorization", MAX_AUTHORIZATION_LENGTH, Unauthorized),
        services.customer_token_secret(),
        store_id,
        customer_id,
        time.time(),
    )
    return answer(store_id, customer_id)


@app.get("/proxy/shopify/balance")
def shopify_proxy_balance() -> Response[str]:
    parameters = app.current_event.multi_value_query_string_parameters or {}
    customer = shopify.verify_app_proxy(parameters, runtime().shopify_secret(), time.time())
    return answer(customer.shop, customer.customer_id)


def answer(store_id: str, customer_id: str) -> Response[str]:
    validate_ids(store_id, customer_id=customer_id)
    services = runtime()
    found, program = require_with_program(services.repository, services.programs, store_id, customer_id)
    return json_response(200, account_view(found, program.points_expiry_months))


lambda_handler = lambda_entry(app)
gc.freeze()  # keep the collector off what the imports made
gc.enable()
