"""Wix webhooks as Wix sends them: full documents written from Wix's documented examples (orders of
the eCommerce API, members of the Members API), each layer a JSON string inside the previous one,
and the whole a JWT signed RS256 with the app's key.

The app's key pair is made here, for the test session only: no private key is ever committed.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

INSTANCE_ID = "c5a8a7ee-54e8-4b7a-a2ee-fb8ed1a5b4b3"  # the app's instance on one site: the store
VISITOR_CONTACT = "9a1f0f6e-3c1d-4a53-9b8c-62f1d4d1c0aa"
VISITOR_ID = "4c8d8fbb-2bdc-4a8d-94a0-46b7d0e0d9c5"
MEMBER_CONTACT = "5f2a1ab5-1f5b-4d64-b6d2-0f3e6e1e7c11"
MEMBER_ID = "5f2a1ab5-1f5b-4d64-b6d2-0f3e6e1e7c11"  # a member's id is its contact's id on Wix sites

_APP_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
APP_PRIVATE_KEY_PEM = _APP_KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
APP_PUBLIC_KEY_PEM = (
    _APP_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
_OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_PRIVATE_KEY_PEM = _OTHER_KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()


def notification(event_type: str, event: dict[str, Any], *, instance_id: str = INSTANCE_ID) -> dict[str, Any]:
    """The token's `data` claim before it is a string: `data` and `identity` are JSON strings."""
    identity = {"identityType": "ANONYMOUS_VISITOR", "anonymousVisitorId": VISITOR_ID}
    return {
        "eventType": event_type,
        "instanceId": instance_id,
        "data": json.dumps(event),
        "identity": json.dumps(identity),
    }


def claims(event_type: str, event: dict[str, Any], *, instance_id: str = INSTANCE_ID) -> dict[str, Any]:
    now = int(time.time())
    return {
        "data": json.dumps(notification(event_type, event, instance_id=instance_id)),
        "iat": now,
        "exp": now + 3600,
    }


def signed(
    event_type: str,
    event: dict[str, Any],
    *,
    key: str = APP_PRIVATE_KEY_PEM,
    instance_id: str = INSTANCE_ID,
) -> str:
    """The body Wix posts: a compact JWS, RS256 with the app's key."""
    return jwt.encode(claims(event_type, event, instance_id=instance_id), key, algorithm="RS256")


# Orders (wix.ecom.v1.order_approved) ------------------------------------------------------------

_LINE = {
    "id": "00000000-0000-0000-0000-000000000001",
    "productName": {"original": "Brazilian Arabica", "translated": "Brazilian Arabica"},
    "catalogReference": {
        "catalogItemId": "0614129c-8777-9f3b-4dfe-b80a54df10d5",
        "appId": "215238eb-22a5-4c36-9e7b-e7c08025e04e",
        "options": {"options": {"Weight": "500g"}, "variantId": "00000000-0000-003f-0005-a316f7c67df7"},
    },
    "quantity": 2,
    "totalDiscount": {"amount": "5.00", "formattedAmount": "€5.00"},
    "descriptionLines": [
        {
            "name": {"original": "Weight", "translated": "Weight"},
            "plainText": {"original": "500g", "translated": "500g"},
            "lineType": "PLAIN_TEXT",
        }
    ],
    "image": {
        "id": "c1ec0d_ea2ebd0d2a3c4ef8b0e5e8fbc2c7b7d6~mv2.jpg",
        "url": "https://static.wixstatic.com/media/c1ec0d_ea2ebd0d2a3c4ef8b0e5e8fbc2c7b7d6~mv2.jpg",
        "height": 1000,
        "width": 1000,
    },
    "physicalProperties": {"weight": 0.5, "sku": "BA-500", "shippable": True},
    "itemType": {"preset": "PHYSICAL"},
    "fulfillerId": "85e29287-8bf8-4c6f-8b5c-6d8b6e6ac7e9",
    "refundQuantity": 0,
    "restockQuantity": 0,
    "price": {"amount": "25.00", "formattedAmount": "€25.00"},
    "priceBeforeDiscounts": {"amount": "25.00", "formattedAmount": "€25.00"},
    "totalPriceBeforeTax": {"amount": "45.00", "formattedAmount": "€45.00"},
    "totalPriceAfterTax": {"amount": "53.55", "formattedAmount": "€53.55"},
    "paymentOption": "FULL_PAYMENT_ONLINE",
    "taxDetails": {
        "taxableAmount": {"amount": "45.00", "formattedAmount": "€45.00"},
        "taxRate": "0.19",
        "totalTax": {"amount": "8.55", "formattedAmount": "€8.55"},
    },
    "digitalFile": None,
    "subscriptionInfo": None,
    "locations": [],
}

