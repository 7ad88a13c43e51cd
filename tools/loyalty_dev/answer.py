"""What every answer model shares: the base (frozen, built on first use) and the annotated types
the answers and openapi.yaml's named schemas use."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Points = Annotated[int, Field(description="A number of points.")]
Timestamp = Annotated[
    str,
    Field(description="RFC 3339 in UTC, millisecond precision.", json_schema_extra={"format": "date-time"}),
]
CustomerStatus = Literal["member", "candidate", "excluded"]
Outcome = Annotated[
    Literal["processed", "duplicate"],
    Field(description="`duplicate`: the business key was already handled, nothing changed."),
]
NextCursor = Annotated[
    str | None, Field(description="Pass it as `cursor` for the next page; null on the last page.")
]


class Answer(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)
