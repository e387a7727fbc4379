"""The metrics port as CloudWatch embedded metrics (Powertools Metrics): one EMF line per metric
and dimension, so the dashboard can chart messages by channel, intent and sentiment, handoffs by
reason, and the bot's containment."""

from __future__ import annotations

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from socialcare.insights.metrics import TurnOutcome

NAMESPACE = "Socialcare"
_OUTCOME_METRICS = {
    "started": "Conversations",
    "resolved_by_bot": "ResolvedByBot",
    "handed_to_person": "HandedToPerson",
    "reopened": "Reopened",
}


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
        self._outcomes(outcome)

    def _outcomes(self, outcome: TurnOutcome) -> None:
        """Issue 19: conversation outcomes per channel and language (Conversations, Resolved
        ByBot, HandedToPerson, Reopened) and the satisfaction score (Csat, 5/3/1)."""
        where = {"channel": outcome.channel, "language": outcome.language or "unknown"}
        for name in outcome.outcomes:
            emit(_OUTCOME_METRICS[name], MetricUnit.Count, 1, where, self._namespace)
        if outcome.csat:
            emit("Csat", MetricUnit.Count, outcome.csat, where, self._namespace)

    def _count(self, name: str, dimension: str, value: str) -> None:
        emit(name, MetricUnit.Count, 1, {dimension: value or "none"}, self._namespace)


def emit(
    name: str,
    unit: MetricUnit,
    value: float,
    dimensions: dict[str, str],
    namespace: str = NAMESPACE,
) -> None:
    """One EMF line (none when POWERTOOLS_METRICS_DISABLED is set, as in the demo)."""
    metrics = EphemeralMetrics(namespace=namespace)
    for dimension, dimension_value in dimensions.items():
        metrics.add_dimension(dimension, dimension_value)
    metrics.add_metric(name=name, unit=unit, value=value)
    metrics.flush_metrics()
