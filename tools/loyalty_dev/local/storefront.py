"""The storefront side of `make dev`: the panel's files under `/panel/` (public, with
`Access-Control-Allow-Origin: *`, as CloudFront serves them: a module script from another origin
needs it), and a demo storefront page under `/demo-store/`.

The demo page is served on `http://localhost:PORT` and calls the API on `http://127.0.0.1:PORT`:
another origin, as a store's site and the API are, so CORS is exercised as in production. Its
`/demo-store/token` is the store's server minting the demo member's customer token
(`demo_store.py` seeds the store, listing that origin).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect, send_from_directory
from werkzeug.wrappers import Request, Response

from loyalty.http.tokens import mint_customer_token

PANEL_PREFIX = "/panel"
DEMO_PREFIX = "/demo-store"
DEMO_STORE = "demo-store"
DEMO_MEMBER = "demo-member"
DEMO_TOKEN_TTL_SECONDS = 3600
PAGES = {"": "index.html", "rewards": "rewards.html"}
PANEL_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def demo_origin(port: int) -> str:
    """The demo store's origin: the API's port on another host name."""
    return f"http://localhost:{port}"


def api_origin(port: int) -> str:
    return f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class StorefrontFiles:
    root: Path  # the project: its panel/ folder
    customer_token_secret: bytes

    def serves(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in (PANEL_PREFIX, DEMO_PREFIX))

    def response(self, request: Request, path: str) -> Response:
        if request.method not in {"GET", "HEAD"}:
            return _error(405, "method_not_allowed", "the storefront's files are read only")
        if path.startswith(PANEL_PREFIX):
            return self.panel_file(request, path)
        return self.demo(request, path)

    def panel_file(self, request: Request, path: str) -> Response:
        relative = path[len(PANEL_PREFIX) + 1 :]
        try:
            response = send_from_directory(
                self.root / "panel", relative or "loyalty-panel.js", request.environ
            )
        except NotFound:
            response = _error(404, "not_found", f"no panel file {relative}")
        response.headers.update(PANEL_HEADERS)
        return response

    def demo(self, request: Request, path: str) -> Response:
        port = request.environ.get("SERVER_PORT") or "80"
        host, _, _ = request.host.partition(":")
        if path == DEMO_PREFIX or host != "localhost":
            # The demo store lives on its own origin: never the API's.
            return redirect(f"{demo_origin(int(port))}{DEMO_PREFIX}/{path[len(DEMO_PREFIX) + 1 :]}", code=302)
        page = path[len(DEMO_PREFIX) + 1 :].strip("/")
        if page == "token":
            return self.token()
        if page not in PAGES:
            return _error(404, "not_found", f"no demo store page {page}")
        template = (Path(__file__).parent / "demo_pages" / PAGES[page]).read_text(encoding="utf-8")
        signed_out = "visitor" in request.args
        lang = "fr" if request.args.get("lang") == "fr" else "en"
        html = (
            template.replace("{api}", escape(api_origin(int(port))))
            .replace("{store}", DEMO_STORE)
            .replace("{lang}", lang)
            .replace("{token_url}", "" if signed_out else f'token-url="{DEMO_PREFIX}/token"')
        )
        return Response(html, content_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})

    def token(self) -> Response:
        """What the store's server does for its signed-in shopper: a short-lived customer token."""
        token = mint_customer_token(
            self.customer_token_secret, DEMO_STORE, DEMO_MEMBER, int(time.time()), DEMO_TOKEN_TTL_SECONDS
        )
        return Response(
            json.dumps({"token": token}),
            content_type="application/json",
            headers={"Cache-Control": "no-store"},
        )


def _error(status: int, code: str, message: str) -> Response:
    return Response(
        json.dumps({"error": code, "message": message}), status=status, content_type="application/json"
    )
