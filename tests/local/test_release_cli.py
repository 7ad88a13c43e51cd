"""ReleaseFunction from the command line: `loyalty invoke` on its sample event and `loyalty
run-schedule` on demand, as an operator runs the hourly release by hand."""

from __future__ import annotations

import json

import pytest

from loyalty_dev import cli
from loyalty_dev.sample_events import EVENTS_DIR
from tests.local.test_cli import moto_endpoint, no_secrets_env  # the CLI suite's fixtures, reused

__all__ = ["moto_endpoint", "no_secrets_env"]


@pytest.mark.usefixtures("moto_endpoint", "no_secrets_env")
def test_the_release_function_runs_on_its_sample_event_and_on_demand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["invoke", "ReleaseFunction", str(EVENTS_DIR / "release.json")]) == 0
    sample = json.loads(capsys.readouterr().out)
    assert cli.main(["run-schedule", "ReleaseFunction", "--time", "2027-01-01T10:00:00Z"]) == 0
    on_demand = json.loads(capsys.readouterr().out)

    assert (sample["now"], sample["complete"]) == ("2027-01-04T10:00:00.000Z", True)
    assert (on_demand["now"], on_demand["entries_released"]) == ("2027-01-01T10:00:00.000Z", 0)
