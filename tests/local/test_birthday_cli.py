"""BirthdayFunction from the command line: `loyalty invoke` on its sample event (the shape `sam
local invoke` takes) and `loyalty run-schedule` on demand, as an operator runs a day's birthdays."""

from __future__ import annotations

import json

import pytest

from loyalty_dev import cli
from loyalty_dev.sample_events import EVENTS_DIR
from tests.local.test_cli import moto_endpoint, no_secrets_env  # the CLI suite's fixtures, reused

__all__ = ["moto_endpoint", "no_secrets_env"]


@pytest.mark.usefixtures("moto_endpoint", "no_secrets_env")
def test_the_birthday_function_runs_on_its_sample_event_and_on_demand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["invoke", "BirthdayFunction", str(EVENTS_DIR / "birthday.json")]) == 0
    sample = json.loads(capsys.readouterr().out)
    assert cli.main(["run-schedule", "BirthdayFunction", "--time", "2027-02-28T00:05:00Z"]) == 0
    on_demand = json.loads(capsys.readouterr().out)

    assert (sample["now"], sample["complete"]) == ("2027-03-14T00:05:00.000Z", True)
    assert (on_demand["now"], on_demand["accounts_paid"]) == ("2027-02-28T00:05:00.000Z", 0)
