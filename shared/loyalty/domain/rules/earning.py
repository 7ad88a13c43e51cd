"""Pure earning rules: what an order does to the account it credits, with no I/O."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal, localcontext

from loyalty.domain.commands import OrderPlaced
from loyalty.domain.entities import (
    Account,
    Changes,
    CustomerStatus,
    EmailClaim,
    EntryType,
    LedgerEntry,
    Points,
)
from loyalty.domain.program import Program
from loyalty.domain.rules import tiers
from loyalty.domain.rules.campaigns import campaign_multiplier
from loyalty.domain.rules.pending import available_at, earliest
from loyalty.domain.rules.privacy import contact_allowed
from loyalty.domain.rules.signup import with_signup

# Enough digits for a 16-digit amount times any sensible rate, so nothing rounds before the floor.
_PRECISION = 60


def points_for(amount: Decimal, rate: Decimal) -> int:
    """floor(amount × rate), computed exactly in decimal."""
    with localcontext() as context:
        context.prec = _PRECISION
        return int((amount * rate).to_integral_value(rounding=ROUND_FLOOR))


def order_entry_id(order_id: str) -> str:
    return f"order:{order_id}"


def new_account(store_id: str, customer_id: str, status: CustomerStatus, now: datetime) -> Account:
    """A customer seen for the first time: every points field at 0, revision 0 until written."""
    return Account(
        store_id=store_id,
        customer_id=customer_id,
        status=status,
        points=Points(),
        revision=0,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )


@dataclass(frozen=True, slots=True)
class OrderDecision:
    changes: Changes
    account: Account
    entry: LedgerEntry


def decide_order(
    event: OrderPlaced,
    current: Account | None,
    program: Program,
    now: datetime,
    *,
    email_available: bool = True,
) -> OrderDecision:
    """What an order does to the account it credits.

    `current` is the surviving account (a merged file is resolved to its member by the caller),
    or None for a customer never seen. `email_available` is False once the store has said that
    another member holds the order's email: the customer then stays a candidate and still earns.
    """
    order = event.order
    customer = order.customer
    before = current or new_account(event.store_id, customer.id, CustomerStatus.CANDIDATE, now)
    if not contact_allowed(before.erased_at, event.occurred_at):
        customer = replace(customer, email=None, tags=None)  # an old order earns, but stores no contact
    status = before.status
    claims: tuple[EmailClaim, ...] = ()
    email = before.email
    if status is CustomerStatus.CANDIDATE:
        email = customer.email or email
        if customer.has_account and (email_available or not email):
            status = CustomerStatus.MEMBER
            if email:
                claims = (EmailClaim(event.store_id, email.lower(), before.customer_id),)
    tags = before.tags if customer.tags is None else customer.tags
    status_before_exclusion = before.status_before_exclusion
    if status is not CustomerStatus.EXCLUDED and program.excludes(customer.tags or ()):
        status_before_exclusion = status
        status = CustomerStatus.EXCLUDED
        claims = ()

    # The multiplier of the tier held when the order is processed (a tier it reaches applies
    # from the next order), times the largest of the campaigns covering the order's time.
    multiplier = tiers.earn_multiplier(current, program, now) if current is not None else Decimal(1)
    multiplier *= campaign_multiplier(program.campaigns, event.occurred_at or now)
    points, reason = _earning(order.subtotal, status, program, multiplier)
    pending_until = None
    if points > 0 and program.pending_days > 0:
        pending_until = available_at(event.occurred_at or now, program.pending_days)
    window: dict[str, object] = {}
    gained = Points(earned=points)
    if pending_until is not None:
        gained = Points(pending=points)
        window = {
            "pending_release_at": earliest((before.pending_release_at, pending_until)),
            # The balance does not move: the Expiry index keeps the account where it was listed.
            "expiry_listed_at": before.expiry_listed_at or before.last_activity_at,
        }
    after = before.changed(
        now,
        status=status,
        email=email,
        tags=tags,
        points=before.points + gained,
        status_before_exclusion=status_before_exclusion,
        **window,
    )
    entry = LedgerEntry(
        store_id=event.store_id,
        entry_id=order_entry_id(order.id),
        customer_id=after.customer_id,
        type=EntryType.EARN if pending_until is None else EntryType.PENDING,
        points=points,
        balance_after=after.points.balance,
        created_at=now,
        event_id=event.event_id,
        reason=reason,
        order_id=order.id,
        amount=order.subtotal,
        currency=order.currency,
        addressed_customer_id=customer.id if customer.id != after.customer_id else None,
        available_at=pending_until,
        open=pending_until is not None,
        multiplier=multiplier if reason is None and multiplier != 1 else None,
    )
    changes = tiers.with_tiers(
        Changes(accounts=((current, after),), entries=(entry,), claims=claims),
        program,
        event.occurred_at or now,
        now,
    )
    # An order with an account may make the customer a member: its sign-up bonus, in this transaction.
    changes = with_signup(changes, program, now, event.event_id)
    return OrderDecision(changes=changes, account=changes.accounts[0][1], entry=entry)


def _earning(
    amount: Decimal, status: CustomerStatus, program: Program, multiplier: Decimal
) -> tuple[int, str | None]:
    """Points an order earns for a customer in `status`, and why it earns none when it does not."""
    if not program.active:
        return 0, "program paused"
    if status is CustomerStatus.EXCLUDED:
        return 0, "customer excluded"
    if status is CustomerStatus.CANDIDATE and not program.guests_earn_points:
        return 0, "guests do not earn points"
    # One floor, at the end: floor(amount × rate × tier multiplier × campaign multiplier).
    return points_for(amount, program.points_per_currency_unit * multiplier), None
