"""Figure 4b: what verifying Wix's RS256 webhooks costs, and that it costs the other routes nothing.

PyJWT imports cryptography whenever it can find it, so cryptography ships only in the Wix functions'
own layer (WixVerificationLayer), and the Wix adapter imports PyJWT on first use
(docs/decisions/wix-rs256-cryptography.md). Fresh processes, as deployed: the Wix functions see both
of their layers, and the other functions see the shared one.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loyalty_dev.template import PROJECT_ROOT
from tests.benchmarks.layer import (
    child,
    child_environment,
    handler_modules,
    modules_outside_layer,
    run_child,
)
from tests.benchmarks.report import Report

WIX_FUNCTIONS = ("OrderCreatedFunction", "MemberRegisteredFunction")
WIX_LAYER_REQUIREMENTS = PROJECT_ROOT / "layers" / "wix_verification" / "requirements.txt"
# A Wix webhook that meets a cold container pays for its first verification once: at most half of
# a boto3-only cold start.
TARGET_FIRST_VERIFICATION_RATIO = 0.5


@dataclass
class WixFigures:
    baseline: list[float] = field(default_factory=list)
    cold: dict[str, list[float]] = field(default_factory=dict)
    cryptography_at_cold_start: set[str] = field(default_factory=set)
    first: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    jwt_alone: list[float] = field(default_factory=list)
    jwt_with_cryptography: list[float] = field(default_factory=list)


def token_file(directory: Path) -> Path:
    """A token as Wix sends one, signed with a key made for the run, beside its public key."""
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    notification = {"eventType": "wix.ecom.v1.order_approved", "instanceId": "bench", "data": "{}"}
    token = jwt.encode({"data": json.dumps(notification), "iat": int(time.time())}, key, algorithm="RS256")
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path = directory / "wix-token.json"
    path.write_text(json.dumps({"token": token, "public_key": public.decode()}), encoding="utf-8")
    return path


def run_json(command: Sequence[str], environment: Mapping[str, str]) -> dict[str, Any]:
    finished = subprocess.run(
        list(command), cwd=PROJECT_ROOT, env=dict(environment), capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(f"child process failed:\n{finished.stderr}")
    result: dict[str, Any] = json.loads(finished.stdout.splitlines()[-1])
    return result


def measure_wix(runs: int) -> WixFigures:
    """Medians of `runs` interleaved rounds of fresh processes, after one round that is not counted
    (it compiles the bytecode caches)."""
    shared_only = modules_outside_layer()
    with_wix_layer = modules_outside_layer([WIX_LAYER_REQUIREMENTS])
    environment = child_environment()
    modules = handler_modules()
    figures = WixFigures(cold={name: [] for name in WIX_FUNCTIONS})
    with tempfile.TemporaryDirectory() as directory:
        token = str(token_file(Path(directory)))
        baseline = child("cold_child", "--boto3", blocked=shared_only)
        colds = {
            name: child("wix_child", "--cold", modules[name], blocked=with_wix_layer)
            for name in WIX_FUNCTIONS
        }
        first = child(
            "wix_child", "--first-verification", modules[WIX_FUNCTIONS[0]], token, blocked=with_wix_layer
        )
        jwt_alone = child("wix_child", "--import-jwt", blocked=shared_only)
        jwt_with = child("wix_child", "--import-jwt", blocked=with_wix_layer)
        for round_number in range(runs + 1):
            base = run_child(baseline, environment)[0]
            cold = {name: run_json(command, environment) for name, command in colds.items()}
            verified = run_json(first, environment)
            alone, with_cryptography = run_json(jwt_alone, environment), run_json(jwt_with, environment)
            if round_number == 0:
                continue
            figures.baseline.append(base)
            for name, result in cold.items():
                figures.cold[name].append(result["wall"] * 1000)
                if result["cryptography"]:
                    figures.cryptography_at_cold_start.add(name)
            figures.first.append(verified["wall"] * 1000)
            figures.warm.append(verified["warm"] * 1000)
            figures.jwt_alone.append(alone["wall"] * 1000)
            figures.jwt_with_cryptography.append(with_cryptography["wall"] * 1000)
    return figures


def report_wix(report: Report, runs: int, figures: WixFigures) -> None:
    report.title(f"4b. Wix webhooks: RS256 verification with cryptography, median of {runs} fresh processes")
    base = statistics.median(figures.baseline)
    report.line(f"  {'process':66} {'wall':>8} {'ratio':>6}")
    report.line(f"  {'boto3 + DynamoDB client (the baseline)':66} {base:6.0f}ms {1:5.2f}x")
    for name, samples in figures.cold.items():
        wall = statistics.median(samples)
        label = f"{name} cold start, with the Wix layer"
        report.line(f"  {label:66} {wall:6.0f}ms {wall / base:5.2f}x")
    first, warm = statistics.median(figures.first), statistics.median(figures.warm)
    alone = statistics.median(figures.jwt_alone)
    with_cryptography = statistics.median(figures.jwt_with_cryptography)
    extra = with_cryptography - alone
    rows = [
        ("first Wix verification (imports PyJWT + cryptography, key, RSA)", first),
        ("  floor: the same verification, warm", warm),
        ("import jwt, cryptography absent (BalanceFunction as deployed)", alone),
        ("import jwt, cryptography present", with_cryptography),
    ]
    for label, wall in rows:
        report.line(f"  {label:66} {wall:6.1f}ms {wall / base:5.2f}x")
    report.line(
        f"  cryptography in the shared layer would add {extra:.0f} ms ({extra / base:.2f}x) to every "
        "function importing PyJWT: hence its own layer"
    )
    report.verdict(
        "a Wix function's cold start imports no cryptography until a Wix webhook arrives",
        ", ".join(sorted(figures.cryptography_at_cold_start)) or "none does",
        not figures.cryptography_at_cold_start,
    )
    report.verdict(
        f"first Wix verification <= {TARGET_FIRST_VERIFICATION_RATIO}x boto3-only",
        f"{first / base:.2f}x ({first:.0f} ms; warm floor {warm:.2f} ms)",
        first / base <= TARGET_FIRST_VERIFICATION_RATIO,
    )
