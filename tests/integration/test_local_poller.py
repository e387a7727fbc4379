"""The local stack's SQS poller with several concurrent worker invocations (Lambda's scale-out
over a FIFO queue's message groups): each conversation answered once per message, in order."""

from __future__ import annotations

import time

import boto3

from socialcare import bootstrap
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.pipeline import compose
from socialcare.store.sqs_inbound import SqsInbound
from socialcare_local.cfn_template import Template
from socialcare_local.lambdas import LocalFunction
from socialcare_local.poller import SqsPoller
from socialcare_local.sandbox import PlatformSandbox

QUESTIONS = (
    "how long does delivery take?",
    "which payment methods can I use?",
    "I want to return an item",
    "how do I reset my password?",
)


def _message(customer: int, n: int, question: str) -> InboundMessage:
    chat = str(5100 + customer)
    return InboundMessage(
        Channel.TELEGRAM,
        f"{chat}-{n}",
        f"telegram:{chat}",
        chat,
        chat,
        Kind.TEXT,
        question,
        sent_at=int(time.time()),
    )


def test_concurrent_worker_invocations_answer_each_conversation_once_and_in_order(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN five customers who each asked four questions, each customer in another order, queued
    on the inbound FIFO queue WHEN a poller with four concurrent worker invocations answers them
    THEN every customer gets exactly four replies, each answering the question asked at that
    place, in the order the customer asked."""
    platforms, _ = sandbox
    (spec,) = [s for s in aws.functions() if s.logical_id == "WorkerFunction"]
    ((queue, batch_size),) = spec.queues
    url, arn = aws.physical[queue]["Ref"], aws.physical[queue]["Arn"]
    inbound = SqsInbound(url)
    asked: dict[str, list[str]] = {}
    for customer in range(5):
        order = QUESTIONS[customer % 4 :] + QUESTIONS[: customer % 4]
        for n, question in enumerate(order):
            inbound.enqueue(_message(customer, n, question))
        asked[str(5100 + customer)] = list(order)
    openings = {
        q: compose(_message(0, 0, q), "en", bootstrap.retriever()).text[:40] for q in QUESTIONS
    }
    assert len(set(openings.values())) == len(QUESTIONS)  # each reply tells its question
    containers = [LocalFunction(spec) for _ in range(4)]

    poller = SqsPoller(boto3.client("sqs"), url, arn, containers, batch_size=batch_size).start()
    deadline = time.monotonic() + 120
    while len(platforms.sent()) < 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    poller.stop()

    replies: dict[str, list[str]] = {}
    for sent in platforms.sent():
        replies.setdefault(sent["recipient"], []).append(sent["text"][:40])
    assert replies == {chat: [openings[q] for q in order] for chat, order in asked.items()}
