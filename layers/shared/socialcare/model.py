"""The domain's types: what a customer sent, what the agent answers, the history between."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any, ClassVar


class Channel(StrEnum):
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    WHATSAPP = "whatsapp"
    X = "x"
    TELEGRAM = "telegram"
    WECHAT = "wechat"
    LINE = "line"
    WEBCHAT = "webchat"


class Kind(StrEnum):
    """What an inbound message asks of the agent."""

    TEXT = "text"  # a question or a chosen option: answered from the help centre
    FOLLOW = "follow"  # the customer started, followed or added the brand: greeted
    HELP = "help"  # the customer asked what the agent can do (/help)
    MENTION = "mention"  # the customer mentioned the brand in a story: thanked
    UNSUPPORTED = "unsupported"  # stickers, reactions, media without words: acknowledged politely


class Visibility(StrEnum):
    PRIVATE = "private"  # a direct message: only the customer sees the answer
    PUBLIC = "public"  # a post, comment or mention: everybody sees the answer


@dataclass(frozen=True, slots=True)
class TextPart:
    text: str
    type: str = "text"


@dataclass(frozen=True, slots=True)
class Attachment:
    """Media the customer sent: the platform's media id or URL, never the bytes."""

    media_type: str  # image, audio, video, file, sticker, story ...
    ref: str = ""  # the platform's media id or URL
    mime_type: str = ""
    type: str = "attachment"


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float
    name: str = ""
    type: str = "location"

    # About a kilometre: enough to find the nearest store, not the customer's door.
    PRECISION: ClassVar[int] = 2


Part = TextPart | Attachment | Location
_PARTS: dict[str, type[TextPart] | type[Attachment] | type[Location]] = {
    "text": TextPart,
    "attachment": Attachment,
    "location": Location,
}


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One customer message or event, normalised from any platform. Redacted at ingress."""

    channel: Channel
    message_id: str  # the platform's own id, unique within the channel: the idempotency key
    conversation_id: str  # one per customer on a brand account, also the FIFO message group
    sender_id: str  # the platform's id of the customer
    recipient: str  # where a private reply goes: chat id, wa_id, PSID, openid, user id ...
    kind: Kind
    text: str = ""
    sent_at: int = 0  # epoch seconds, from the platform
    account_id: str = ""  # the brand's account on the platform (page, phone number, OA ...)
    platform_type: str = ""  # the platform's own name for the message type, for logs
    sender_name: str = ""  # the customer's name on their profile; only until redaction
    parts: tuple[Part, ...] = ()  # text, attachments and locations, in the platform's order
    payload: str = ""  # the machine-readable value of a chosen quick reply, button or postback
    reply_to: str = ""  # the platform's id of the message this one answers or quotes
    visibility: Visibility = Visibility.PRIVATE
    thread_id: str = ""  # public messages: the post or comment to answer under
    reply_token: str = ""  # a one-time handle to answer this event (LINE reply token ...)
    # Keyed hashes of the e-mails and phones the text held before redaction (dialogue.verification)
    proofs: tuple[str, ...] = ()

    def redacted(self, redact: Callable[[str, Iterable[str]], str]) -> InboundMessage:
        """With personal data in the text and parts replaced by placeholders (the profile's name
        too), and the name itself dropped: neither reaches the queue, the tables or the logs."""
        names = (self.sender_name, *self.sender_name.split()) if self.sender_name else ()

        def clean(text: str) -> str:
            return redact(text, names)

        return replace(
            self,
            text=clean(self.text),
            parts=tuple(_redacted_part(part, clean) for part in self.parts),
            payload=clean(self.payload),  # web chat's is whatever the client sends
            sender_name="",
        )

    @property
    def reply_key(self) -> str:
        """The idempotency key every send of this message's reply carries, however often it is
        retried: a UUID derived from the channel and the platform's message id (which it does
        not reveal: WhatsApp's ids embed phone numbers)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"socialcare:{self.channel}:{self.message_id}"))

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> InboundMessage:
        return cls.from_dict(json.loads(raw))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InboundMessage:
        parts = tuple(_PARTS[p["type"]](**p) for p in data.get("parts", ()))
        return cls(
            **{
                **data,
                "channel": Channel(data["channel"]),
                "kind": Kind(data["kind"]),
                "visibility": Visibility(data.get("visibility", Visibility.PRIVATE)),
                "parts": parts,
                "proofs": tuple(data.get("proofs", ())),
            }
        )


