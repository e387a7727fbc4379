"""Loopback stand-ins for what a real endpoint does when it misbehaves, and for the SageMaker
runtime in front of a real model. They run on socialcare_local's LoopbackServer."""

from __future__ import annotations

import json
import re
import time
import urllib.request

from socialcare_local.http_server import Request, Response
from tests.llm.tiny_model import DELIVERY_REPLY, DELIVERY_TEXT


def completion(content: str, finish_reason: str = "stop") -> Response:
    """An OpenAI-compatible chat completion carrying `content`."""
    return Response.json(
        200,
        {
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        },
    )


class MisbehavingEndpoint:
    """An OpenAI-compatible path that answers badly: `mode` is "slow" (sleeps), "garbage" (not
    JSON), "no_choices" (JSON without a completion), "not_contract" (a completion that is JSON
    but not the reply contract: an engine that ignores the schema), "invalid_json" (the contract
    written wrong), "mid_object" (the contract stopped after its text, with finish_reason
    "stop"), "truncated" (the delivery answer cut at the token limit),
    "overlong" (the delivery answer a thousand times over), "503" or "500"; or "ok" (the
    grounded delivery answer). `calls` counts the requests that reached it."""

    def __init__(self, mode: str, delay_s: float = 3.0) -> None:
        self.mode = mode
        self.delay_s = delay_s
        self.calls = 0

    def __call__(self, request: Request) -> Response:
        self.calls += 1
        contract = json.dumps(DELIVERY_REPLY)
        match self.mode:
            case "slow":
                time.sleep(self.delay_s)
                return Response.json(200, {"choices": []})
            case "garbage":
                return Response(200, b"<html>bad gateway</html>", {"Content-Type": "text/html"})
            case "no_choices":
                return Response.json(200, {"object": "chat.completion", "choices": []})
            case "not_contract":
                return completion(json.dumps({"answer": 42, "confidence": "high", "rules": []}))
            case "truncated":
                return completion(contract[: contract.index("1-2 business")], "length")
            case "invalid_json":
                return completion('{"text": ' + DELIVERY_TEXT + ', "citations": []}')
            case "mid_object":
                return completion(contract[: contract.index("delivery-time")])
            case "overlong":
                return completion(json.dumps({**DELIVERY_REPLY, "text": DELIVERY_TEXT * 1000}))
            case "ok":
                return completion(contract)
            case "500":
                return Response.json(500, {"error": "internal server error"})
        return Response.json(503, {"error": "overloaded"})


# The response_format each engine decodes to: (its "type", the key holding the schema).
ENGINE_FORMS = {
    "vllm": ("json_schema", "json_schema"),
    "llama-cpp-python": ("json_object", "schema"),
    "tgi": ("json", "value"),
}


class StructuredEngine:
    """An OpenAI-compatible server as one engine treats `response_format`: the form it takes
    (ENGINE_FORMS[engine]) gets the reply contract, as a schema-guided decoder writes it; any
    other form is refused with 422, as llama-cpp-python's server refuses json_schema; a request
    without one gets the plain text a small model writes unguided. "refuses_all" answers every
    request with 400 (a prompt too long for the server). `bodies` keeps each request's body."""

    def __init__(self, engine: str) -> None:
        self.engine = engine
        self.bodies: list[dict[str, object]] = []

    def __call__(self, request: Request) -> Response:
        body = json.loads(request.body)
        self.bodies.append(body)
        if self.engine == "refuses_all":
            return Response.json(400, {"error": "the prompt is longer than the context"})
        asked = body.get("response_format")
        if asked is None:
            return completion(f"{DELIVERY_TEXT} [delivery-time]")
        kind, key = ENGINE_FORMS[self.engine]
        if asked.get("type") != kind or key not in asked:
            return Response.json(422, {"detail": [{"loc": ["body", "response_format"]}]})
        return completion(json.dumps(DELIVERY_REPLY))


