"""The wire models of the ways to earn that arrive on routes of their own: a custom action's
webhook and the back office's birthday (strict JSON types, as every model of http/models.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from loyalty.http.models import Birthday, Identifier, WebhookEvent, _Model

# A reference names one doing of an action (a review's id); no colon, so that the entry id
# `action:<action>:<customer>:<reference>` reads back one way whatever colons the customer id holds.
Reference = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._@-]{1,128}$")]
# An action's id: any id without a colon is looked up in the program (one it lacks is a 404).
ActionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._@-]{1,128}$")]


class Action(_Model):
    id: ActionId
    customer_id: Identifier
    reference: Reference


class ActionCompleted(WebhookEvent):
    action: Action


class BirthdayRequest(_Model):
    birthday: Birthday
