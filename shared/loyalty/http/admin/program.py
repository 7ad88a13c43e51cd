"""GET and PUT /admin/stores/{store_id}/program: a store's earning rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from loyalty.domain.operations.program import read_program, set_program
from loyalty.domain.program import (
    Campaign,
    EarnKind,
    PanelSettings,
    Program,
    TierLevel,
    WayToEarn,
    normalize_tag,
)
from loyalty.domain.rules.tiers import tiers_problem
from loyalty.domain.rules.ways_to_earn import campaigns_problem, ways_problem
from loyalty.errors import SchemaViolation
from loyalty.http.admin.requests import body, ids, json_response, write_once
from loyalty.http.models import ProgramRequest
from loyalty.http.views import program_view
from loyalty.runtime import runtime

router = Router()  # type: ignore[no-untyped-call]


@router.get("/admin/stores/<store_id>/program")
def get_program(store_id: str) -> Response[str]:
    ids(store_id=store_id)
    services = runtime()
    return json_response(
        200, program_view(read_program(services.repository, store_id, services.settings.program))
    )


@router.put("/admin/stores/<store_id>/program")
def put_program(store_id: str) -> Response[str]:
    ids(store_id=store_id)
    request = body(router, ProgramRequest)
    program = Program(
        active=request.active,
        points_per_currency_unit=Decimal(request.points_per_currency_unit),
        guests_earn_points=request.guests_earn_points,
        excluded_customer_tags=frozenset(normalize_tag(tag) for tag in request.excluded_customer_tags),
        storefront_origins=tuple(dict.fromkeys(origin.lower() for origin in request.storefront_origins)),
        points_expiry_months=request.points_expiry_months,
        pending_days=request.pending_days,
        panel=PanelSettings(**request.panel.model_dump()),
        events_include_email=request.events_include_email,
        expiry_reminder_days=tuple(sorted(request.expiry_reminder_days, reverse=True)),
        tiers=tuple(
            TierLevel(
                id=tier.id,
                name=tier.name,
                threshold=tier.threshold,
                earn_multiplier=Decimal(tier.earn_multiplier),
                entry_bonus=tier.entry_bonus,
            )
            for tier in request.tiers
        ),
        tier_window_months=request.tier_window_months,
        ways_to_earn=tuple(
            WayToEarn(
                id=way.id,
                kind=EarnKind(way.kind),
                points=way.points,
                name=way.name,
                per_customer=way.per_customer,
                per_day=way.per_day,
            )
            for way in request.ways_to_earn
        ),
        campaigns=tuple(
            Campaign(
                id=campaign.id,
                name=campaign.name,
                multiplier=Decimal(campaign.multiplier),
                starts_at=campaign.starts_at,
                ends_at=campaign.ends_at,
            )
            for campaign in request.campaigns
        ),
    )
    # The domain's own checks, behind the model's.
    for field, problem in (
        ("tiers", tiers_problem(program.tiers, program.tier_window_months)),
        ("ways_to_earn", ways_problem(program.ways_to_earn)),
        ("campaigns", campaigns_problem(program.campaigns)),
    ):
        if problem is not None:
            raise SchemaViolation(problem, details=[{"loc": ["body", field], "type": field, "msg": problem}])

    def render(saved: Program) -> tuple[int, dict[str, Any]]:
        return 200, program_view(saved)

    services = runtime()
    answer = write_once(
        router, lambda once, reply: set_program(services.repository, store_id, program, once, reply), render
    )
    if answer.status_code == 200:  # saved: this container's answers follow it at once
        services.storefronts.forget(store_id)
        services.programs.remember(store_id, program)
    return answer
