"""Each evaluated message through the worker's own pipeline (TurnHandler: understanding, the
dialogue policy, retrieval, generation, guards), with a conversation kept in memory instead of
DynamoDB and nothing sent to a channel. Records what the customer would get, what the generator
wrote before the guards, the passages it was given, the time and the tokens."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from socialcare.channels.outbound import Outgoing
from socialcare.evaluation.articles import SHIPPED_ARTICLE
from socialcare.evaluation.audit import RecordingWriter, reply_language, sent_is_grounded
from socialcare.evaluation.dataset import Case
from socialcare.generate.brand import packaged_brand_policy
from socialcare.generate.llm_port import ChatMessage, ChatModel, LlmError
from socialcare.generate.prompt import without_echo
from socialcare.generate.reply_contract import parse_reply
from socialcare.knowledge.port import Passage, Probe, Retriever
from socialcare.knowledge.port import probe as probe_knowledge
from socialcare.model import Channel, Conversation, InboundMessage, Kind, Reply
from socialcare.pipeline import ANSWER_LANGUAGES, DialogueSettings, ReplyWriter, TurnHandler

EXTRACTIVE = "extractive"
ANSWERS = frozenset({"llm", "knowledge"})  # replies drawn from the help centre
PROBE_TIMEOUT_S = 60.0  # a server may load its model on the first request


@dataclass(frozen=True, slots=True)
class Generator:
    """`extractive`, or NAME=URL[#MODEL]: an OpenAI-compatible endpoint's base URL (ending in
    /v1) and the model name it expects."""

    name: str
    endpoint: str = ""
    model: str = ""

    @classmethod
    def parse(cls, spec: str) -> Generator:
        if spec == EXTRACTIVE:
            return cls(EXTRACTIVE)
        name, sep, target = spec.partition("=")
        endpoint, _, model = target.partition("#")
        if not sep or not name or not endpoint.startswith(("http://", "https://")):
            raise ValueError(
                f"--generator {spec!r}: expected 'extractive' or NAME=URL[#MODEL] "
                "with an http(s) URL ending in /v1"
            )
        return cls(name, endpoint.rstrip("/"), model)


class EndpointUnreachable(RuntimeError):
    """A generator's endpoint gave no completion to a one-token probe."""


@dataclass(frozen=True, slots=True)
class Outcome:
    generator: str
    row: int
    text_hash: str  # which message this was (a checkpoint is only reused for the same data)
    lang: str  # the language the understanding found in the message
    intent: str  # expected
    predicted_intent: str
    action: str  # the dialogue policy's decision: answer, ask, handoff ...
    source: str  # what answered: llm, knowledge, handoff, fallback, greeting ...
    reply: str  # what the customer would get
    raw: str  # what the generator wrote before the guards (the reply when none was called)
    reply_language_ok: bool
    raw_language_ok: bool
    reply_grounded: bool | None  # None: not an answer from the help centre
    raw_grounded: bool | None
    searched: bool  # whether the pipeline searched the help centre
    retrieval_hit: bool | None  # the expected article among the passages (None: none expected)
    citation_hit: bool | None  # the expected article cited by the answer
    ms: float
    llm_ms: float
    prompt_tokens: int
    completion_tokens: int
    reply_tokens: int  # completion tokens when the LLM reported them, else the tokenizer's count


class UsageMetrics:
    """The LLM writer's metrics port, adding up one message's latency and tokens."""

    def __init__(self) -> None:
        self.values: defaultdict[str, float] = defaultdict(float)

    def add(self, name: str, value: float, unit: str) -> None:
        self.values[name] += value


class RecordingRetriever:
    """The knowledge base, remembering the passages it gave for the current message."""

    def __init__(self, retriever: Retriever) -> None:
        self._retriever = retriever
        self.found: list[Passage] = []
        self.searched = False

    def search(
        self, query: str, *, k: int = 5, lang: str | None = None, tags: Sequence[str] = ()
    ) -> list[Passage]:
        passages = self._retriever.search(query, k=k, lang=lang, tags=tags)
        self.searched = True
        self.found.extend(passages)
        return passages

    def probe(
        self, query: str, *, k: int = 5, lang: str | None = None, tags: Sequence[str] = ()
    ) -> Probe:
        """The search the decision makes (with the topic model's reading when the knowledge base
        gives one), recorded like any other."""
        found = probe_knowledge(self._retriever, query, k=k, lang=lang, tags=tags)
        self.searched = True
        self.found.extend(found.passages)
        return found


