"""`make demo`'s transcript tells which replies the LLM wrote and which fell back."""

from __future__ import annotations

import pytest

from socialcare_local.demo import Line, print_transcript, with_sources

DELIVERY = "Standard delivery takes 3-5 business days.\nMore: https://help.lumen.example/en/d"


def test_each_reply_is_marked_with_what_wrote_it(capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN two customers asking the same question, one answered by the LLM and one by the
    help centre after the LLM's draft was stopped, and a reply no turn records WHEN the
    transcript is printed THEN each reply carries its own source, each turn used once."""
    lines = [
        Line("telegram", "how long is delivery?", DELIVERY, 900.0),
        Line("whatsapp", "delivery time?", DELIVERY + "\n[Track my order]", 800.0),
        Line("x", "hello", "Hi! How can I help?", 50.0),
    ]
    recorded = [(DELIVERY, "llm"), ("Standard delivery takes 3-5 business days.", "knowledge")]

    marked = with_sources(lines, recorded)
    print_transcript(marked)

    assert [line.source for line in marked] == ["llm", "knowledge", "?"]
    out = capsys.readouterr().out
    assert "agent [llm]:" in out
    assert "agent [knowledge]:" in out
    assert "written by: llm 1, knowledge 1, ? 1" in out