_SECOND_LINE = {
    **copy.deepcopy(_LINE),
    "id": "00000000-0000-0000-0000-000000000002",
    "productName": {"original": "Ceramic Mug", "translated": "Ceramic Mug"},
    "quantity": 1,
    "totalDiscount": {"amount": "0", "formattedAmount": "€0.00"},
    "price": {"amount": "12.90", "formattedAmount": "€12.90"},
    "priceBeforeDiscounts": {"amount": "12.90", "formattedAmount": "€12.90"},
    "totalPriceBeforeTax": {"amount": "12.90", "formattedAmount": "€12.90"},
    "totalPriceAfterTax": {"amount": "15.35", "formattedAmount": "€15.35"},
}

_ADDRESS = {
    "address": {
        "country": "DE",
        "subdivision": "DE-BE",
        "city": "Berlin",
        "postalCode": "10115",
        "addressLine1": "Invalidenstraße 117",
    },
    "contactDetails": {"firstName": "Ann", "lastName": "Lee", "phone": "+49 30 1234567"},
}

_ORDER: dict[str, Any] = {
    "id": "e994ac9d-26b0-4f81-8047-00a2e964d6bf",
    "number": "10002",
    "createdDate": "2026-11-20T10:32:47.346Z",
    "updatedDate": "2026-11-20T10:32:58.520Z",
    "lineItems": [_LINE, _SECOND_LINE],
    "buyerInfo": {"visitorId": VISITOR_ID, "contactId": VISITOR_CONTACT, "email": "ann@example.com"},
    "paymentStatus": "PAID",
    "fulfillmentStatus": "NOT_FULFILLED",
    "buyerLanguage": "en",
    "weightUnit": "KG",
    "currency": "EUR",
    "taxIncludedInPrices": False,
    "siteLanguage": "en",
    "priceSummary": {
        "subtotal": {"amount": "62.90", "formattedAmount": "€62.90"},
        "shipping": {"amount": "4.90", "formattedAmount": "€4.90"},
        "tax": {"amount": "10.88", "formattedAmount": "€10.88"},
        "discount": {"amount": "5.00", "formattedAmount": "€5.00"},
        "totalPrice": {"amount": "73.68", "formattedAmount": "€73.68"},
        "total": {"amount": "73.68", "formattedAmount": "€73.68"},
        "totalWithGiftCard": {"amount": "73.68", "formattedAmount": "€73.68"},
        "totalWithoutGiftCard": {"amount": "73.68", "formattedAmount": "€73.68"},
        "totalAdditionalFees": {"amount": "0", "formattedAmount": "€0.00"},
    },
    "billingInfo": _ADDRESS,
    "shippingInfo": {
        "title": "Standard delivery",
        "logistics": {"deliveryTime": "2-3 business days", "shippingDestination": _ADDRESS},
        "cost": {"price": {"amount": "4.90", "formattedAmount": "€4.90"}},
    },
    "status": "APPROVED",
    "archived": False,
    "taxSummary": {"totalTax": {"amount": "10.88", "formattedAmount": "€10.88"}},
    "appliedDiscounts": [
        {
            "discountType": "GLOBAL",
            "lineItemIds": ["00000000-0000-0000-0000-000000000001"],
            "coupon": {
                "id": "c1b1e3c4-0d0c-4c8b-8a37-3a2a7f0d2f5e",
                "code": "COFFEE5",
                "amount": {"amount": "5.00"},
            },
        }
    ],
    "activities": [
        {
            "id": "7d4f2a8e-6a0c-4c5b-9d3f-1e2b3c4d5e6f",
            "createdDate": "2026-11-20T10:32:47.346Z",
            "type": "ORDER_PLACED",
        }
    ],
    "attributionSource": "UNSPECIFIED",
    "createdBy": {"visitorId": VISITOR_ID},
    "channelInfo": {"type": "WEB"},
    "checkoutId": "a3b7b0a2-5d0e-4a1c-8e2b-0f9e8d7c6b5a",
    "customFields": [],
    "isInternalOrderCreate": False,
    "payNow": {"amount": "73.68", "formattedAmount": "€73.68"},
    "balanceSummary": {"balance": {"amount": "0", "formattedAmount": "€0.00"}, "paid": {"amount": "73.68"}},
    "additionalFees": [],
}


def order_approved_event(
    order: dict[str, Any], *, event_id: str = "162075ea-7271-411b-b555-de545e8e6f38", as_json: bool = False
) -> dict[str, Any]:
    """The inner `data` of an order_approved webhook: the order is `actionEvent.body.order`."""
    body = {"order": order}
    action = {"bodyAsJson": json.dumps(body)} if as_json else {"body": body}
    return {
        "id": event_id,
        "entityFqdn": "wix.ecom.v1.order",
        "slug": "approved",
        "entityId": order["id"],
        "eventTime": "2026-11-20T10:32:58.594017Z",
        "triggeredByAnonymizeRequest": False,
        "actionEvent": action,
    }


