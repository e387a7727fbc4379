"""`make bench`, the understanding: per-message time after loading, the time to load it in a
fresh interpreter, and the memory it holds, each beside a baseline from the same run."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from typing import Any

# In a fresh interpreter: time to import the understanding and load the model, then the peak
# resident memory after understanding every message of the sample (VmHWM: unlike ru_maxrss it
# is not inherited from the parent through fork and exec).
_PEAK = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024"
_LOAD = f"""
import json, sys, time
started = time.perf_counter()
from socialcare.understand.understanding import understand
understand("warm up: load the model")
loaded = (time.perf_counter() - started) * 1000
for text in json.load(sys.stdin):
    understand(text)
print(json.dumps({{"load_ms": loaded, "rss_mb": {_PEAK}}}))
"""
_BASELINE = f"""
import json, sys
json.load(sys.stdin)
print(json.dumps({{"rss_mb": {_PEAK}}}))
"""


def run(results: dict[str, Any]) -> None:
    from socialcare.understand.datasets import DATA, jsonl
    from socialcare.understand.language import detect_language
    from socialcare.understand.pii import redact
    from socialcare.understand.understanding import understand
    from socialcare_local.bench import summary, timed

    messages = [r["text"] for name in ("intents_zh_eval", "other_eval", "sentiment_eval")
                for r in jsonl(DATA / f"{name}.jsonl")]  # fmt: skip
    print(f"understanding: {len(messages)} messages ...", file=sys.stderr, flush=True)
    understand("load the model before timing")
    cycle = iter(range(10**9))

    def one() -> None:
        understand(messages[next(cycle) % len(messages)])

    def foundation() -> None:
        text = messages[next(cycle) % len(messages)]
        detect_language(text)
        redact(text)

    results["understanding_per_message"] = summary(timed(one, runs=3000))
    results["baseline_language_and_redaction_only"] = summary(timed(foundation, runs=3000))
    loads = [_fresh(_LOAD, messages) for _ in range(5)]
    decision_step(results)
    results["understanding_load_fresh_process"] = summary([r["load_ms"] for r in loads])
    rss = max(r["rss_mb"] for r in loads)
    baseline = _fresh(_BASELINE, messages)["rss_mb"]
    results["understanding_resident_mb"] = round(rss, 1)
    results["baseline_python_resident_mb"] = round(baseline, 1)


def decision_step(results: dict[str, Any]) -> None:
    """The whole understanding and decision of one message (language, sentiment, intent,
    entities, personal data, risk (the word lists and the examples' reading of the search's
    vector), closer, scope, and weighing the search's articles), beside
    the one search it reads (the e5 embedding and the ranking), on the development set."""
    from socialcare.dialogue.confidence import weigh
    from socialcare.dialogue.messages import is_closer
    from socialcare.dialogue.scope import out_of_scope, vague
    from socialcare.knowledge.embedded_index import EmbeddedIndex
    from socialcare.knowledge.embeddings import E5Engine, packaged_engine
    from socialcare.knowledge.topics import packaged
    from socialcare.understand.datasets import jsonl
    from socialcare.understand.risk import find_risk
    from socialcare.understand.risk_exemplars import similar_risk
    from socialcare.understand.understanding import understand
    from socialcare_local.bench import summary, timed
    from socialcare_local.cfn_template import ROOT

    texts = [r["text"] for r in jsonl(ROOT / "tests" / "data" / "decisions_dev.jsonl")]
    index = EmbeddedIndex.packaged(E5Engine(packaged_engine()[1]), packaged())
    probes = [index.probe(t, k=4, lang="en") for t in texts]
    cycle = iter(range(10**9))

    def decide() -> None:
        n = next(cycle) % len(texts)
        text = texts[n]
        understood = understand(text)
        _ = (
            find_risk(text)
            or similar_risk(probes[n].vector)
            or is_closer(text)
            or out_of_scope(text)
        )
        weigh(probes[n], understood.intent.name, vague=vague(text))

    def search() -> None:
        n = next(cycle) % len(texts)
        index.probe(texts[n], k=4, lang="en")

    results["decision_step_per_message"] = summary(timed(decide, runs=2000))
    results["baseline_embedding_and_search"] = summary(timed(search, runs=300))


def _fresh(code: str, messages: list[str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(messages),
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result
