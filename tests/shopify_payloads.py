"""Shopify webhook payloads as Shopify documents them (trimmed of nothing we could ignore): the
service must read what it needs from the full documents and ignore the rest."""

from __future__ import annotations

import copy
from typing import Any

SHOP = "acme-store.myshopify.com"

_GUEST = {
    "id": 706405506930370084,
    "email": "bob@biller.com",
    "created_at": "2026-11-20T12:11:10-05:00",
    "updated_at": "2026-11-20T12:11:10-05:00",
    "first_name": "Bob",
    "last_name": "Biller",
    "state": "disabled",
    "note": "This customer loves ice cream",
    "verified_email": True,
    "multipass_identifier": None,
    "tax_exempt": False,
    "phone": None,
    "email_marketing_consent": {"state": "not_subscribed", "opt_in_level": None, "consent_updated_at": None},
    "sms_marketing_consent": None,
    "tags": "",
    "currency": "USD",
    "tax_exemptions": [],
    "admin_graphql_api_id": "gid://shopify/Customer/706405506930370084",
    "default_address": {
        "id": 1,
        "customer_id": 706405506930370084,
        "address1": "123 Elm St.",
        "city": "Ottawa",
        "province": "Ontario",
        "country": "Canada",
        "zip": "K2H7A8",
        "default": True,
    },
}

_ORDER = {
    "id": 820982911946154508,
    "admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
    "app_id": None,
    "browser_ip": None,
    "buyer_accepts_marketing": True,
    "cancel_reason": "customer",
    "cancelled_at": None,
    "cart_token": None,
    "checkout_id": None,
    "checkout_token": None,
    "confirmation_number": None,
    "confirmed": False,
    "contact_email": "jon@example.com",
    "created_at": "2026-11-20T12:11:10-05:00",
    "currency": "USD",
    "current_subtotal_price": "398.00",
    "current_total_discounts": "0.00",
    "current_total_price": "398.00",
    "current_total_tax": "0.00",
    "customer_locale": "en",
    "discount_codes": [],
    "email": "jon@example.com",
    "estimated_taxes": False,
    "financial_status": "voided",
    "fulfillment_status": "pending",
    "landing_site": None,
    "name": "#9999",
    "note": None,
    "note_attributes": [],
    "number": 234,
    "order_number": 1234,
    "order_status_url": "https://jsmith.myshopify.com/548380009/orders/123456abcd/authenticate?key=abcdefg",
    "payment_gateway_names": ["visa", "bogus"],
    "phone": None,
    "presentment_currency": "USD",
    "processed_at": "2026-11-20T12:11:10-05:00",
    "reference": None,
    "source_name": "web",
    "subtotal_price": "388.00",
    "subtotal_price_set": {
        "shop_money": {"amount": "388.00", "currency_code": "USD"},
        "presentment_money": {"amount": "388.00", "currency_code": "USD"},
    },
    "tags": "tag1, tag2",
    "taxes_included": False,
    "test": False,
    "token": "123456abcd",
    "total_discounts": "20.00",
    "total_line_items_price": "398.00",
    "total_price": "398.00",
    "total_shipping_price_set": {
        "shop_money": {"amount": "10.00", "currency_code": "USD"},
        "presentment_money": {"amount": "10.00", "currency_code": "USD"},
    },
    "total_tax": "0.00",
    "total_weight": 0,
    "updated_at": "2026-11-20T12:11:10-05:00",
    "user_id": None,
    "billing_address": {"first_name": "Steve", "address1": "123 Shipping Street", "city": "Shippington"},
    "customer": _GUEST,
    "discount_applications": [],
    "fulfillments": [],
    "line_items": [
        {
            "id": 866550311766439020,
            "current_quantity": 1,
            "fulfillable_quantity": 1,
            "gift_card": False,
            "grams": 567,
            "name": "IPod Nano - 8GB",
            "price": "199.00",
            "product_id": 632910392,
            "quantity": 1,
            "requires_shipping": True,
            "sku": "IPOD2008PINK",
            "taxable": True,
            "title": "IPod Nano - 8GB",
            "variant_id": 808950810,
            "vendor": None,
            "tax_lines": [],
            "discount_allocations": [],
        }
    ],
    "payment_terms": None,
    "refunds": [],
    "shipping_address": {"first_name": "Steve", "address1": "123 Shipping Street", "city": "Shippington"},
    "shipping_lines": [
        {"id": 271878346596884015, "code": None, "price": "10.00", "title": "Generic Shipping"}
    ],
}


def orders_create(
    *, state: str = "disabled", order_id: int = 820982911946154508, subtotal: str = "388.00"
) -> dict[str, Any]:
    order = copy.deepcopy(_ORDER)
    order["id"] = order_id
    order["subtotal_price"] = subtotal
    order["customer"]["state"] = state
    return order


def sandbox_order() -> dict[str, Any]:
    return {**orders_create(), "test": True}


def order_without_customer() -> dict[str, Any]:
    order = orders_create()
    order.pop("customer")
    return order


def customer(*, state: str = "enabled", tags: str = "") -> dict[str, Any]:
    document = copy.deepcopy(_GUEST)
    document["state"] = state
    document["tags"] = tags
    return document


def refunds_create(*, order_id: int = 820982911946154508, refund_id: int = 509562969) -> dict[str, Any]:
    """A refund with two successful refund transactions and one failed one."""
    return {
        "id": refund_id,
        "order_id": order_id,
        "created_at": "2026-11-21T09:00:00-05:00",
        "note": "it broke during shipping",
        "user_id": None,
        "processed_at": "2026-11-21T09:00:00-05:00",
        "restock": False,
        "duties": [],
        "total_duties_set": {"shop_money": {"amount": "0.00", "currency_code": "USD"}},
        "admin_graphql_api_id": f"gid://shopify/Refund/{refund_id}",
        "refund_line_items": [],
        "transactions": [
            {
                "id": 245135917,
                "order_id": order_id,
                "kind": "refund",
                "gateway": "bogus",
                "status": "success",
                "message": "Bogus Gateway: Forced success",
                "amount": "100.00",
                "currency": "USD",
                "parent_id": 389404469,
            },
            {
                "id": 245135918,
                "order_id": order_id,
                "kind": "refund",
                "gateway": "gift_card",
                "status": "success",
                "amount": "94.00",
                "currency": "USD",
            },
            {
                "id": 245135919,
                "order_id": order_id,
                "kind": "refund",
                "gateway": "bogus",
                "status": "failure",
                "amount": "50.00",
                "currency": "USD",
            },
        ],
        "order_adjustments": [],
    }


def customers_data_request(customer_id: int = 191167, request_id: int = 9999) -> dict[str, Any]:
    """customers/data_request, as Shopify documents it (the email and phone are not stored)."""
    return {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "orders_requested": [299938, 280263],
        "customer": {"id": customer_id, "email": "john@example.com", "phone": "555-625-1199"},
        "data_request": {"id": request_id},
    }


def customers_redact(customer_id: int = 191167) -> dict[str, Any]:
    return {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "customer": {"id": customer_id, "email": "john@example.com", "phone": "555-625-1199"},
        "orders_to_redact": [299938, 280263],
    }


def shop_redact() -> dict[str, Any]:
    return {"shop_id": 954889, "shop_domain": SHOP}
