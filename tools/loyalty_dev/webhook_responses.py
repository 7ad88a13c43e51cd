"""The webhook endpoints' answers (what http/views.py builds for them), beside responses.py."""

from __future__ import annotations

from pydantic import Field

from loyalty_dev.answer import Answer, Timestamp


class WebhookEndpoint(Answer):
    """A store's receiver of outbound events (its secret is shown only when it is created)."""

    id: str = Field(pattern=r"^we_[0-9a-f]{16}$")
    url: str
    events: list[str] = Field(description='The event kinds it receives; `["*"]`: every kind.')
    created_at: Timestamp


class WebhookEndpointCreated(WebhookEndpoint):
    secret: str = Field(
        description="The signing secret of `X-Loyalty-Signature` (HMAC-SHA256, as the webhooks the "
        "service receives): shown in this answer only; keep it."
    )


class WebhookEndpointList(Answer):
    items: list[WebhookEndpoint] = Field(max_length=5)


class WebhookDelivery(Answer):
    """One attempt to deliver one event (the receiver's answer body is never kept)."""

    event_id: str
    type: str
    attempt: int = Field(ge=1, description="1 for the first attempt; retries count on.")
    status_code: int | None = Field(description="The receiver's HTTP status; null when it did not answer.")
    error: str | None = Field(
        description="Why there was no answer, or why the address was refused (timeout, refused: …)."
    )
    at: Timestamp


class WebhookDeliveryList(Answer):
    items: list[WebhookDelivery] = Field(description="The most recent attempts (at most 50), newest first.")
