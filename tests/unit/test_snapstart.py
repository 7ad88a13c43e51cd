"""SnapStart's restore hooks: environments restored from one snapshot share nothing that must be
their own — each draws its own random jitter, reads its secrets afresh (with a fresh expiry clock),
and builds its own DynamoDB client and program cache. The hooks run here as the runtime runs them
(`loyalty.snapstart.run_*_hooks`), after the handlers' modules registered them by being imported."""

from __future__ import annotations

import importlib
import random
from collections.abc import Iterator

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

from loyalty import snapstart
from loyalty.config import SecretSource
from loyalty.runtime import load_the_sdk_before_snapshot, refresh_after_restore, runtime
from loyalty.secrets import resolve_secret
from loyalty_dev.template import load_template
from tests.harness.in_process import module_name

HANDLER_MODULES = sorted(module_name(function) for function in load_template().functions().values())


@pytest.fixture
def ssm(service_env: dict[str, str]) -> Iterator[object]:
    parameters.clear_caches()
    with mock_aws():
        yield boto3.client("ssm", region_name="us-east-1")
    parameters.clear_caches()


def test_every_handler_module_registers_the_hooks_by_being_imported() -> None:
    assert len(HANDLER_MODULES) >= 7
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    assert refresh_after_restore in snapstart._after_restore
    assert load_the_sdk_before_snapshot in snapstart._before_snapshot


def test_environments_restored_from_one_snapshot_draw_different_jitter() -> None:
    random.seed(18)  # the generator's state as the snapshot froze it
    frozen = random.getstate()
    draws = []
    for _ in range(2):  # two environments restored from it
        random.setstate(frozen)
        snapstart.run_after_restore_hooks()
        draws.append([random.random() for _ in range(4)])
    assert draws[0] != draws[1]

    random.setstate(frozen)  # and without the hook they would have drawn the very same numbers
    first = [random.random() for _ in range(4)]
    random.setstate(frozen)
    assert first == [random.random() for _ in range(4)]


def test_a_restored_environment_reads_its_secret_again(ssm: object) -> None:
    name = "/loyalty/webhook-secret"
    source = SecretSource(name="LOYALTY_WEBHOOK_SECRET", parameter_name=name)
    ssm.put_parameter(Name=name, Value="a" * 32, Type="SecureString")  # type: ignore[attr-defined]
    assert resolve_secret(source) == b"a" * 32  # cached in the snapshot, for five minutes
    ssm.put_parameter(Name=name, Value="b" * 32, Type="SecureString", Overwrite=True)  # type: ignore[attr-defined]
    assert resolve_secret(source) == b"a" * 32  # a warm container keeps its cached value

    snapstart.run_after_restore_hooks()

    assert resolve_secret(source) == b"b" * 32


def test_a_restored_environment_has_its_own_services_and_client(service_env: dict[str, str]) -> None:
    before = runtime()
    client, programs = before.repository._client, before.programs

    snapstart.run_after_restore_hooks()

    after = runtime()
    assert after is not before
    assert after.repository._client is not client
    assert after.programs is not programs
    assert after.settings == before.settings


def test_the_sdk_is_loaded_before_the_snapshot_without_needing_anything_else(
    service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    snapstart.run_before_snapshot_hooks()
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    load_the_sdk_before_snapshot()  # no region: nothing raised, the first event will say so
