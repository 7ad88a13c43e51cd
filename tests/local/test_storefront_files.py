"""The local server serves the storefront panel under /panel/ with `Access-Control-Allow-Origin: *`,
and the demo store on its own origin (localhost against the API's 127.0.0.1), whose token URL
mints the demo member's customer token, as a store's server would."""

from __future__ import annotations

import jwt
import pytest

from loyalty_dev.local.server import LocalServer
from loyalty_dev.local.storefront import DEMO_MEMBER, DEMO_STORE
from tests.local.client import call
from tests.support import TOKEN_SECRET


def test_the_panel_s_modules_are_served_to_any_origin(local_server: LocalServer) -> None:
    script = call(
        "GET", f"{local_server.url}/panel/loyalty-panel.js", headers={"Origin": "https://shop.example"}
    )
    strings = call("GET", f"{local_server.url}/panel/i18n/fr.js")

    assert script.status == 200
    assert script.headers["Content-Type"].split(";")[0] == "text/javascript"
    assert script.headers["Access-Control-Allow-Origin"] == "*"
    assert b"customElements.define" in script.body
    assert (strings.status, strings.headers["Access-Control-Allow-Origin"]) == (200, "*")


@pytest.mark.parametrize(
    "path", ["/panel/../template.yaml", "/panel/%2e%2e/pyproject.toml", "/panel/nope.js"]
)
def test_nothing_outside_the_panel_is_served(local_server: LocalServer, path: str) -> None:
    answer = call("GET", f"{local_server.url}{path}")
    assert answer.status == 404
    assert b"AWSTemplateFormatVersion" not in answer.body


def test_the_files_are_read_only(local_server: LocalServer) -> None:
    assert call("POST", f"{local_server.url}/panel/loyalty-panel.js", body=b"x").status == 405


def test_the_demo_store_lives_on_another_origin_than_the_api(local_server: LocalServer) -> None:
    port = local_server.port
    page = call("GET", f"http://localhost:{port}/demo-store/")

    assert page.status == 200
    assert f'api="http://127.0.0.1:{port}"'.encode() in page.body
    assert f'src="http://127.0.0.1:{port}/panel/loyalty-panel.js"'.encode() in page.body
    assert b'token-url="/demo-store/token"' in page.body
    assert b"token-url" not in call("GET", f"http://localhost:{port}/demo-store/?visitor").body
    assert b"<loyalty-panel inline" in call("GET", f"http://localhost:{port}/demo-store/rewards").body


def test_the_demo_token_url_mints_the_demo_member_s_token(local_server: LocalServer) -> None:
    answer = call("GET", f"http://localhost:{local_server.port}/demo-store/token")

    claims = jwt.decode(answer.json()["token"], TOKEN_SECRET, algorithms=["HS256"])
    assert claims["sub"] == f"{DEMO_STORE}:{DEMO_MEMBER}"
    assert claims["exp"] - claims["iat"] <= 24 * 3600
    assert answer.headers["Cache-Control"] == "no-store"
