"""The metrics port as CloudWatch embedded metrics (Powertools Metrics): each flush prints one
EMF line to the function's log, which CloudWatch turns into metrics."""

from __future__ import annotations

from aws_lambda_powertools import Metrics


class PowertoolsMetrics:
    def __init__(self, namespace: str = "socialcare", metrics: Metrics | None = None) -> None:
        self._metrics = metrics or Metrics(namespace=namespace)
        self._pending = False

    def add(self, name: str, value: float, unit: str) -> None:
        self._metrics.add_metric(name=name, unit=unit, value=value)
        self._pending = True

    def flush(self) -> None:
        """Publish what this invocation recorded (nothing when it recorded nothing)."""
        if self._pending:
            self._metrics.flush_metrics()
            self._pending = False
