"""Writing a reply with an LLM: prompt, complete within the latency budget, parse into the reply
contract, guard, repair once. When that fails, the caller falls back to the extractive answer.

Endpoint failures open the circuit breaker (a request's own 4xx does not); every call records
its latency and tokens, every failure its reason (never the customer's text).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from socialcare.dialogue.messages import say
from socialcare.generate.brand import BrandPolicy
from socialcare.generate.circuit_breaker import CircuitBreaker
from socialcare.generate.extractive import more_line
from socialcare.generate.guards import GuardContext, Violation, check_reply, cited_passages
from socialcare.generate.llm_port import ChatMessage, ChatModel, LlmError, Metrics
from socialcare.generate.prompt import (
    CustomerProfile,
    build_prompt,
    repair_messages,
    without_echo,
)
from socialcare.generate.reply_contract import DraftReply, parse_reply, reply_schema
from socialcare.generate.reply_style import ReplyStyle, fit_text
from socialcare.knowledge.port import Passage
from socialcare.model import Citation, Reply, Turn

logger = logging.getLogger(__name__)

MIN_CALL_S = 0.5  # less time than this left in the budget: no call is worth starting


@dataclass(frozen=True, slots=True)
class WriterSettings:
    max_tokens: int = 300
    temperature: float = 0.2
    timeout_s: float = 5.0  # one call
    budget_s: float = 6.0  # the whole reply, repair included
    max_input_tokens: int = 2048


@dataclass(frozen=True, slots=True)
class Attempt:
    raw: str  # what the model wrote
    violations: tuple[Violation, ...]
    latency_ms: float


@dataclass(frozen=True, slots=True)
class Written:
    reply: Reply | None  # None: send the fallback
    attempts: tuple[Attempt, ...] = ()
    failure: str = ""  # why there is no reply: "breaker_open", "timeout", "guards", "budget" ...


class LlmWriter:
    def __init__(
        self,
        model: ChatModel,
        brand: BrandPolicy,
        metrics: Metrics,
        *,
        settings: WriterSettings | None = None,
        breaker: CircuitBreaker | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._model = model
        self._brand = brand
        self._metrics = metrics
        self._settings = settings or WriterSettings()
        self._breaker = breaker or CircuitBreaker()
        self._clock = clock

    @property
    def brand(self) -> BrandPolicy:
        return self._brand

    def write(
        self,
        question: str,
        language: str,
        passages: Sequence[Passage],
        *,
        style: ReplyStyle,
        history: Sequence[Turn] = (),
        profile: CustomerProfile | None = None,
    ) -> Written:
        if not self._breaker.allows_call():
            return self._fallback("breaker_open", ())
        deadline = self._clock() + self._settings.budget_s
        prompt = build_prompt(
            question,
            language,
            passages,
            history,
            style=style,
            brand=self._brand,
            profile=profile,
            max_input_tokens=self._settings.max_input_tokens,
        )
        facts = " ".join((profile.name, *profile.preferences)) if profile else ""
        context = GuardContext(
            language, question, prompt.passages, style, self._brand, prompt.instructions, facts
        )
        messages: Sequence[ChatMessage] = prompt.messages
        schema = reply_schema([p.id for p in prompt.passages])
        attempts: list[Attempt] = []
        while len(attempts) < 2:  # the first reply, and one repair
            remaining = deadline - self._clock()
            if remaining < MIN_CALL_S:
                return self._fallback("budget", attempts)
            started = self._clock()
            try:
                completion = self._model.complete(
                    messages,
                    max_tokens=self._settings.max_tokens,
                    temperature=self._settings.temperature,
                    timeout_s=min(self._settings.timeout_s, remaining),
                    schema=schema,
                )
            except LlmError as error:
                self._breaker.failed(error.reason)
                self._metrics.add("LlmErrors", 1, "Count")
                return self._fallback(error.reason, attempts)
            latency_ms = (self._clock() - started) * 1000
            self._breaker.succeeded()
            self._metrics.add("LlmLatency", latency_ms, "Milliseconds")
            self._metrics.add("LlmPromptTokens", completion.prompt_tokens, "Count")
            self._metrics.add("LlmCompletionTokens", completion.completion_tokens, "Count")
            draft = parse_reply(without_echo(completion.text), completion.finish_reason)
            if draft.wants_human:
                self._metrics.add("LlmHandoffs", 1, "Count")
                handoff = Reply(say("llm_handoff", language), language, "handoff", wants_human=True)
                return Written(handoff, (*attempts, Attempt(completion.text, (), latency_ms)))
            violations = check_reply(draft, context)
            attempts.append(Attempt(completion.text, violations, latency_ms))
            if not violations:
                self._metrics.add(
                    "LlmRepliesSent" if len(attempts) == 1 else "LlmRepairsSent", 1, "Count"
                )
                return Written(self._reply(draft, context), tuple(attempts))
            for violation in violations:
                self._metrics.add(f"GuardFailed.{violation.guard}", 1, "Count")
            messages = repair_messages(prompt, completion.text, [v.problem for v in violations])
        return self._fallback("guards", attempts)

    def _reply(self, draft: DraftReply, context: GuardContext) -> Reply:
        cited = cited_passages(draft, context)
        link = more_line(cited[0].url, context.language)
        return Reply(
            fit_text(draft.text, link, context.style.max_chars),
            context.language,
            "llm",
            tuple(Citation(p.id, p.title, p.url) for p in cited),
            options=draft.quick_replies,
            quick_replies=draft.quick_replies,
        )

    def _fallback(self, failure: str, attempts: Sequence[Attempt]) -> Written:
        self._metrics.add("LlmFallbacks", 1, "Count")
        self._metrics.add(f"LlmFallbacks.{failure}", 1, "Count")  # a bounded set of reasons
        # The endpoint failing is worth a warning; a reply the guards stopped is routine.
        endpoint_failed = failure not in ("guards", "budget", "breaker_open")
        logger.log(
            logging.WARNING if endpoint_failed else logging.INFO,
            "llm reply not sent",
            extra={
                "failure": failure,
                "guards": sorted({v.guard for a in attempts for v in a.violations}),
                "attempts": len(attempts),
            },
        )
        return Written(None, tuple(attempts), failure)
