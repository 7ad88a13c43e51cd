"""The tier parts of the API's answers, as models for openapi.yaml (responses.py uses them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

TIMESTAMP: JsonDict = {"format": "date-time"}


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class TierLevel(_Answer):
    """A VIP tier of the program."""

    id: str = Field(pattern=r"^[a-z0-9-]{1,32}$")
    name: str
    threshold: int = Field(ge=1, description="The qualifying points that reach the tier.")
    earn_multiplier: str = Field(
        pattern=r"^([1-9](\.[0-9]{1,2})?|10(\.0{1,2})?)$",
        description="Orders earn floor(amount × rate × multiplier) while the tier is held.",
    )
    entry_bonus: int = Field(
        ge=0, le=1_000_000, description="Points given once, the first time the tier is reached."
    )


class HeldTier(_Answer):
    id: str
    name: str
    since: str | None = Field(
        json_schema_extra=TIMESTAMP,
        description="When the customer reached it (null: reached through settings changed since the "
        "customer's last points change; recorded with the next one).",
    )
    kept_until: str | None = Field(
        json_schema_extra=TIMESTAMP,
        description="Held at least until then, whatever happens to the qualifying points; null for a "
        "lifetime window, or a tier not recorded yet.",
    )


class NextTier(_Answer):
    id: str
    name: str
    threshold: int
    points_needed: int = Field(ge=0, description="Qualifying points still needed to reach it.")


class TierFields(_Answer):
    """What every account answer says about tiers."""

    tier: HeldTier | None = Field(description="The tier held now under the program's current tiers.")
    next_tier: NextTier | None = Field(description="The next tier up; null at the top or without tiers.")
    qualifying_points: int = Field(
        description="Points of earn, release, reverse and adjust entries in the program's window "
        "(whole UTC months; every entry for a lifetime window)."
    )