def _redacted_part(part: Part, redact: Callable[[str], str]) -> Part:
    match part:
        case TextPart():
            return replace(part, text=redact(part.text))
        case Location():
            return replace(
                part,
                latitude=round(part.latitude, Location.PRECISION),
                longitude=round(part.longitude, Location.PRECISION),
                name=redact(part.name),
            )
        case _:
            return part


@dataclass(frozen=True, slots=True)
class Citation:
    id: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What the agent sends back, and why."""

    text: str
    language: str
    source: str  # "llm", "knowledge", "handoff", "greeting", "fallback", "unsupported" ...
    citations: tuple[Citation, ...] = ()
    options: tuple[str, ...] = ()  # choices offered as buttons or quick replies
    public: str = ""  # for a public post: the short answer everybody sees, no personal data
    quick_replies: tuple[str, ...] = ()  # short follow-ups the LLM suggests (shown as options)
    wants_human: bool = False  # a person should take the conversation over


@dataclass(frozen=True, slots=True)
class Entity:
    """A detail the customer gave (an order number, a date, an amount ...), where it stands."""

    type: str
    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Turn:
    """One stored line of a conversation. Text is redacted before it gets here; a customer's turn
    carries what the understanding made of it."""

    role: str  # "customer" or "agent"
    text: str
    at: float
    message_id: str
    language: str = ""
    source: str = ""
    intent: str = ""
    confidence: float = 0.0
    sentiment: str = ""  # negative, neutral, positive
    sentiment_score: float = 0.0
    entities: tuple[Entity, ...] = ()
    toxic: bool = False
    urgent: bool = False


class AnswerInProgress(RuntimeError):
    """Another attempt holds the right to answer this message and may still be sending: the
    queue brings the message back later, when that attempt has finished or is presumed dead."""


class StoreUnavailable(RuntimeError):
    """The conversation store failed (throttled, unreachable, contended) after its own retries:
    the message goes back to the queue."""


@dataclass(frozen=True, slots=True)
class Sending:
    """A reply on its way: the message it answers, the idempotency key every send of it carries,
    and when the attempt that holds it began (0: none holds it; the next delivery sends)."""

    message_id: str
    key: str
    since: float


class State(StrEnum):
    """Who answers the customer."""

    BOT = "bot"  # the agent answers
    PENDING_HUMAN = "pending_human"  # handed off, waiting in the agents' queue; the bot is silent
    HUMAN = "human"  # an agent owns the conversation; the bot is silent
    RESOLVED = "resolved"  # an agent closed it; the customer's next message goes to the bot


@dataclass(frozen=True, slots=True)
class Conversation:
    """A customer thread as stored: its recent turns, the message ids whose answer has begun,
    the replies still being sent, who owns it, the details remembered across turns, and a version
    for optimistic concurrency (0: never stored)."""

    id: str
    channel: Channel
    turns: tuple[Turn, ...] = ()
    answered: tuple[str, ...] = ()
    version: int = 0
    sending: tuple[Sending, ...] = ()
    state: State = State.BOT
    owner: str = ""  # the agent who took it over (the JWT's subject)
    handoff_reason: str = ""  # why it went to a human: asked_for_human, negative_sentiment ...
    waiting_since: float = 0.0  # when it entered the agents' queue (0: not waiting)
    handed_off_at: float = 0.0  # the latest handoff (0: never handed off)
    first_human_reply_at: float = 0.0  # the agent's first reply after that handoff
    human_active_at: float = 0.0  # the agent's latest action: the hand-back timeout counts from it
    handoffs: int = 0
    slots: tuple[tuple[str, str], ...] = ()  # details the customer gave: ("order_number", "1234")
    pending_intent: str = ""  # the intent waiting for a detail the agent asked for
    vip: bool = False  # from the customer's profile: first in the agents' queue
    urgent: bool = False  # handed off for someone's safety, money, account or the law: first of all
    customer_id: str = ""  # the profile this conversation belongs to
    contact: InboundMessage | None = None  # where a human agent's reply goes (no text)

    MAX_TURNS: ClassVar[int] = 50
    MAX_ANSWERED: ClassVar[int] = 200

    @property
    def language(self) -> str:
        """The language the customer last wrote in, for replies to messages without text."""
        for turn in reversed(self.turns):
            if turn.role == "customer" and turn.language:
                return turn.language
        return ""

    @property
    def customer_last_wrote(self) -> float:
        """When the customer's latest message was sent (0: never): message windows start here."""
        return max((t.at for t in self.turns if t.role == "customer"), default=0.0)

    def has_answered(self, message_id: str) -> bool:
        """Whether the message's reply went out (its answer began and is no longer sending)."""
        return message_id in self.answered and self.sending_of(message_id) is None

    def sending_of(self, message_id: str) -> Sending | None:
        return next((s for s in self.sending if s.message_id == message_id), None)

    def begin(self, customer: Turn, key: str, now: float) -> Conversation:
        """With the customer's turn added and its reply marked as being sent since `now`."""
        return replace(
            self,
            turns=(*self.turns, customer)[-self.MAX_TURNS :],
            answered=(*self.answered, customer.message_id)[-self.MAX_ANSWERED :],
            sending=(*self.sending, Sending(customer.message_id, key, now)),
        )

    def hold(self, message_id: str, since: float) -> Conversation:
        """With the reply's attempt restarted at `since` (0: released for the next delivery)."""
        return replace(
            self,
            sending=tuple(
                replace(s, since=since) if s.message_id == message_id else s for s in self.sending
            ),
        )

    def settle(self, message_id: str) -> Conversation:
        """With the message's reply no longer sending, though nothing was sent (a human agent
        owns the conversation)."""
        return replace(self, sending=tuple(s for s in self.sending if s.message_id != message_id))

    def finish(self, agent: Turn) -> Conversation:
        """With the agent's turn added and its reply no longer sending; as it was when another
        attempt finished first."""
        if self.sending_of(agent.message_id) is None:
            return self
        return replace(
            self,
            turns=(*self.turns, agent)[-self.MAX_TURNS :],
            sending=tuple(s for s in self.sending if s.message_id != agent.message_id),
        )

    def slot(self, name: str) -> str:
        return dict(self.slots).get(name, "")

    def remember(self, name: str, value: str) -> Conversation:
        return replace(self, slots=(*((k, v) for k, v in self.slots if k != name), (name, value)))

    def hand_off(self, reason: str, at: float, *, urgent: bool = False) -> Conversation:
        """Into the agents' queue (urgent: at its head); the bot stays silent from here on."""
        return replace(
            self,
            state=State.PENDING_HUMAN,
            urgent=urgent,
            owner="",
            handoff_reason=reason,
            waiting_since=at,
            handed_off_at=at,
            first_human_reply_at=0.0,
            handoffs=self.handoffs + 1,
            pending_intent="",
        )

    def human_reply(self, agent: str, turn: Turn) -> Conversation:
        """An agent's message: they own the conversation from now on."""
        return replace(
            self,
            turns=(*self.turns, turn)[-self.MAX_TURNS :],
            state=State.HUMAN,
            owner=agent,
            waiting_since=0.0,
            first_human_reply_at=self.first_human_reply_at or turn.at,
            human_active_at=turn.at,
        )

    def resolve(self) -> Conversation:
        return replace(
            self, state=State.RESOLVED, waiting_since=0.0, pending_intent="", urgent=False
        )

    def hand_back(self) -> Conversation:
        """Back to the bot: after an agent's hand-back, a resolved one's new message, a timeout."""
        return replace(self, state=State.BOT, owner="", waiting_since=0.0, urgent=False)
