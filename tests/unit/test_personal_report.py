"""`socialcare report outcomes`: the figures as a table a person reads, and a span it refuses;
the same outcomes as the worker's embedded metrics."""

from __future__ import annotations

import json

import pytest

from socialcare.cli import main
from socialcare.cli.report import table
from socialcare.insights.metrics import TurnOutcome
from socialcare.insights.outcomes import outcome_figures
from socialcare.model import Channel, Conversation, Turn
from socialcare.telemetry.emf_metrics import EmfMetrics


def _conversation(cid: str, channel: Channel, language: str, **slots: str) -> Conversation:
    turn = Turn("customer", "hi", 1_800_000_000.0, f"{cid}-1", language)
    return Conversation(cid, channel, turns=(turn,), slots=tuple(slots.items()))


def test_the_table_has_a_row_per_channel_and_language_and_a_total() -> None:
    """GIVEN a Telegram conversation in English resolved by the bot and rated 5, and a WeChat one
    in Chinese rated 1 WHEN printed THEN each has its row with its shares, and the total row
    averages the scores."""
    figures = outcome_figures(
        [
            _conversation("telegram:1", Channel.TELEGRAM, "en", resolved_by="bot", csat="5"),
            _conversation("wechat:2", Channel.WECHAT, "zh", csat="1"),
        ]
    )

    lines = table(figures).splitlines()

    assert lines[0].split() == [
        "channel/language",
        "conversations",
        "resolved_by_bot",
        "handed_to_person",
        "reopened_7d",
        "csat",
    ]
    assert lines[1].split() == ["telegram/en", "1", "100%", "0%", "0%", "5.0"]
    assert lines[2].split() == ["wechat/zh", "1", "0%", "0%", "0%", "1.0"]
    assert lines[3].split() == ["all", "2", "50%", "0%", "0%", "3.0"]


def test_an_unreadable_span_is_refused_with_a_reason(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["report", "outcomes", "--since", "a week"])
    assert stopped.value.code == 2
    assert "a number and m, h or d" in capsys.readouterr().err


def test_the_worker_emits_the_outcomes_per_channel_and_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a turn that started a conversation, resolved it by the bot and got a 5 WHEN the
    embedded metrics record it THEN the dashboard's metrics come out with the channel and the
    language as dimensions."""
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    outcome = TurnOutcome(
        "wechat",
        "other",
        "positive",
        "answer",
        "",
        "csat_thanks",
        "zh",
        ("started", "resolved_by_bot"),
        5,
    )

    EmfMetrics().record(outcome)

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    emitted = {
        (m["Name"], line.get("channel"), line.get("language"), *line[m["Name"]])
        for line in lines
        for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    }
    assert {
        ("Conversations", "wechat", "zh", 1.0),
        ("ResolvedByBot", "wechat", "zh", 1.0),
        ("Csat", "wechat", "zh", 5.0),
    } <= emitted
