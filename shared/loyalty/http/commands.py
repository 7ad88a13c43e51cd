"""From the wire to the domain: each validated webhook model becomes the command its rule takes."""

from __future__ import annotations

from loyalty.domain.commands import (
    Buyer,
    Invitation,
    OrderPlaced,
    PlacedOrder,
    Refund,
    Registrant,
    Registration,
)
from loyalty.http.models import InvitationAccepted, MemberRegistered, OrderCreated, OrderRefunded


def order_placed(event: OrderCreated) -> OrderPlaced:
    order, customer = event.order, event.order.customer
    return OrderPlaced(
        event_id=event.event_id,
        store_id=event.store_id,
        order=PlacedOrder(
            id=order.id,
            subtotal=order.subtotal_amount,
            currency=order.currency,
            customer=Buyer(customer.id, customer.email, customer.has_account, customer.tags),
        ),
        occurred_at=event.occurred_at,
    )


def registration(event: MemberRegistered) -> Registration:
    customer = event.customer
    return Registration(
        event_id=event.event_id,
        store_id=event.store_id,
        customer=Registrant(customer.id, customer.email, customer.first_name, customer.last_name),
        occurred_at=event.occurred_at,
    )


def invitation(event: InvitationAccepted) -> Invitation:
    return Invitation(
        event_id=event.event_id,
        store_id=event.store_id,
        guest_customer_id=event.invitation.guest_customer_id,
        member_customer_id=event.invitation.member_customer_id,
    )


def refund(event: OrderRefunded) -> Refund:
    return Refund(
        event_id=event.event_id,
        store_id=event.store_id,
        refund_id=event.refund.id,
        order_id=event.refund.order_id,
        amount=event.refund.refunded_amount,
    )