class MemoryConversations:
    """Conversations in a dict, versioned like the DynamoDB adapter: each evaluated message
    opens its own, held while it is answered (the unit tests' fake store builds on it)."""

    def __init__(self) -> None:
        self.conversations: dict[str, Conversation] = {}

    def load(self, conversation_id: str, channel: Channel) -> Conversation:
        return self.conversations.get(conversation_id, Conversation(conversation_id, channel))

    def save(
        self, conversation: Conversation, change: Callable[[Conversation], Conversation]
    ) -> Conversation | None:
        current = self.conversations.get(conversation.id, conversation)
        changed = change(current)
        if changed == current:
            return None
        stored = replace(changed, version=current.version + 1)
        self.conversations[conversation.id] = stored
        return stored

    def take(self, conversation_id: str) -> Conversation:
        return self.conversations.pop(conversation_id)


class NoSend:
    def send(self, message: InboundMessage, outgoing: list[Outgoing]) -> None:
        """The evaluation judges the reply; nothing reaches a channel."""


def probe(generator: Generator, model: ChatModel, timeout_s: float = PROBE_TIMEOUT_S) -> None:
    """One one-token completion, so that a wrong URL or model stops the run before it starts."""
    try:
        model.complete(
            [ChatMessage("user", "ping")], max_tokens=1, temperature=0.0, timeout_s=timeout_s
        )
    except LlmError as error:
        raise EndpointUnreachable(
            f"generator {generator.name!r}: {generator.endpoint} (model "
            f"{generator.model or 'the default'}) gave no completion ({error}); fix it in "
            f"--generator {generator.name}=URL#MODEL (the base URL ends in /v1)"
        ) from error


class Harness:
    """One generator's pipeline; `run` answers one case."""

    def __init__(
        self,
        generator: Generator,
        retriever: Retriever,
        *,
        writer: ReplyWriter | None,
        usage: UsageMetrics,
        articles: dict[tuple[str, str], Any],
        count_tokens: Callable[[str], int],
    ) -> None:
        self.generator = generator
        self._retriever = RecordingRetriever(retriever)
        self._writer = RecordingWriter(writer) if writer else None
        self._usage = usage
        self._articles = articles
        self._count_tokens = count_tokens
        self._store = MemoryConversations()
        self._brand = (writer.brand if writer else packaged_brand_policy()).name
        self._handler = TurnHandler(
            self._store,
            self._retriever,
            lambda _channel: NoSend(),
            writer=self._writer,
            dialogue=DialogueSettings(brand=self._brand),
        )

    def run(self, case: Case, text_hash: str) -> Outcome:
        conversation_id = f"eval:{self.generator.name}:{case.row}"
        message = InboundMessage(
            Channel.TELEGRAM, conversation_id, conversation_id, "eval", "eval", Kind.TEXT, case.text
        )
        self._retriever.found, self._retriever.searched = [], False
        self._usage.values.clear()
        if self._writer:
            self._writer.last = None
        started = time.perf_counter()
        result = self._handler.handle(message)
        ms = (time.perf_counter() - started) * 1000
        customer = self._store.take(conversation_id).turns[0]
        reply = result.reply or Reply("", customer.language, "silent")
        answer_language = customer.language if customer.language in ANSWER_LANGUAGES else "en"
        raw, raw_grounded = self._raw(reply, case.text)
        reply_grounded = (
            sent_is_grounded(reply, case.text, self._articles) if reply.source in ANSWERS else None
        )
        expected = SHIPPED_ARTICLE.get(case.intent)
        found = {p.id for p in self._retriever.found}
        completion_tokens = int(self._usage.values["LlmCompletionTokens"])
        return Outcome(
            generator=self.generator.name,
            row=case.row,
            text_hash=text_hash,
            lang=customer.language,
            intent=case.intent,
            predicted_intent=customer.intent,
            action=result.action.value if result.action else "",
            source=reply.source,
            reply=reply.text,
            raw=raw,
            reply_language_ok=reply_language(reply.text, self._brand) == answer_language,
            raw_language_ok=reply_language(raw, self._brand) == answer_language,
            reply_grounded=reply_grounded,
            raw_grounded=reply_grounded if raw_grounded is None else raw_grounded,
            searched=self._retriever.searched,
            retrieval_hit=(expected in found) if expected and self._retriever.searched else None,
            citation_hit=(
                expected in {c.id for c in reply.citations}
                if expected and reply.source in ANSWERS
                else None
            ),
            ms=round(ms, 3),
            llm_ms=round(self._usage.values["LlmLatency"], 3),
            prompt_tokens=int(self._usage.values["LlmPromptTokens"]),
            completion_tokens=completion_tokens,
            reply_tokens=completion_tokens or self._count_tokens(reply.text),
        )

    def _raw(self, reply: Reply, question: str) -> tuple[str, bool | None]:
        """The generator's first draft and whether the grounding guard let it through; the reply
        itself (None: judged as the reply) when no LLM wrote one for this message."""
        written = self._writer.last if self._writer else None
        if written is None or not written.attempts:
            return reply.text, None
        first = written.attempts[0]
        draft = parse_reply(without_echo(first.raw))
        return draft.text, not any(v.guard == "grounded" for v in first.violations)