def visitor_order(*, order_id: str | None = None) -> dict[str, Any]:
    """A visitor (no Members Area account) buys two lines: 45.00 + 12.90 before tax = 57.90."""
    order = copy.deepcopy(_ORDER)
    if order_id is not None:
        order["id"] = order_id
    return order


def member_order(*, order_id: str = "2c1f4e4d-8f0a-4b5f-9a71-1c3e2b1a0d9f") -> dict[str, Any]:
    """A site member buys the mug alone: 12.90 before tax."""
    order = copy.deepcopy(_ORDER)
    order.update(
        {
            "id": order_id,
            "number": "10003",
            "lineItems": [copy.deepcopy(_SECOND_LINE)],
            "buyerInfo": {"memberId": MEMBER_ID, "contactId": MEMBER_CONTACT, "email": "max@example.com"},
            "createdBy": {"memberId": MEMBER_ID},
            "appliedDiscounts": [],
        }
    )
    order["priceSummary"]["subtotal"] = {"amount": "12.90", "formattedAmount": "€12.90"}
    order["priceSummary"]["discount"] = {"amount": "0", "formattedAmount": "€0.00"}
    return order


def order_without_line_totals(*, discount: str | None = "5.00") -> dict[str, Any]:
    """An older order whose lines carry no totalPriceBeforeTax: subtotal 62.90 − discount."""
    order = visitor_order(order_id="6a0d3c1e-2b4f-4e8a-9c7d-5f1e0a2b3c4d")
    for line in order["lineItems"]:
        line.pop("totalPriceBeforeTax")
        line.pop("totalPriceAfterTax")
    if discount is None:
        order["priceSummary"].pop("discount")
    else:
        order["priceSummary"]["discount"] = {"amount": discount, "formattedAmount": f"€{discount}"}
    return order


def order_without_contact() -> dict[str, Any]:
    order = visitor_order(order_id="0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e")
    order["buyerInfo"] = {"visitorId": VISITOR_ID}
    return order


# Members (wix.members.v1.member_created / member_updated) ---------------------------------------


def member(
    *, status: str = "APPROVED", contact_id: str = VISITOR_CONTACT, email: str = "ann@example.com"
) -> dict[str, Any]:
    """A member of the site's Members Area, as the Members API documents it."""
    return {
        "id": contact_id,
        "loginEmail": email,
        "loginEmailVerified": status == "APPROVED",
        "status": status,
        "contactId": contact_id,
        "contact": {
            "contactId": contact_id,
            "firstName": "Ann",
            "lastName": "Lee",
            "phones": [],
            "emails": [email],
            "addresses": [],
            "customFields": {},
        },
        "profile": {"nickname": "Ann Lee", "slug": "annlee", "photo": {"url": "", "height": 0, "width": 0}},
        "privacyStatus": "PRIVATE",
        "activityStatus": "ACTIVE",
        "createdDate": "2026-11-21T09:00:00Z",
        "updatedDate": "2026-11-21T09:00:00.486Z",
        "lastLoginDate": None,
    }


def member_created_event(
    entity: dict[str, Any], *, event_id: str = "87c0d894-4ed1-4c75-b167-27b7622558d2", as_json: bool = False
) -> dict[str, Any]:
    created = {"entityAsJson": json.dumps(entity)} if as_json else {"entity": entity}
    return {
        "id": event_id,
        "entityFqdn": "wix.members.v1.member",
        "slug": "created",
        "entityId": entity["id"],
        "eventTime": "2026-11-21T09:00:00.512Z",
        "triggeredByAnonymizeRequest": False,
        "createdEvent": created,
    }


def member_updated_event(
    entity: dict[str, Any], *, event_id: str = "3f0c6a3e-9d2b-4e1f-8a7c-6b5d4e3f2a1b", as_json: bool = False
) -> dict[str, Any]:
    updated = {"currentEntityAsJson": json.dumps(entity)} if as_json else {"currentEntity": entity}
    return {
        "id": event_id,
        "entityFqdn": "wix.members.v1.member",
        "slug": "updated",
        "entityId": entity["id"],
        "eventTime": "2026-11-22T08:15:00.101Z",
        "triggeredByAnonymizeRequest": False,
        "updatedEvent": updated,
    }


def contact_merged_event() -> dict[str, Any]:
    """An event type the service does not handle (Wix's documented example type)."""
    return {
        "id": "0e4d5c6b-7a8f-4e9d-8c1b-2a3f4e5d6c7b",
        "entityFqdn": "wix.contacts.v4.contact",
        "slug": "merged",
        "entityId": VISITOR_CONTACT,
        "eventTime": "2026-11-22T08:15:00.101Z",
        "actionEvent": {"body": {"targetContactId": VISITOR_CONTACT, "sourceContactIds": [MEMBER_CONTACT]}},
    }
