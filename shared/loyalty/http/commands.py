"""From the wire to the domain: each validated webhook model becomes the command its rule takes."""

from __future__ import annotations

from datetime import UTC, datetime

from loyalty.domain.commands import (
    ActionCompleted,
    Buyer,
    Invitation,
    OrderPlaced,
    PlacedOrder,
    Refund,
    Registrant,
    Registration,
)
from loyalty.http import action_models
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
        customer=Registrant(
            customer.id, customer.email, customer.first_name, customer.last_name, customer.birthday
        ),
        occurred_at=_utc(event.occurred_at),
    )


def _utc(moment: datetime) -> datetime:
    """An event's time in UTC. RFC 3339 allows times that fall outside datetime's range once moved
    to UTC (year 1 at +14:00, year 9999 at -12:00): those are clamped to the range's ends."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        earliest, latest = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
        return earliest if moment.year == earliest.year else latest


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


def action_completed(event: action_models.ActionCompleted) -> ActionCompleted:
    return ActionCompleted(
        event_id=event.event_id,
        store_id=event.store_id,
        occurred_at=_utc(event.occurred_at),
        action_id=event.action.id,
        customer_id=event.action.customer_id,
        reference=event.action.reference,
    )
