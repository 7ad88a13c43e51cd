"""AdminFunction: the back office's routes (program, customers, points, overview), behind AWS_IAM."""

from __future__ import annotations

from loyalty.backoffice import customers, overview, points, program
from loyalty.web import create_app, lambda_entry

app = create_app()
for resource in (program, overview, customers, points):
    app.include_router(resource.router)

lambda_handler = lambda_entry(app)
