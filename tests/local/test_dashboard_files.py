"""The local server serves the dashboard's files under /dashboard/ and the chart library from
node_modules under /dashboard/vendor/, with the page's security headers; nothing else of the disk."""

from __future__ import annotations

import pytest

from loyalty_dev.dashboard_deploy import dashboard_files, page_config
from loyalty_dev.local.dashboard import CONTENT_SECURITY_POLICY
from loyalty_dev.local.server import LocalServer
from tests.local.client import call


def test_the_page_its_modules_and_the_vendored_chart_library_are_served(local_server: LocalServer) -> None:
    page = call("GET", f"{local_server.url}/dashboard/")
    module = call("GET", f"{local_server.url}/dashboard/js/main.js")
    chart = call("GET", f"{local_server.url}/dashboard/vendor/chart.umd.min.js")

    assert page.status == 200
    assert b'<script type="module" src="js/main.js">' in page.body
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert (module.status, module.headers["Content-Type"].split(";")[0]) == (200, "text/javascript")
    assert chart.status == 200
    assert b"Chart" in chart.body[:2000]


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/../template.yaml",
        "/dashboard/%2e%2e/template.yaml",
        "/dashboard/vendor/../../package.json",
        "/dashboard/vendor/chart.js",  # only the files the page loads
        "/dashboard/no-such-file.js",
    ],
)
def test_nothing_outside_the_dashboard_is_served(local_server: LocalServer, path: str) -> None:
    answer = call("GET", f"{local_server.url}{path}")

    assert answer.status == 404
    assert b"AWSTemplateFormatVersion" not in answer.body
    assert b"devDependencies" not in answer.body


def test_the_files_are_read_only_and_the_bare_prefix_redirects(local_server: LocalServer) -> None:
    assert call("POST", f"{local_server.url}/dashboard/index.html", body=b"x").status == 405
    bare = call("GET", f"{local_server.url}/dashboard")
    assert bare.status in {200, 301}  # urllib follows the redirect to /dashboard/


def test_make_deploy_publishes_the_same_files_and_a_config_of_the_stack_s_outputs() -> None:
    keys = dict(dashboard_files())
    config = page_config(
        {
            "MerchantSignInDomain": "https://shop.auth.eu-west-1.amazoncognito.com",
            "MerchantDashboardClientId": "abc123",
            "DashboardUrl": "https://d111.cloudfront.net/dashboard/",
        }
    )

    assert {"dashboard/index.html", "dashboard/js/main.js", "dashboard/vendor/chart.umd.min.js"} <= set(keys)
    assert not any("node_modules" in key or key.endswith("config.json") for key in keys)
    assert config == {
        "apiUrl": "",
        "cognitoDomain": "https://shop.auth.eu-west-1.amazoncognito.com",
        "clientId": "abc123",
        "redirectUri": "https://d111.cloudfront.net/dashboard/",
    }
