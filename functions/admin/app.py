"""AdminFunction: the back office's routes (program, customers, points, overview, rewards,
coupons, privacy, imports and exports, webhook endpoints), behind the merchants' Cognito
authorizer; every route first checks that the caller's groups allow the path's store."""

from __future__ import annotations

import gc

# A cold start's imports create only objects that live as long as the container: no collection
# pass over them while they load (about 0.2x of a cold start here; see docs/benchmarks.md).
gc.disable()

from loyalty.http.admin import (
    activity,
    coupons,
    customers,
    imports,
    overview,
    points,
    privacy,
    program,
    rewards,
    webhooks,
)
from loyalty.http.admin.access import store_access
from loyalty.http.resolver import create_app, lambda_entry

app = create_app()
app.use(middlewares=[store_access])  # before any route reads or writes
for resource in (
    program,
    overview,
    activity,
    customers,
    points,
    rewards,
    coupons,
    privacy,
    imports,
    webhooks,
):
    app.include_router(resource.router)

lambda_handler = lambda_entry(app, imports.BODY_BOUNDS)
gc.freeze()  # keep the collector off what the imports made
gc.enable()
