"""The merchant's dashboard as `make dev` serves it: the files of `dashboard/` under `/dashboard/`,
and the chart library from `node_modules` under `/dashboard/vendor/` (npm pins its version in
package.json; nothing is copied or built). `make deploy` publishes the same files to the bucket
behind CloudFront; the Content-Security-Policy here is the one CloudFront sends (template.yaml)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect, send_from_directory
from werkzeug.wrappers import Request, Response

PREFIX = "/dashboard"
# What the page loads from node_modules: its name under /dashboard/vendor/ → the file npm installed.
VENDOR_FILES = {
    "chart.umd.min.js": Path("node_modules/chart.js/dist/chart.umd.min.js"),
}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def is_dashboard(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def dashboard_response(request: Request, path: str, root: Path) -> Response:
    """The file a /dashboard/… path names (GET and HEAD only); 404 for anything else."""
    if request.method not in {"GET", "HEAD"}:
        return _error(405, "method_not_allowed", "the dashboard's files are read only")
    if path == PREFIX:
        return redirect(PREFIX + "/", code=301)
    relative = path[len(PREFIX) + 1 :] or "index.html"
    try:
        if relative.startswith("vendor/"):
            vendored = VENDOR_FILES.get(relative[len("vendor/") :])
            if vendored is None:
                raise NotFound
            source = root / vendored
            if not source.is_file():
                return _error(
                    404, "not_found", f"{vendored} is missing: run `make install` (npm ci) to install it"
                )
            response = send_from_directory(source.parent, source.name, request.environ)
        else:
            response = send_from_directory(root / "dashboard", relative, request.environ)
    except NotFound:
        return _error(404, "not_found", f"no dashboard file {relative}")
    response.headers.update(HEADERS)
    return response


def _error(status: int, code: str, message: str) -> Response:
    return Response(
        json.dumps({"error": code, "message": message}), status=status, content_type="application/json"
    )
