"""The benchmark's call counting still runs (no timing here), so `make bench` cannot rot silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmarks import calls, recorder, sizes, write_units


def test_the_bench_counts_the_calls_of_an_order_for_a_known_customer() -> None:
    (measured,) = calls.count_calls(["order, known customer"])

    assert measured.status == 200
    assert measured.counts["TransactWriteItems"] == 1
    assert recorder.writes(measured.counts) == 1
    assert recorder.reads(measured.counts) <= 1
    assert set(measured.counts) <= {"GetItem", "TransactWriteItems"}
    written = write_units.transaction_writes(measured)
    assert sorted(item.kind for item in written) == ["account", "ledger entry"]
    assert all(item.units == 2 for item in written)  # both items under 1 KB, written in a transaction
    assert write_units.read_cost(measured) <= 1


def test_item_sizes_follow_dynamodbs_rules() -> None:
    assert sizes.item_size({"pk": {"S": "abc"}}) == 5
    assert sizes.item_size({"n": {"N": "12345"}}) == 1 + 4  # 5 significant digits: 3 bytes + 1
    assert sizes.item_size({"n": {"N": "100"}}) == 1 + 2  # trailing zeros trimmed
    assert sizes.item_size({"l": {"L": [{"S": "ab"}, {"BOOL": True}]}}) == 1 + 3 + (1 + 2) + (1 + 1)
    assert sizes.write_units(1024) == 1
    assert sizes.write_units(1025) == 2


def test_the_rejection_figure_runs_and_a_forgery_makes_no_dynamodb_call() -> None:
    from tests.benchmarks.rejections import time_rejections

    timing = time_rejections(rounds=1, per_round=3)

    assert len(timing.accepted_ms) == len(timing.rejected_ms) == 3
    assert timing.rejected_calls == 0


def test_the_wix_verification_figure_runs_and_a_cold_start_imports_no_cryptography(tmp_path: Path) -> None:
    from tests.benchmarks import wix_verification
    from tests.benchmarks.layer import child, child_environment, handler_modules, modules_outside_layer

    blocked = modules_outside_layer([wix_verification.WIX_LAYER_REQUIREMENTS])
    module = handler_modules()["OrderCreatedFunction"]
    token = str(wix_verification.token_file(tmp_path))
    environment = child_environment()

    cold = wix_verification.run_json(child("wix_child", "--cold", module, blocked=blocked), environment)
    verified = wix_verification.run_json(
        child("wix_child", "--first-verification", module, token, blocked=blocked), environment
    )

    assert cold["cryptography"] is False
    assert verified["wall"] > verified["warm"] > 0


def test_the_cpu_figure_runs_on_replayed_answers() -> None:
    from tests.benchmarks.cpu import time_cpu

    timing = time_cpu(samples=5, profile_top=3)

    assert len(timing.handler_ms) == len(timing.bare_default_ms) == len(timing.bare_configured_ms) == 5
    assert all(ms > 0 for ms in timing.handler_ms)
    assert "function calls" in timing.profile


def test_the_expiry_figure_expires_one_account_with_one_transaction_and_no_scan() -> None:
    from tests.benchmarks.expiry import measure_expiry
    from tests.benchmarks.moto import moto_harness

    with moto_harness() as harness:
        measured = measure_expiry(harness)

    counts = measured.one.counts
    assert (counts["TransactWriteItems"], counts["Scan"], counts["GetItem"]) == (1, 0, 0)
    assert counts["Query"] == len(measured.query_pages) == 9
    assert sorted(item.kind for item in write_units.transaction_writes(measured.one)) == [
        "account",
        "ledger entry",
    ]


def test_a_pending_order_costs_9_wru_and_a_release_is_one_transaction() -> None:
    from tests.benchmarks.moto import moto_harness
    from tests.benchmarks.release import measure_release, pending_scenarios

    with moto_harness() as harness:
        (scenario,) = pending_scenarios()
        order = calls.measure(harness, scenario)
    with moto_harness() as harness:
        measured = measure_release(harness)

    assert order.counts == calls.Counter({"GetItem": 1, "TransactWriteItems": 1})
    written = write_units.transaction_writes(order)
    assert sum(item.units + item.index_units for item in written) <= 9  # as an order without a window
    counts = measured.one.counts
    assert (counts["TransactWriteItems"], counts["Scan"], counts["GetItem"]) == (1, 0, 2)
    assert sorted(item.kind for item in write_units.transaction_writes(measured.one)) == [
        "account",
        "ledger entry",
        "ledger entry",
    ]


def test_the_cold_start_child_imports_the_handler_and_serves_a_first_event_over_http(tmp_path: Path) -> None:
    """The cold-start figure is the import of the handler module and the first event end to end
    (the first client, its calls over HTTP), against boto3 making the same calls: both children
    must make the recorded calls against the replay endpoint, with nothing measured loaded before
    their clocks start (run_cold_child refuses a child that did not serve its event so)."""
    from tests.benchmarks.cold_start import _environment, handler_targets, run_cold_child
    from tests.benchmarks.first_events import ReplayServer, record_first_events, write_inputs
    from tests.benchmarks.layer import child, modules_outside_layer

    targets = handler_targets()
    firsts = record_first_events(["OrderCreatedFunction", "BalanceFunction"])
    blocked = modules_outside_layer()
    assert [call.operation for call in firsts["OrderCreatedFunction"].calls] == [
        "BatchGetItem",  # the account and the program: a new container's program cache is empty
        "TransactWriteItems",
    ]
    # the account with the program and the catalog summary: a new container's storefront cache is empty
    assert [call.operation for call in firsts["BalanceFunction"].calls] == ["BatchGetItem"]
    with ReplayServer() as server:
        environment = _environment(server, firsts)
        for name, first in firsts.items():
            event, calls = write_inputs(first, tmp_path)
            expected = [call.operation for call in first.calls]
            for command in (
                child("cold_child", targets[name], str(event), blocked=blocked),
                child("cold_child", "--boto3", str(calls), blocked=blocked),
            ):
                server.load(first)
                wall, cpu, rss = run_cold_child(command, environment)
                assert server.served == expected, command
                assert min(wall, cpu, rss) > 0


@pytest.mark.dynamodb_local
def test_the_import_figure_runs_on_dynamodb_local_and_its_items_stay_under_a_kilobyte() -> None:
    import io

    from tests.benchmarks.imports import measure_import, report_imports
    from tests.benchmarks.report import Report

    run = measure_import(120)
    assert run.rows == 120
    assert set(run.item_bytes) >= {"ACCOUNT", "ENTRY", "EMAIL", "CHUNK", "IMPORT"}
    out = io.StringIO()
    report_imports(Report(out), run)
    assert "a million rows on AWS" in out.getvalue()


def test_the_events_figure_runs_and_events_add_nothing_to_the_webhook_path() -> None:
    from tests.benchmarks.events import measure_events
    from tests.benchmarks.moto import moto_harness

    with moto_harness() as harness:
        measured = measure_events(harness, orders=12)

    assert measured.order_event_calls == 0
    assert set(measured.order_counts) <= {"GetItem", "TransactWriteItems"}
    assert measured.events == 12
    assert measured.put_events == [10, 2]


def test_an_order_with_tiers_on_costs_at_most_one_wru_more_and_a_tier_review_is_one_transaction() -> None:
    from tests.benchmarks.moto import moto_harness
    from tests.benchmarks.tiers import WRU_WITHOUT_TIERS, measure_review, tier_scenarios, wru

    with moto_harness() as harness:
        orders = [calls.measure(harness, scenario) for scenario in tier_scenarios()]
    with moto_harness() as harness:
        review = measure_review(harness)

    for order in orders:
        assert order.counts == calls.Counter({"GetItem": 1, "TransactWriteItems": 1}), order.scenario.name
        assert wru(order) <= WRU_WITHOUT_TIERS + 1, order.scenario.name
    for run in (review.kept, review.fallen):
        assert (run.counts["TransactWriteItems"], run.counts["Scan"], run.counts["GetItem"]) == (1, 0, 1)
        assert [item.kind for item in write_units.transaction_writes(run)] == ["account"]
    assert [answer["accounts_changed"] for answer in review.answers] == [1, 1]


def test_campaigns_and_the_sign_up_bonus_keep_an_order_and_a_registration_one_read_and_one_write() -> None:
    from tests.benchmarks.earn import earn_scenarios
    from tests.benchmarks.moto import moto_harness

    with moto_harness() as harness:
        measured = [calls.measure(harness, scenario) for scenario in earn_scenarios()]
    for result in measured:
        assert result.counts == calls.Counter({"GetItem": 1, "TransactWriteItems": 1}), result.scenario.name
        assert all(target.check(result.counts) for target in result.scenario.targets), result.scenario.name
    written = [{key[0].rsplit("#", 1)[-1] for key in set(m.after) - set(m.before)} for m in measured]
    assert "signup:n" in written[1], written  # the bonus's entry, in the order's transaction
    assert "signup:r" in written[2], written
