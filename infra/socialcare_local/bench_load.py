"""`make load`: a bounded load run against the local stack, over loopback only.

It starts the stack (`python -m socialcare_local up`, in its own process, on free 127.0.0.1
ports), then:

1. the ceiling: messages put straight on the queue, as fast as SQS takes them, answered by the
   stack's single worker process: the most it can answer per second here;
2. the load: MESSAGES signed webhooks across CONVERSATIONS customers on several channels, at RATE
   messages a second (each customer's messages in order, a few seconds apart), then waits for
   the replies in the platform sandbox (bounded) and checks every message got exactly one reply,
   in order within its conversation;

and reports latency from webhook POST to reply recorded in the sandbox (p50/p95/p99), the
throughput against the ceiling, lost, duplicated and out-of-order replies. Results go to
bench/load.json and bench/load.png, and the load table in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socialcare.model import Channel, InboundMessage, Kind
from socialcare.pipeline import compose
from socialcare_local import readme_tables
from socialcare_local.moto_serial import COUNTS_PATH
from socialcare_local.moto_server import free_port, http_status, moto_client, wait_until
from socialcare_local.traffic import (
    Delivery,
    line_events,
    line_text,
    meta_messages,
    post,
    telegram_update,
    whatsapp_delivery,
    whatsapp_text,
    x_direct_message,
)

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "load.json"
PLOT = ROOT / "bench" / "load.png"
PROFILE = ROOT / "bench" / "load_profile.svg"
P95_TARGET_S = 1.0

# Questions whose answers differ from the first words on: a reply tells which question it answers.
QUESTIONS = (
    "how long does delivery take?",
    "which payment methods can I use?",
    "how do I cancel my order?",
    "how do I reset my password?",
    "I want to return an item",
)
CHANNELS = ("telegram", "whatsapp", "messenger", "line", "x")
SENDERS = 8  # threads posting webhooks; each owns some conversations, so their order holds
WARM_UP_CUSTOMERS = 100_000  # numbered apart from the load's customers


@dataclass
class Conversation:
    channel: str
    number: int
    sent_at: list[float] = field(default_factory=list)  # when each question was POSTed
    statuses: list[int] = field(default_factory=list)

    def delivery(self, question: str) -> Delivery:
        n = 700_000 + self.number
        match self.channel:
            case "telegram":
                return telegram_update(n, {"text": question})
            case "whatsapp":
                return whatsapp_delivery(f"4915{n:09d}", [whatsapp_text(question)])
            case "messenger":
                return meta_messages("messenger", f"66{n:014d}", [{"text": question}])
            case "line":
                return line_events(f"U{n:032x}", [line_text(question)])
        return x_direct_message(f"1205{n:015d}", question)

    @property
    def recipient(self) -> str:
        return self.delivery(QUESTIONS[0]).recipient


def _expected_openings() -> list[str]:
    """The first words of each question's answer from the shipped help centre (what the stack
    serves), whatever knowledge base the environment names (make bench's moto is gone by now)."""
    from socialcare import bootstrap
    from socialcare.knowledge.embedded_index import EmbeddedIndex
    from socialcare.knowledge.topics import packaged

    index = EmbeddedIndex.packaged(bootstrap.embedder(), packaged())
    openings = []
    for question in QUESTIONS:
        message = InboundMessage(Channel.TELEGRAM, "q", "q", "q", "q", Kind.TEXT, question)
        openings.append(compose(message, "en", index).text[:40])
    if len(set(openings)) != len(openings):
        raise RuntimeError("two load questions share an answer: replies could not be told apart")
    return openings


class RunningStack:
    """`python -m socialcare_local up` in a child process, on free loopback ports; its output
    to `log` (nowhere by default)."""

    def __init__(
        self, worker_concurrency: int = 1, log_level: str = "ERROR", log: Path | None = None
    ) -> None:
        self.ports = {
            "LOCAL_GATEWAY_PORT": free_port(),
            "LOCAL_SANDBOX_PORT": free_port(),
            "LOCAL_MOTO_PORT": free_port(),
        }
        env = {
            **os.environ,
            **{k: str(v) for k, v in self.ports.items()},
            "LOG_LEVEL": log_level,
            "LOCAL_RETRY_AFTER_S": "1",
            "LOCAL_WORKER_CONCURRENCY": str(worker_concurrency),
            "LLM": "off",  # the load figures are for extractive answers, as before the LLM
        }
        self.gateway = f"http://127.0.0.1:{self.ports['LOCAL_GATEWAY_PORT']}"
        self.sandbox = f"http://127.0.0.1:{self.ports['LOCAL_SANDBOX_PORT']}"
        self.moto = f"http://127.0.0.1:{self.ports['LOCAL_MOTO_PORT']}"
        self.log = log
        self._output = log.open("wb") if log else None
        self._process = subprocess.Popen(
            [sys.executable, "-m", "socialcare_local", "up"],
            env=env,
            stdout=self._output or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_until(lambda: http_status(f"{self.gateway}/health") == 200, "the stack", 90)

    def client(self, service: str) -> Any:
        """A boto3 client of the stack's moto server."""
        return moto_client(self.moto, service)

    def moto_requests(self) -> Counter[str]:
        """The requests the stack's moto server has answered, by operation."""
        with urllib.request.urlopen(f"{self.moto}{COUNTS_PATH}", timeout=30) as response:
            return Counter(json.loads(response.read()))

    def profile(self, svg: Path) -> subprocess.Popen[bytes]:
        """py-spy sampling the stack's process and its moto server until SIGINT, then writing
        their flame graph to `svg`."""
        svg.parent.mkdir(exist_ok=True)
        spy = Path(sys.executable).with_name("py-spy")
        command = [str(spy), "record", "--pid", str(self._process.pid), "--subprocesses"]
        options = ["--nonblocking", "--rate", "200", "--format", "flamegraph", "--output", str(svg)]
        return subprocess.Popen([*command, *options], stdout=subprocess.DEVNULL)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log else ""

    def sent(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.sandbox}/_sent", timeout=30) as response:
            return list(json.loads(response.read()))

    def clear_sent(self) -> None:
        request = urllib.request.Request(f"{self.sandbox}/_sent", method="DELETE")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def wait_for_sent(self, count: int, timeout_s: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while True:
            sent = self.sent()
            if len(sent) >= count or time.monotonic() > deadline:
                return sent
            time.sleep(0.25)

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=30)
        if self._output:
            self._output.close()


def warm_up(stack: RunningStack) -> float:
    """One webhook per channel, answered before anything is measured: the first message of a
    fresh stack loads the knowledge index and the embedding model (a Lambda cold start), which
    would read as seconds of queueing for the messages behind it. Returns how long it took."""
    started = time.monotonic()
    stack.clear_sent()
    for n, channel in enumerate(CHANNELS):
        delivery = Conversation(channel, WARM_UP_CUSTOMERS + n).delivery(QUESTIONS[0])
        post(stack.gateway, delivery.path, delivery.body, delivery.headers)
    if len(stack.wait_for_sent(len(CHANNELS), timeout_s=120)) < len(CHANNELS):
        raise RuntimeError("warm-up: the stack did not answer one message per channel in 120 s")
    stack.clear_sent()
    return time.monotonic() - started


def measure_ceiling(stack: RunningStack, messages: int) -> float:
    """Messages a second the stack's one worker process answers when the queue is full."""
    sqs = stack.client("sqs")
    queue = sqs.get_queue_url(QueueName="socialcare-local-inbound.fifo")["QueueUrl"]
    # Each customer asks the questions one after the other, as in the load: a customer asking
    # the same question again and again is handed to a person, whose conversation the bot leaves
    # silent, and the silence would read as a lower ceiling.
    customers = max(1, messages // len(QUESTIONS))
    bodies = [
        InboundMessage(
            Channel.TELEGRAM,
            f"ceiling-{n}",
            f"telegram:{900_000 + n % customers}",
            str(900_000 + n % customers),
            str(900_000 + n % customers),
            Kind.TEXT,
            QUESTIONS[n // customers % len(QUESTIONS)],
            sent_at=int(time.time()),
        )
        for n in range(messages)
    ]
    stack.clear_sent()
    started = time.time()
    for first in range(0, messages, 10):
        sqs.send_message_batch(
            QueueUrl=queue,
            Entries=[
                {
                    "Id": str(i),
                    "MessageBody": m.to_json(),
                    "MessageGroupId": m.conversation_id,
                    "MessageDeduplicationId": m.message_id,
                }
                for i, m in enumerate(bodies[first : first + 10])
            ],
        )
    sent = stack.wait_for_sent(messages, timeout_s=messages)  # bounded: a second a message
    if not sent:
        raise RuntimeError(f"ceiling run: none of {messages} answered in {messages} s")
    if len(sent) < messages:  # a machine this busy has its ceiling measured on what was answered
        print(f"load: ceiling run, {len(sent)} of {messages} answered", file=sys.stderr)
    return len(sent) / (max(s["at"] for s in sent) - started)


def send_load(
    stack: RunningStack, conversations: list[Conversation], per: int, rate: float
) -> float:
    """POST every question on its schedule: message k of the run at start + k / rate."""
    started = time.time() + 0.5

    def sender(mine: list[Conversation]) -> None:
        schedule = sorted(
            (
                (started + (q * len(conversations) + c.number) / rate, c, q)
                for c in mine
                for q in range(per)
            ),
            key=lambda item: item[0],
        )
        for due, conversation, q in schedule:
            time.sleep(max(0.0, due - time.time()))
            delivery = conversation.delivery(QUESTIONS[q])
            conversation.sent_at.append(time.time())
            conversation.statuses.append(
                post(stack.gateway, delivery.path, delivery.body, delivery.headers)[0]
            )

    threads = [
        threading.Thread(target=sender, args=(conversations[i::SENDERS],), daemon=True)
        for i in range(SENDERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return started


def check(
    conversations: list[Conversation], sent: list[dict[str, Any]], openings: list[str], per: int
) -> dict[str, Any]:
    """Lost, duplicated and out-of-order replies, and each answered message's latency."""
    by_recipient: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for reply in sent:
        by_recipient.setdefault((reply["channel"], reply["recipient"]), []).append(reply)
    lost = duplicated = out_of_order = 0
    latencies: list[tuple[float, float]] = []  # (sent at, seconds to the reply)
    for conversation in conversations:
        replies = by_recipient.get((conversation.channel, conversation.recipient), [])
        lost += max(0, per - len(replies))
        duplicated += max(0, len(replies) - per)
        for q, reply in enumerate(replies[:per]):
            if not reply["text"].startswith(openings[q]):
                out_of_order += 1
            elif q < len(conversation.sent_at):
                latencies.append((conversation.sent_at[q], reply["at"] - conversation.sent_at[q]))
    return {
        "lost": lost,
        "duplicated": duplicated,
        "out_of_order": out_of_order,
        "latencies": latencies,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(
    messages: int = 1000,
    conversations: int = 200,
    rate: float = 50.0,
    workers: int = 4,
    profile: bool = False,
) -> dict[str, Any]:
    """The ceiling, then the load; with `profile`, py-spy samples the stack and its moto server
    during the load into a flame graph (PROFILE)."""
    per = max(1, messages // conversations)
    openings = _expected_openings()
    load_before = os.getloadavg()[0]
    print("load: the worker's single-process ceiling ...", file=sys.stderr, flush=True)
    single = RunningStack(worker_concurrency=1)
    try:
        warm_up(single)
        ceiling = measure_ceiling(single, messages=min(300, messages))
    finally:
        single.stop()
    print(f"load: single-process ceiling {ceiling:.1f} messages/s", file=sys.stderr, flush=True)
    print(
        f"load: starting the local stack, {workers} worker invocations ...",
        file=sys.stderr,
        flush=True,
    )
    stack = RunningStack(worker_concurrency=workers)
    try:
        cold_start_s = warm_up(stack)
        people = [Conversation(CHANNELS[n % len(CHANNELS)], n) for n in range(conversations)]
        print(
            f"load: {per * conversations} messages, {conversations} conversations, "
            f"{len(CHANNELS)} channels, {rate:g}/s ...",
            file=sys.stderr,
            flush=True,
        )
        progress = threading.Event()
        threading.Thread(
            target=_progress, args=(stack, per * conversations, progress), daemon=True
        ).start()
        requests_before = stack.moto_requests()
        sampler = stack.profile(PROFILE) if profile else None
        started = send_load(stack, people, per, rate)
        # Bounded: everything answered, or a minute (plus the backlog at the worker's single
        # process ceiling) after the last POST.
        sent = stack.wait_for_sent(per * conversations, 60 + per * conversations / ceiling)
        time.sleep(2.0)  # anything doubled would show within the redelivery delay
        sent = stack.sent()
        progress.set()
        requests = stack.moto_requests() - requests_before
        if sampler:
            sampler.send_signal(signal.SIGINT)  # py-spy writes the flame graph and exits
            sampler.wait(timeout=120)
            print(f"load: profile in {PROFILE}", file=sys.stderr, flush=True)
    finally:
        stack.stop()
    checked = check(people, sent, openings, per)
    seconds = [s for _, s in checked["latencies"]]
    last_reply = max((s["at"] for s in sent), default=started)
    result = {
        "messages": per * conversations,
        "conversations": conversations,
        "channels": list(CHANNELS),
        "offered_rate_per_s": rate,
        # What the senders managed: each POST waits for its webhook's answer.
        "posted_rate_per_s": round(_posted_rate(people), 1),
        "webhook_non_2xx": sum(1 for c in people for s in c.statuses if s != 200),
        "answered": len(seconds),
        "lost": checked["lost"],
        "duplicated": checked["duplicated"],
        "out_of_order": checked["out_of_order"],
        "latency_p50_s": round(percentile(seconds, 50), 3) if seconds else None,
        "latency_p95_s": round(percentile(seconds, 95), 3) if seconds else None,
        "latency_p99_s": round(percentile(seconds, 99), 3) if seconds else None,
        "latency_max_s": round(max(seconds), 3) if seconds else None,
        "throughput_per_s": round(len(sent) / max(last_reply - started, 1e-9), 1),
        "worker_ceiling_per_s": round(ceiling, 1),
        # Not in the figures above: one message per channel, sent and answered before the run.
        "warm_up_s": round(cold_start_s, 1),
        "concurrent_worker_invocations": workers,
        # AWS calls the stack made per message (webhooks, worker, poller, idle polling included).
        "moto_requests_per_message": {
            operation.rpartition(".")[2]: round(count / (per * conversations), 2)
            for operation, count in requests.most_common()
        },
        "p95_target_s": P95_TARGET_S,
        # The conditions: the machine's cores and how busy other programs kept them.
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before, 1),
        "load_average_after": round(os.getloadavg()[0], 1),
    }
    print(
        f"load: answered {len(seconds)}, p95 {result['latency_p95_s']} s, "
        f"{result['throughput_per_s']}/s against the single-process ceiling of "
        f"{result['worker_ceiling_per_s']}/s",
        file=sys.stderr,
        flush=True,
    )
    _plot(checked["latencies"], started, result)
    return result


def _posted_rate(conversations: list[Conversation]) -> float:
    times = [t for c in conversations for t in c.sent_at]
    return len(times) / max(max(times) - min(times), 1e-9) if times else 0.0


def _progress(stack: RunningStack, total: int, done: threading.Event) -> None:
    while not done.wait(5.0):
        print(f"load: {len(stack.sent())}/{total} replies", file=sys.stderr, flush=True)


def _plot(latencies: list[tuple[float, float]], started: float, result: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.scatter([t - started for t, _ in latencies], [s for _, s in latencies], s=4)
    left.axhline(P95_TARGET_S, color="red", linestyle="--", label="p95 target (1 s)")
    left.set_xlabel("seconds into the run (webhook POST)")
    left.set_ylabel("POST to reply in the sandbox (s)")
    left.set_title(
        f"{result['messages']} messages at {result['offered_rate_per_s']:g}/s: "
        f"p95 {result['latency_p95_s']} s"
    )
    left.legend()
    bars = {
        "offered": result["offered_rate_per_s"],
        "achieved": result["throughput_per_s"],
        "worker ceiling": result["worker_ceiling_per_s"],
    }
    right.bar(list(bars), list(bars.values()), color=["grey", "tab:blue", "tab:green"])
    right.set_ylabel("messages per second")
    right.set_title(
        f"lost {result['lost']}, duplicated {result['duplicated']}, "
        f"out of order {result['out_of_order']}"
    )
    fig.tight_layout()
    PLOT.parent.mkdir(exist_ok=True)
    fig.savefig(PLOT, dpi=110)
    plt.close(fig)


def table(result: dict[str, Any]) -> str:
    p95 = result["latency_p95_s"]
    ok = p95 is not None and p95 <= P95_TARGET_S
    clean = result["lost"] == result["duplicated"] == result["out_of_order"] == 0
    rows = [
        (
            "messages / conversations / channels",
            f"{result['messages']} / {result['conversations']} / {len(result['channels'])}",
            "",
        ),
        (
            "rate asked / posted",
            f"{result['offered_rate_per_s']:g} / {result.get('posted_rate_per_s', '?')} per s",
            "",
        ),
        (
            "lost / duplicated / out of order",
            f"{result['lost']} / {result['duplicated']} / {result['out_of_order']}",
            f"0 / 0 / 0 {'✅' if clean else '❌'}",
        ),
        (
            "POST to reply p50 / p95 / p99",
            f"{result['latency_p50_s']} / {p95} / {result['latency_p99_s']} s",
            f"p95 ≤ {P95_TARGET_S:g} s {'✅' if ok else '❌'}",
        ),
        (
            "throughput / single-process worker ceiling (same run)",
            f"{result['throughput_per_s']} / {result['worker_ceiling_per_s']} per s "
            f"({result['concurrent_worker_invocations']} concurrent invocations)",
            "",
        ),
        (
            "warm-up before the run (first message per channel: cold start)",
            f"{result.get('warm_up_s', '?')} s",
            "",
        ),
        (
            "AWS (moto) requests per message",
            f"{sum(result.get('moto_requests_per_message', {}).values()):.1f}: "
            + ", ".join(
                f"{operation} {count}"
                for operation, count in result.get("moto_requests_per_message", {}).items()
            ),
            "",
        ),
        (
            "machine: cores / load average before, after",
            f"{result.get('cpus', '?')} / {result.get('load_average_before', '?')}, "
            f"{result.get('load_average_after', '?')}",
            "",
        ),
    ]
    lines = ["| figure | value | target |", "| --- | ---: | --- |"]
    lines += [f"| {name} | {value} | {target} |" for name, value, target in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="socialcare_local.bench_load", description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50.0, help="messages a second")
    parser.add_argument(
        "--workers", type=int, default=4, help="concurrent worker invocations (Lambda's scale-out)"
    )
    parser.add_argument(
        "--profile", action="store_true", help=f"a py-spy flame graph of the load, to {PROFILE}"
    )
    args = parser.parse_args(argv)
    result = run(args.messages, args.conversations, args.rate, args.workers, args.profile)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    rendered = table(result)
    readme_tables.rewrite("load", rendered)
    print(rendered)
    clean = result["lost"] == result["duplicated"] == result["out_of_order"] == 0
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
