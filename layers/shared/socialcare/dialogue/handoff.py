"""Why a conversation went to a person, in words an agent understands, and which handoffs go to
the head of the agents' queue."""

from __future__ import annotations

from enum import StrEnum

from socialcare.understand.risk import Risk


class HandoffReason(StrEnum):
    SELF_HARM = Risk.SELF_HARM.value
    SAFETY = Risk.SAFETY.value
    SECURITY = Risk.SECURITY.value
    FRAUD = Risk.FRAUD.value
    LEGAL = Risk.LEGAL.value
    REGULATOR = Risk.REGULATOR.value
    PUBLIC = Risk.PUBLIC.value
    HARASSMENT = Risk.HARASSMENT.value
    ACCOUNT_DELETION = Risk.ACCOUNT_DELETION.value
    ASKED_FOR_HUMAN = "asked_for_human"
    NEGATIVE_SENTIMENT = "negative_sentiment"
    REPEATED_FAILURE = "repeated_failure"
    WANTS_HUMAN = "wants_human"  # the answer guard's verdict
    LLM_WANTS_HUMAN = "llm_wants_human"  # the LLM writer's verdict
    VERIFICATION_FAILED = "verification_failed"  # an order's e-mail or phone did not match
    VIP_COMPLAINT = "vip_complaint"  # a VIP's complaint goes to a person at once

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def urgent(self) -> bool:
        """First in the agents' queue: someone's safety, money or account, or the law."""
        return self in _URGENT

    @classmethod
    def of(cls, risk: Risk) -> HandoffReason:
        return cls.ASKED_FOR_HUMAN if risk is Risk.HUMAN else cls(risk.value)


_LABELS = {
    HandoffReason.SELF_HARM: "Customer may be at risk of self-harm",
    HandoffReason.SAFETY: "Product safety incident (injury, fire, burn)",
    HandoffReason.SECURITY: "Possible account takeover or unauthorised payment",
    HandoffReason.FRAUD: "Fraud or chargeback",
    HandoffReason.LEGAL: "Legal threat",
    HandoffReason.REGULATOR: "Complaint to a regulator or consumer agency",
    HandoffReason.PUBLIC: "Threatens to go public",
    HandoffReason.HARASSMENT: "Abusive or harassing language",
    HandoffReason.ACCOUNT_DELETION: "Account or data deletion request",
    HandoffReason.ASKED_FOR_HUMAN: "Asked for a person",
    HandoffReason.NEGATIVE_SENTIMENT: "Stayed unhappy over several messages",
    HandoffReason.REPEATED_FAILURE: "The same question failed twice",
    HandoffReason.WANTS_HUMAN: "The answer guard asked for a person",
    HandoffReason.LLM_WANTS_HUMAN: "The assistant could not answer safely",
    HandoffReason.VERIFICATION_FAILED: "Could not prove the order is theirs",
    HandoffReason.VIP_COMPLAINT: "A VIP customer's complaint",
}
_URGENT = frozenset(HandoffReason.of(risk) for risk in Risk if risk.urgent)

LANGUAGE_NAMES = {
    "en": "English",
    "zh": "Chinese",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "ja": "Japanese",
    "ko": "Korean",
}


def describe(reason: str, language: str) -> str:
    """The line an agent reads in the queue: why, and the language the customer writes in."""
    known = reason in HandoffReason.__members__.values()
    label = HandoffReason(reason).label if known else reason.replace("_", " ")
    return f"{label} · writes in {LANGUAGE_NAMES.get(language, language or 'English')}"
