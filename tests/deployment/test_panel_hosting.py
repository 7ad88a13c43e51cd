"""The storefront panel's hosting: published with the dashboard (same bucket and distribution),
served under /panel/* with `Access-Control-Allow-Origin: *` by a response headers policy (a store's
page loads it as a module script from another origin), the PanelScriptUrl output, and the files
themselves: plain modules, no dependency, at most 40 KB in all. Checked on SAM's translation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from loyalty_dev.dashboard_deploy import PANEL_CACHE_CONTROL, panel_files
from loyalty_dev.template import PROJECT_ROOT
from tests.deployment.stack import Stack, translate

PANEL = PROJECT_ROOT / "panel"
MAX_PANEL_BYTES = 40 * 1024


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack(translate())


def behaviour(stack: Stack, pattern: str) -> dict[str, Any]:
    config = stack.resources["DashboardDistribution"]["Properties"]["DistributionConfig"]
    (found,) = [item for item in config["CacheBehaviors"] if item["PathPattern"] == pattern]
    return found  # type: ignore[no-any-return]


def test_the_panel_is_served_from_the_dashboard_s_files_over_https(stack: Stack) -> None:
    panel = behaviour(stack, "/panel/*")

    assert panel["TargetOriginId"] == "dashboard-files"
    assert panel["ViewerProtocolPolicy"] in {"redirect-to-https", "https-only"}
    assert set(panel["AllowedMethods"]) <= {"GET", "HEAD", "OPTIONS"}
    assert panel["ResponseHeadersPolicyId"] == {"Ref": "PanelResponseHeaders"}
    assert "FunctionAssociations" not in panel  # the dashboard's index rewrite is not the panel's


def test_any_origin_may_load_the_panel_and_nothing_more(stack: Stack) -> None:
    policy = stack.resources["PanelResponseHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    cors = policy["CorsConfig"]

    assert cors["AccessControlAllowOrigins"]["Items"] == ["*"]
    assert cors["AccessControlAllowCredentials"] is False
    assert set(cors["AccessControlAllowMethods"]["Items"]) == {"GET", "HEAD"}
    assert cors["OriginOverride"] is True
    assert policy["SecurityHeadersConfig"]["ContentTypeOptions"]["Override"] is True


def test_the_back_office_behaviour_gives_no_cross_origin_access(stack: Stack) -> None:
    assert "ResponseHeadersPolicyId" not in behaviour(stack, "/admin/*")


def test_the_stack_outputs_the_panel_script_s_url(stack: Stack) -> None:
    assert stack.template["Outputs"]["PanelScriptUrl"]["Value"] == {
        "Fn::Sub": "https://${DashboardDistribution.DomainName}/panel/loyalty-panel.js"
    }


def test_make_deploy_publishes_every_panel_file_under_panel(tmp_path: Path) -> None:
    (tmp_path / "panel" / "i18n").mkdir(parents=True)
    for name in ("loyalty-panel.js", "i18n/en.js"):
        (tmp_path / "panel" / name).write_text("export {};\n")

    assert [key for key, _ in panel_files(tmp_path)] == ["panel/i18n/en.js", "panel/loyalty-panel.js"]
    assert {key for key, _ in panel_files()} >= {
        "panel/loyalty-panel.js",
        "panel/i18n/en.js",
        "panel/i18n/fr.js",
    }
    assert PANEL_CACHE_CONTROL.startswith("public")


def test_the_panel_is_plain_modules_without_dependencies_and_at_most_40_kb() -> None:
    files = sorted(path for path in PANEL.rglob("*") if path.is_file())
    total = sum(path.stat().st_size for path in files)

    assert total <= MAX_PANEL_BYTES, f"the panel weighs {total} bytes"
    assert all(path.suffix == ".js" for path in files)
    for path in files:
        source = path.read_text(encoding="utf-8")
        for specifier in re.findall(r"""^import[^'"]*['"]([^'"]+)['"]""", source, re.MULTILINE):
            assert specifier.startswith("./") or specifier.startswith("../"), (path.name, specifier)
            assert (path.parent / specifier).resolve().is_relative_to(PANEL.resolve())
        # Text from the API is never parsed as markup: the panel has no way to do it.
        assert "innerHTML" not in source, path.name
        assert "insertAdjacentHTML" not in source, path.name


def test_every_string_of_one_language_has_its_counterpart_in_the_other() -> None:
    def keys(name: str) -> set[str]:
        source = (PANEL / "i18n" / f"{name}.js").read_text(encoding="utf-8")
        return set(re.findall(r"^\s+([a-z_A-Z]+):", source, re.MULTILINE))

    assert keys("en") == keys("fr")
    assert len(keys("en")) > 40