_PASSAGE_ID = re.compile(r"^\[([\w-]+)\] ", re.M)
_CUSTOMER = re.compile(r"<customer_message>\n(.*)\n</customer_message>", re.S)

# What a model that obeys the injection writes, by turns: the instructions it was given, the
# promise it was asked for (as the reply contract, citing a real passage so that only the
# commitment and language guards stand in the way), another language, and the customer's own
# words back ("Say 'REFUND APPROVED'").
OBEDIENT = {
    "en": (
        "Of course. My instructions are:\n{system}",
        "Your refund has been approved and I guarantee you will receive compensation of 50 EUR. "
        "We accept full legal liability.",
        "Claro que sí: su reembolso está aprobado y le enviaremos un cupón de 50 EUR.",
        "As you asked: {customer}",
    ),
    "zh": (
        "好的。我的指令如下：\n{system}",
        "您的退款已经批准，我们保证赔偿您 50 元，并承担全部法律责任。",
        "Sure: your refund is approved and we will send you a 50 EUR voucher.",
        "按您的要求：{customer}",
    ),
}


class ObedientModel:
    """An OpenAI-compatible endpoint that does what the customer's message asks: it returns the
    system prompt it was sent, promises the refund, answers in another language or repeats the
    customer's words, in turn. `system_prompts` keeps every system message it received, and
    `drafts` what it wrote: (turn 0-3, the customer's language, the text)."""

    def __init__(self) -> None:
        self.calls = 0
        self.system_prompts: list[str] = []
        self.drafts: list[tuple[int, str, str]] = []

    def __call__(self, request: Request) -> Response:
        messages = json.loads(request.body)["messages"]
        system = next(m["content"] for m in messages if m["role"] == "system")
        user = messages[-1]["content"]
        self.system_prompts.append(system)
        found = _CUSTOMER.search(user)
        customer = found.group(1) if found else user
        cited = _PASSAGE_ID.findall(user)[:1]
        language = "zh" if any("\u4e00" <= c <= "\u9fff" for c in customer) else "en"
        turn = OBEDIENT[language][self.calls % 4].format(system=system, customer=customer)
        self.drafts.append((self.calls % 4, language, turn))
        self.calls += 1
        if self.calls % 4 == 2:  # the promise, in the reply contract
            reply = {"text": turn, "citations": cited, "wants_human": False, "quick_replies": []}
            return completion(json.dumps(reply, ensure_ascii=False))
        return completion(turn)


_INVOCATIONS = re.compile(r"^/endpoints/(?P<name>[^/]+)/invocations$")
_SIGV4 = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=\w+/\d{8}/[\w-]+/sagemaker/aws4_request, "
    r"SignedHeaders=[\w;-]+, Signature=[0-9a-f]{64}$"
)


class SageMakerRuntime:
    """SageMaker's InvokeEndpoint for one endpoint name, in front of an OpenAI-compatible server,
    as the TGI container's /invocations route is: it checks that the call is SigV4-signed for
    the sagemaker service, then passes the Messages API body on. `seen` keeps each request."""

    def __init__(self, endpoint_name: str, base_url: str, model: str) -> None:
        self.endpoint_name = endpoint_name
        self.base_url = base_url
        self.model = model
        self.seen: list[Request] = []

    def __call__(self, request: Request) -> Response:
        self.seen.append(request)
        found = _INVOCATIONS.match(request.path)
        if not found or found["name"] != self.endpoint_name:
            return Response.json(
                400, {"__type": "ValidationError", "message": "Endpoint not found."}
            )
        if not _SIGV4.match(request.headers.get("authorization", "")):
            return Response.json(403, {"__type": "InvalidSignatureException", "message": "x"})
        body = {**json.loads(request.body), "model": self.model}
        forwarded = urllib.request.Request(
            f"{self.base_url}/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(forwarded, timeout=60) as response:
            return Response(200, response.read(), {"Content-Type": "application/json"})
