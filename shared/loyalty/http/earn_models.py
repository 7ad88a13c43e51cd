"""The program's ways to earn and campaigns as the back office sends them (ProgramRequest's parts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

# No colon: a way's id is part of ledger entry ids (`action:<id>:<reference>`).
EarnId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,32}$")]
# Shown to shoppers: not blank, no control characters.
EarnName = Annotated[
    str,
    StringConstraints(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"),
]
# A decimal from 1 to 10 with at most two decimals.
CampaignMultiplier = Annotated[str, StringConstraints(pattern=r"^([1-9](\.[0-9]{1,2})?|10(\.0{1,2})?)$")]
Limit = Annotated[int, Field(ge=1, le=1_000_000)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", defer_build=True)


class WayToEarnRequest(_Model):
    """A way to earn a fixed bonus: `signup` (once per customer, ever), `birthday` (once a year) or
    `action` (a custom action the store reports; it has a `name` and optional limits)."""

    id: EarnId
    kind: Literal["signup", "birthday", "action"]
    points: Annotated[int, Field(ge=1, le=1_000_000)]
    name: EarnName | None = Field(default=None, description="Required for an action; shown by the panel.")
    per_customer: Limit | None = Field(
        default=None,
        description="Actions only: how many times a customer may earn it, ever (null: unlimited).",
    )
    per_day: Limit | None = Field(
        default=None,
        description="Actions only: how many times a customer may earn it per UTC day of the action "
        "(null: unlimited).",
    )

    @model_validator(mode="after")
    def _kind_fields(self) -> WayToEarnRequest:
        if self.kind == "action" and self.name is None:
            raise ValueError("an action needs a name")
        if self.kind != "action" and (self.per_customer is not None or self.per_day is not None):
            raise ValueError("only actions have per_customer and per_day limits")
        return self


class CampaignRequest(_Model):
    """Orders that occur from `starts_at` (included) to `ends_at` (excluded) earn × `multiplier`
    (the largest of overlapping campaigns, times the tier's)."""

    id: EarnId
    name: EarnName
    multiplier: CampaignMultiplier
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _utc(cls, moment: datetime) -> datetime:
        """In UTC, to the millisecond (as every time the service answers)."""
        return moment.astimezone(UTC).replace(microsecond=moment.microsecond // 1000 * 1000)

    @model_validator(mode="after")
    def _ends_after_start(self) -> CampaignRequest:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


def unique_ids(items: tuple[WayToEarnRequest, ...] | tuple[CampaignRequest, ...], what: str) -> None:
    if len({item.id for item in items}) != len(items):
        raise ValueError(f"{what} ids must be unique")


def one_of_each_kind(ways: tuple[WayToEarnRequest, ...]) -> None:
    for kind in ("signup", "birthday"):
        if sum(1 for way in ways if way.kind == kind) > 1:
            raise ValueError(f"at most one way to earn of kind {kind}")
