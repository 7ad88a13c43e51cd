"""The dashboard's import and export page in Chromium, on the local server: a CSV imported with its
progress and its skipped rows, then an export downloaded through its link."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest

from loyalty_dev.local.server import LocalServer
from tests.browser.test_dashboard import open_dashboard, page
from tests.local.client import call

pytestmark = pytest.mark.browser
__all__ = ["page"]  # the fixture, used by name

STORE = "import-shop"
FILE = (
    b"customer_id,email,first_name,last_name,status,points\n"
    b"mia,mia@example.com,Mia,Stone,member,250\n"
    b"noor,,Noor,,candidate,-5\n"
    b"olu,,Olu,,,40\n"
)


@pytest.fixture(scope="module")
def url(local_server: LocalServer, admin_token: Callable[..., str]) -> str:
    return f"{local_server.url}/dashboard/?store={STORE}#access_token={admin_token(local_server, STORE)}"


def test_a_csv_is_imported_with_its_progress_and_skipped_rows_then_exported(page: Any, url: str) -> None:
    open_dashboard(page, url)
    page.get_by_role("button", name="Import & export").click()
    page.wait_for_selector("main[data-ready='transfers']")
    page.get_by_label("CSV file").set_input_files(
        {"name": "customers.csv", "mimeType": "text/csv", "buffer": FILE}
    )
    page.get_by_label("Points").select_option("set")
    page.get_by_role("button", name="Import", exact=True).click()

    done = page.locator(".import-status[data-status='done']")
    done.wait_for(timeout=30_000)
    assert "3 of 3 rows — 2 imported, 1 skipped" in done.inner_text()
    rows = page.locator("table.import-errors tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().split("\t") == ["2", "points must not be negative"]

    page.get_by_role("button", name="Export customers").click()
    link = page.get_by_role("link", name="Download the CSV")
    link.wait_for(timeout=30_000)
    assert "2 customers exported" in page.locator(".export-progress").inner_text()
    exported = call("GET", str(link.get_attribute("href")))
    assert exported.status == 200
    by_id = {row["customer_id"]: row for row in csv.DictReader(io.StringIO(exported.body.decode()))}
    assert (by_id["mia"]["status"], by_id["mia"]["balance"]) == ("member", "250")
    assert (by_id["olu"]["status"], by_id["olu"]["balance"]) == ("candidate", "40")
