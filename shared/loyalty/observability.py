"""Logging and metrics shared by every function (Powertools Logger and Metrics, EMF)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service="loyalty")
metrics = Metrics(namespace="Loyalty", service="loyalty")


def count(name: str, value: float = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
