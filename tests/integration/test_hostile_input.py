"""Hostile bodies at every channel's real webhook function (moto behind it): random bytes,
truncated and wrongly typed deliveries, invalid UTF-8, oversized bodies, XML entity bombs.
Signed or not, none is answered with a 5xx (which the platform would retry for days); unsigned
or forged, none is queued."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcare.channels.webchat import WebchatSessions
from socialcare.webhook import MAX_BODY_BYTES
from socialcare_local.cfn_template import Template
from socialcare_local.credentials import credential
from socialcare_local.traffic import (
    Delivery,
    WebchatSession,
    line_headers,
    meta_headers,
    webchat_message,
    wechat_text,
    x_headers,
)
from tests.channel_cases import CASES, ChannelCase
from tests.integration.functions import call_webhook, function


def _webchat(n: int, texts: list[str]) -> Delivery:
    """A web chat message under a session token issued as POST /webchat/session issues it."""
    session = WebchatSessions(credential("WEBCHAT_SIGNING_KEY")).issue()
    return webchat_message(WebchatSession(session.token, session.session_id), texts[0])


EVERY_CHANNEL = [
    *CASES,
    ChannelCase("webchat", "WebhookWebchatFunction", _webchat, "Authorization", batches=False),
]

CHECKS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Bodies signed the way each platform signs them (Telegram and WeChat sign beside the body).
RESIGN: dict[str, Callable[[bytes], dict[str, str]]] = {
    "whatsapp": lambda raw: meta_headers(raw, credential("WHATSAPP_APP_SECRET")),
    "messenger": lambda raw: meta_headers(raw, credential("MESSENGER_APP_SECRET")),
    "instagram": lambda raw: meta_headers(raw, credential("INSTAGRAM_APP_SECRET")),
    "x": x_headers,
    "line": line_headers,
}

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [path] + [p for k, v in node.items() for p in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [path] + [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))]
    return [path]


def _replaced(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(node))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


@st.composite
def hostile(draw: st.DrawFn, valid: bytes) -> bytes:
    """A body made from a valid delivery: cut short, a field of the wrong type, invalid UTF-8
    spliced in, or random bytes."""
    kind = draw(st.sampled_from(["truncated", "wrong_type", "bad_utf8", "random"]))
    if kind == "truncated":
        return valid[: draw(st.integers(0, max(len(valid) - 1, 0)))]
    if kind == "bad_utf8":
        at = draw(st.integers(0, len(valid)))
        junk = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80"]))
        return valid[:at] + junk + valid[at:]
    if kind == "wrong_type" and valid.lstrip().startswith(b"{"):
        document = json.loads(valid)
        path = draw(st.sampled_from(_leaves(document)))
        return json.dumps(_replaced(document, path, draw(JSON_VALUES))).encode()
    return draw(st.binary(max_size=600))


def _queued(template: Template) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=template.physical["InboundQueue"]["Ref"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())


def _signed(case: ChannelCase, delivery: Delivery, body: bytes) -> Delivery:
    sign = RESIGN.get(case.channel)
    headers = {**delivery.headers, **sign(body)} if sign else delivery.headers
    return replace(delivery, body=body, headers=headers)


def _post(template: Template, case: ChannelCase, delivery: Delivery) -> int:
    path, _, query = delivery.path.partition("?")
    response = call_webhook(
        function(template, case.function), "POST", path, delivery.body, delivery.headers, query
    )
    return int(response["statusCode"])


@pytest.mark.parametrize("case", EVERY_CHANNEL, ids=lambda c: c.channel)
@CHECKS
@given(data=st.data())
def test_signed_hostile_bodies_never_get_a_5xx(
    aws: Template, case: ChannelCase, data: st.DataObject
) -> None:
    """GIVEN a properly signed delivery whose body is cut short, mistyped, not UTF-8 or random
    WHEN the channel's function receives it THEN it answers 2xx or 4xx, never 5xx."""
    delivery = case.deliver(["where is my order?"])
    body = data.draw(hostile(delivery.body))

    assert _post(aws, case, _signed(case, delivery, body)) < 500


@pytest.mark.parametrize("case", EVERY_CHANNEL, ids=lambda c: c.channel)
@CHECKS
@given(data=st.data())
def test_forged_or_unsigned_hostile_bodies_are_refused_and_never_queued(
    aws: Template, case: ChannelCase, data: st.DataObject
) -> None:
    delivery = case.deliver(["where is my order?"])
    body = data.draw(hostile(delivery.body) | st.just(delivery.body))
    forge = data.draw(st.sampled_from([case.forged, case.unsigned]))

    status = _post(aws, case, forge(replace(delivery, body=body)))

    assert status in (400, 401, 403, 413)
    assert _queued(aws) == 0


@pytest.mark.parametrize("case", EVERY_CHANNEL, ids=lambda c: c.channel)
def test_oversized_bodies_are_413_and_never_queued(aws: Template, case: ChannelCase) -> None:
    delivery = case.deliver(["x" * (MAX_BODY_BYTES + 10)])

    assert _post(aws, case, delivery) == 413
    assert _queued(aws) == 0


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    + "]><xml><ToUserName>x</ToUserName><FromUserName>&lol9;</FromUserName>"
    "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content>"
    "<MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>x</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"
)


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion_laughs", "xxe"])
def test_xml_entity_bombs_are_refused_by_the_wechat_webhook(aws: Template, xml: str) -> None:
    """GIVEN a correctly signed WeChat delivery that declares entities (exponential expansion,
    or a file on the server) WHEN received THEN it is a 400 and nothing is queued or expanded."""
    (case,) = [c for c in CASES if c.channel == "wechat"]
    delivery = replace(wechat_text("o1", "hi"), body=xml.encode())

    assert _post(aws, case, delivery) == 400
    assert _queued(aws) == 0
