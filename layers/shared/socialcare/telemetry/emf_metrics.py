"""The metrics port as CloudWatch embedded metrics (Powertools Metrics): one EMF line per metric
and dimension, so the dashboard can chart messages by channel, intent and sentiment, handoffs by
reason, and the bot's containment."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from socialcare.insights.metrics import TurnOutcome

NAMESPACE = "Socialcare"


class EmfMetrics:
    def __init__(self, namespace: str = NAMESPACE) -> None:
        self._namespace = namespace

    def record(self, outcome: TurnOutcome) -> None:
        for dimension, value in (
            ("channel", outcome.channel),
            ("intent", outcome.intent),
            ("sentiment", outcome.sentiment),
        ):
            self._count("Messages", dimension, value)
        if outcome.action == "handoff":
            self._count("Handoffs", "reason", outcome.reason)
            self._count("Handoffs", "channel", outcome.channel)
        elif outcome.action in ("answer", "ask"):
            # Answered by the bot: the containment rate is this over all messages it saw.
            self._count("BotAnswers", "channel", outcome.channel)

    def _count(self, name: str, dimension: str, value: str) -> None:
        with single_metric(
            name=name, unit=MetricUnit.Count, value=1, namespace=self._namespace
        ) as metric:
            metric.add_dimension(dimension, value or "none")
