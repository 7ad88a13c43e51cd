"""The rewards catalog in the back office: list, create, read, replace and retire rewards."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from loyalty.domain.entities import Reward, RewardKind
from loyalty.domain.operations import rewards
from loyalty.domain.rules.rewards import RewardTerms
from loyalty.http.admin.requests import body, ids, json_response, write_once
from loyalty.http.models import RewardId, RewardReplacement, RewardRequest
from loyalty.http.models import RewardTerms as RewardTermsBody
from loyalty.http.resolver import validate_path
from loyalty.http.views import reward_view
from loyalty.runtime import runtime

router = Router()  # type: ignore[no-untyped-call]
REWARDS = "/admin/stores/<store_id>/rewards"


def terms(request: RewardTermsBody) -> RewardTerms:
    value = getattr(request, "value", None)
    return RewardTerms(
        name=request.name,
        points=request.points,
        kind=RewardKind(request.kind),
        value=Decimal(value) if value is not None else None,
        currency=getattr(request, "currency", None),
    )


def reward_id_of(store_id: str, reward_id: str) -> None:
    ids(store_id=store_id)
    validate_path(RewardId, reward_id=reward_id)


def rendered(status: int) -> Any:
    def render(reward: Reward) -> tuple[int, dict[str, Any]]:
        return status, reward_view(reward)

    return render


def catalog_changed(store_id: str, response: Response[str]) -> Response[str]:
    runtime().storefronts.forget(store_id)  # this container answers its own change at once
    return response


@router.get(REWARDS)
def list_rewards(store_id: str) -> Response[str]:
    ids(store_id=store_id)
    found = rewards.list_rewards(runtime().repository, store_id)
    return json_response(200, {"items": [reward_view(reward) for reward in found]})


@router.post(REWARDS)
def create_reward(store_id: str) -> Response[str]:
    ids(store_id=store_id)
    request = body(router, RewardRequest).root
    repository = runtime().repository
    return catalog_changed(
        store_id,
        write_once(
            router,
            lambda once, render: rewards.create_reward(
                repository, store_id, request.id, terms(request), once, render, active=request.active
            ),
            rendered(201),
        ),
    )


@router.get(f"{REWARDS}/<reward_id>")
def get_reward(store_id: str, reward_id: str) -> Response[str]:
    reward_id_of(store_id, reward_id)
    return json_response(200, reward_view(rewards.get_reward(runtime().repository, store_id, reward_id)))


@router.put(f"{REWARDS}/<reward_id>")
def replace_reward(store_id: str, reward_id: str) -> Response[str]:
    reward_id_of(store_id, reward_id)
    request = body(router, RewardReplacement).root
    repository = runtime().repository
    return catalog_changed(
        store_id,
        write_once(
            router,
            lambda once, render: rewards.replace_reward(
                repository, store_id, reward_id, terms(request), request.active, once, render
            ),
            rendered(200),
        ),
    )


@router.delete(f"{REWARDS}/<reward_id>")
def retire_reward(store_id: str, reward_id: str) -> Response[str]:
    reward_id_of(store_id, reward_id)
    repository = runtime().repository
    return catalog_changed(
        store_id,
        write_once(
            router,
            lambda once, render: rewards.retire_reward(repository, store_id, reward_id, once, render),
            rendered(200),
        ),
    )
