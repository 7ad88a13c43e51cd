"""The dashboard in a real browser: Debian's Chromium driven by Playwright's Python package (no
browser download: Playwright is pointed at /usr/bin/chromium), against the local server on
DynamoDB Local, as `make dev` serves it: the session's one local server (tests/plugins/local_server.py,
shared with tests/local) and one browser.

`make test` installs the browser (apt-get) when it is missing. Without it the suite fails in CI
(`CI` set) and is skipped, saying why, elsewhere."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LOYALTY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the browser suite cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"no browser: {reason}")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"{CHROMIUM} is missing (`apt-get install -y chromium`; `make test` does it as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing (`make install`)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as error:  # the browser would not start: say why, as above
            _unavailable(f"{CHROMIUM} did not start: {error}")
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where every page's screenshot goes (pytest's temporary folder; the path is printed at the end)."""
    return tmp_path_factory.mktemp("dashboard-screenshots")


def docs_screenshots() -> bool:
    """`make screenshots` sets LOYALTY_SCREENSHOTS=docs: the overview and the card go to docs/images/."""
    return os.environ.get("LOYALTY_SCREENSHOTS") == "docs"
