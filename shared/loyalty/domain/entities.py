"""The loyalty domain's records: customers' accounts and their ledger entries (no I/O, no rules)."""

from __future__ import annotations

from dataclasses import astuple, dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from loyalty.domain.program import Program

Result = TypeVar("Result")


class CustomerStatus(StrEnum):
    CANDIDATE = "candidate"
    MEMBER = "member"
    EXCLUDED = "excluded"
    MERGED = "merged"


class EntryType(StrEnum):
    EARN = "earn"
    ADJUST = "adjust"
    REDEEM = "redeem"
    REVERSE = "reverse"
    MERGE_IN = "merge_in"
    MERGE_OUT = "merge_out"
    REFUND = "refund"  # a voided coupon's points given back
    EXPIRE = "expire"
    PENDING = "pending"  # an order's points waiting for the return window to close
    RELEASE = "release"  # what is left of a pending entry, made available
    CANCEL = "cancel"  # a refund inside the return window: taken out of the pending points
    IMPORT = "import"  # a row of a CSV import: adjusted by its points (add) or to its balance (set)
    BONUS = "bonus"  # points given for something else than an order (a tier's entry bonus)


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with millisecond precision: sortable as text, as the ledger index needs."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class Points:
    """The points fields; `balance == earned + adjusted - redeemed - expired` holds by construction.
    `pending` waits outside the balance until its return window closes."""

    earned: int = 0
    adjusted: int = 0
    redeemed: int = 0
    expired: int = 0
    pending: int = 0

    @property
    def balance(self) -> int:
        return self.earned + self.adjusted - self.redeemed - self.expired

    def __add__(self, other: Points) -> Points:
        return Points(
            earned=self.earned + other.earned,
            adjusted=self.adjusted + other.adjusted,
            redeemed=self.redeemed + other.redeemed,
            expired=self.expired + other.expired,
            pending=self.pending + other.pending,
        )


@dataclass(frozen=True, slots=True)
class HeldTier:
    """The tier recorded on an account: reached at `since`, held at least until `kept_until`
    (None: for good, a lifetime window)."""

    id: str
    since: datetime
    kept_until: datetime | None


@dataclass(frozen=True, slots=True)
class Tiering:
    """What an account keeps for its tiers. `records` holds its qualifying entries the window can
    still count, as (epoch milliseconds, signed points), oldest first, one per time (rules/
    tier_window.py); `total` all of them, ever. `listed_until` is the `kept_until` the daily
    review's index lists the account under: never later than the real one, so an order that moves
    `kept_until` leaves the index key alone."""

    records: tuple[tuple[int, int], ...] = ()
    total: int = 0
    held: HeldTier | None = None
    bonuses_paid: frozenset[str] = frozenset()
    listed_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """A customer of one store and its loyalty account; `revision` grows by one at every change."""

    store_id: str
    customer_id: str
    status: CustomerStatus
    points: Points
    revision: int
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    tags: tuple[str, ...] = ()
    merged_into: str | None = None
    merged_customer_ids: tuple[str, ...] = ()
    # The status an excluded customer returns to when it is included again.
    status_before_exclusion: CustomerStatus | None = None
    # When the event that last set the email and names occurred (None: never set by one, or set
    # before this was kept): an older registration or platform update never overwrites them.
    contact_updated_at: datetime | None = None
    # The earliest `available_at` of the pending entries still open (None: nothing pending).
    pending_release_at: datetime | None = None
    # Where the Expiry index keeps the account when an order adds pending points only: the
    # `last_activity_at` it was listed under (never later than the real one; None: the real one).
    expiry_listed_at: datetime | None = None
    # When the customer's personal data was erased (domain/rules/privacy.py); None: never.
    erased_at: datetime | None = None
    # VIP tiers (domain/rules/tiers.py): the qualifying points per UTC month and in all, the tier
    # recorded with its `kept_until`, and the tiers whose entry bonus was paid.
    tiering: Tiering = field(default_factory=Tiering)
    birthday: str | None = None  # "MM-DD": the birthday way needs no year, so none is kept
    # The sign-up bonus is settled: paid, or the customer became a member while it paid nothing.
    signup_settled: bool = False

    @property
    def can_redeem(self) -> bool:
        return self.status is CustomerStatus.MEMBER

    @property
    def email_key(self) -> str | None:
        """The email as uniqueness compares it: one member per lower-cased email per store."""
        return self.email.lower() if self.email else None

    def changed(self, now: datetime, **changes: object) -> Account:
        """The next revision of this account, touched at `now`."""
        return replace(
            self,
            revision=self.revision + 1,
            updated_at=now,
            last_activity_at=now,
            **{"expiry_listed_at": None, **changes},  # type: ignore[arg-type]
        )

    def revised(self, now: datetime, **changes: object) -> Account:
        """The next revision, written at `now` but no activity (contact details refreshed): the
        points' expiry and the list's activity order stay where they were."""
        return replace(self, revision=self.revision + 1, updated_at=now, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """An immutable points transaction; its id is its business key, so it is written once."""

    store_id: str
    entry_id: str
    customer_id: str
    type: EntryType
    points: int
    balance_after: int
    created_at: datetime
    event_id: str
    reason: str | None = None
    order_id: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    shortfall: int | None = None
    counterpart_customer_id: str | None = None
    addressed_customer_id: str | None = None
    coupon_code: str | None = None  # a catalog redemption's coupon, and its void's refund
    # On an order's entry only: the points its refunds have reversed so far (never above `points`).
    points_reversed: int = 0
    # On a pending entry: when its points become available, and whether they still wait (open).
    available_at: datetime | None = None
    open: bool = False
    # On a merge's entries: the pending points the merge moved (they stay outside the balance).
    pending_moved: int = 0
    # A bonus from a way to earn: the way's id (tier entry bonuses keep None).
    way: str | None = None
    # An order's entry: the multiplier applied in all (tier × campaign; None when it is 1).
    multiplier: Decimal | None = None


@dataclass(frozen=True, slots=True)
class EmailClaim:
    """Who holds an email in a store: the item that makes members' emails unique."""

    store_id: str
    email_key: str
    customer_id: str


@dataclass(frozen=True, slots=True)
class Reversal:
    """A refund's claim on its order: the order's reversed total moves from `before` to `after`."""

    order_entry: LedgerEntry
    before: int
    after: int
    # The order's points were still pending when read (the refund cancels them): the entry must
    # still be open when the refund commits, and it closes when nothing of it remains pending.
    pending: bool = False
    closes: bool = False


@dataclass(frozen=True, slots=True)
class PendingClosed:
    """A pending entry closed (its points released or all cancelled), as read: still open then,
    with `points_reversed` unchanged since."""

    entry: LedgerEntry
    released: int


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The first answer to a back-office write, replayed to any repeat of its Idempotency-Key."""

    store_id: str
    key: str
    fingerprint: str
    status: int
    body: str
    created_at: datetime
    # The customer the request was about (None: a store-wide write): its erasure finds the record.
    customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class DataRequest:
    """A customer's request for a copy of their data, relayed by a platform (ids only)."""

    store_id: str
    request_id: str
    customer_id: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Totals:
    """A store's points and customers, as the overview shows them (or one account's share)."""

    earned: int = 0
    adjusted: int = 0
    redeemed: int = 0
    unredeemed: int = 0
    frozen: int = 0
    members: int = 0
    candidates: int = 0
    excluded: int = 0
    expired: int = 0
    pending: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(*(mine + theirs for mine, theirs in zip(astuple(self), astuple(other), strict=True)))

    def __sub__(self, other: Totals) -> Totals:
        return Totals(*(mine - theirs for mine, theirs in zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True, slots=True)
class ProgramUpdate:
    """A store's program settings as the back office sets them."""

    store_id: str
    settings: Program
    updated_at: datetime


class RewardKind(StrEnum):
    AMOUNT_OFF = "amount_off"
    PERCENT_OFF = "percent_off"
    FREE_SHIPPING = "free_shipping"


class CouponStatus(StrEnum):
    ISSUED = "issued"
    USED = "used"
    VOID = "void"


@dataclass(frozen=True, slots=True)
class Reward:
    """An entry of a store's rewards catalog: what `points` buy."""

    store_id: str
    reward_id: str
    name: str
    points: int
    kind: RewardKind
    value: Decimal | None
    currency: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CatalogSummary:
    """What the storefront needs of a store's catalog, kept beside it at every change: the
    cheapest active reward's cost (None: no active reward) and how many rewards there are.
    `version` grows at every catalog change, so two concurrent changes cannot both win."""

    cheapest_active_points: int | None = None
    rewards: int = 0
    version: int = 0


@dataclass(frozen=True, slots=True)
class CatalogUpdate:
    """One reward written (created when `created`) and the summary it leaves, as of `before`."""

    reward: Reward
    created: bool
    before: CatalogSummary
    after: CatalogSummary


@dataclass(frozen=True, slots=True)
class Coupon:
    """What a redeemed reward gives the customer: a code the checkout applies once."""

    store_id: str
    code: str
    reward_id: str
    kind: RewardKind
    value: Decimal | None
    currency: str | None
    points: int
    status: CouponStatus
    customer_id: str
    issued_at: datetime
    used_at: datetime | None = None
    order_id: str | None = None
    voided_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CouponUpdate:
    """A coupon written: new (`before` None, its code claimed) or moved on from `before`'s status."""

    before: Coupon | None
    after: Coupon


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """A store's HTTPS receiver of outbound events; `secret` signs what it is sent."""

    store_id: str
    endpoint_id: str
    url: str
    events: tuple[str, ...]  # event kinds, or ("*",): every kind
    secret: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One attempt to deliver one event to one endpoint, as the deliveries log keeps it (no body)."""

    event_id: str
    type: str
    attempt: int
    status_code: int | None  # None: no answer (timeout, refused address, connection failure)
    error: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class WebhookUpdate:
    """A store's endpoints as they will be, written over the `version` read (0: none yet)."""

    store_id: str
    version: int
    endpoints: tuple[WebhookEndpoint, ...]


@dataclass(frozen=True, slots=True)
class ActionCount:
    """`owner` earned an action once more: counted ever (`day` None) or on a UTC day, below `limit`."""

    owner: Account
    action_id: str
    day: str | None
    limit: int | None


@dataclass(frozen=True, slots=True)
class Changes:
    """What one event writes, all or nothing: accounts (with the revision each was read at),
    new ledger entries, and email claims to take or to give up."""

    accounts: tuple[tuple[Account | None, Account], ...] = ()
    entries: tuple[LedgerEntry, ...] = ()
    claims: tuple[EmailClaim, ...] = ()
    released_claims: tuple[EmailClaim, ...] = ()
    reversals: tuple[Reversal, ...] = ()
    closed: tuple[PendingClosed, ...] = ()
    program: ProgramUpdate | None = None
    idempotency: IdempotencyRecord | None = None
    catalog: CatalogUpdate | None = None
    coupon: CouponUpdate | None = None
    # A redemption's reward, as read: still active at that cost when the transaction commits.
    reward_check: Reward | None = None
    webhooks: WebhookUpdate | None = None
    action_counts: tuple[ActionCount, ...] = ()  # an action's limits (domain/rules/actions.py)


@dataclass(frozen=True, slots=True)
class Planned(Generic[Result]):
    """What a decision will write (None: nothing) and what it will answer."""

    changes: Changes | None
    result: Result


@dataclass(frozen=True, slots=True)
class Resolved:
    """The account an id stands for: itself, or the member a merged guest file points at."""

    account: Account
    merged_from: str | None  # the id the event named, when it was a merged file


@dataclass(frozen=True, slots=True)
class DayActivity:
    """A store's points on one UTC day, as the dashboard's chart shows them (or one entry's share).

    `redeemed`, `expired` and `reversed` count points taken away, as positive numbers; `adjusted`
    is signed (a merchant gives and takes)."""

    earned: int = 0
    adjusted: int = 0
    redeemed: int = 0
    expired: int = 0
    reversed: int = 0

    def __add__(self, other: DayActivity) -> DayActivity:
        return DayActivity(
            *(mine + theirs for mine, theirs in zip(astuple(self), astuple(other), strict=True))
        )
