"""WeChat ingress: signatures and safe mode against wechatpy's vectors, the documented XML
messages, and XML that tries to expand entities."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from socialcare.channels.wechat import WeChatInbound
from socialcare.channels.wechat_crypto import WeChatCrypto, signature
from socialcare.model import Attachment, Channel, Kind, Location
from socialcare.webhook import BadHandshake, BadSignature, MalformedPayload, WebhookRequest
from tests.fakes.ports import MemoryNonces

TOKEN = "wechat-token"
NOW = 1348831860.0  # the signed queries' timestamp


def _inbound(token: str, crypto: WeChatCrypto | None = None, now: float = NOW) -> WeChatInbound:
    """Safe mode with `crypto`, else plain mode (opted into); its clock stopped at `now`."""
    return WeChatInbound(
        token, crypto, nonces=MemoryNonces(), clock=lambda: now, plain=crypto is None
    )


@pytest.fixture
def vectors(events: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((events / "wechat/encrypted.meta.json").read_text())
    return data


@pytest.fixture
def plain() -> WeChatInbound:
    return _inbound(TOKEN)


def _raw(events: Path, name: str) -> bytes:
    return (events / "wechat" / name).read_bytes()


def _signed_query(token: str = TOKEN, timestamp: str = "1348831860", nonce: str = "42") -> dict:
    return {"signature": signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def test_plain_signature_matches_wechatpys_vector(vectors: dict[str, Any]) -> None:
    v = vectors["plain_signature_vector"]
    assert signature(v["token"], v["timestamp"], v["nonce"]) == v["signature"]
    inbound = _inbound(v["token"])
    query = {**{k: v[k] for k in ("signature", "timestamp", "nonce")}, "echostr": "hello"}
    assert inbound.handshake(WebhookRequest("GET", {}, query, b"")).body == "hello"


@pytest.mark.parametrize("tamper", ["signature", "nonce", "timestamp"])
def test_handshake_with_a_wrong_signature_is_403(plain: WeChatInbound, tamper: str) -> None:
    query = {**_signed_query(), "echostr": "hello"}
    query[tamper] += "0"
    with pytest.raises(BadHandshake) as caught:
        plain.handshake(WebhookRequest("GET", {}, query, b""))
    assert caught.value.status == 403


def test_plain_text_message_is_parsed(plain: WeChatInbound, events: Path) -> None:
    """GIVEN the documented text message, correctly signed WHEN received THEN one Chinese-OA
    customer message, answered later through the customer-service API."""
    body = _raw(events, "text.xml")
    plain.verify(WebhookRequest("POST", {}, _signed_query(), body))
    [message] = plain.parse(body)
    assert (message.channel, message.kind, message.text) == (
        Channel.WECHAT,
        Kind.TEXT,
        "this is a test",
    )
    assert message.message_id == "1234567890123456"
    assert (message.recipient, message.account_id) == ("fromUser", "toUser")
    assert message.conversation_id == "wechat:toUser:fromUser"
    assert plain.acknowledgement == "success"


@pytest.mark.parametrize(
    "query",
    [{}, {"signature": "0" * 40, "timestamp": "1", "nonce": "2"}],
    ids=["missing", "forged"],
)
def test_unsigned_or_forged_post_is_refused(
    plain: WeChatInbound, events: Path, query: dict[str, str]
) -> None:
    with pytest.raises(BadSignature):
        plain.verify(WebhookRequest("POST", {}, query, _raw(events, "text.xml")))


def test_no_token_fails_closed(events: Path) -> None:
    with pytest.raises(BadSignature):
        _inbound("").verify(WebhookRequest("POST", {}, _signed_query(""), _raw(events, "text.xml")))


def test_safe_mode_decrypts_wechatpys_vector(vectors: dict[str, Any], events: Path) -> None:
    """GIVEN wechatpy's encrypted message, msg_signature and key WHEN received in safe mode THEN
    the signature holds and the decrypted message is the customer's "test"."""
    crypto = WeChatCrypto(vectors["encoding_aes_key"], vectors["app_id"])
    inbound = _inbound(vectors["token"], crypto, float(vectors["timestamp"]))
    body = _raw(events, "encrypted.xml")
    query = {
        "msg_signature": vectors["msg_signature"],
        "timestamp": vectors["timestamp"],
        "nonce": vectors["nonce"],
        "encrypt_type": "aes",
    }
    inbound.verify(WebhookRequest("POST", {}, query, body))
    [message] = inbound.parse(body)
    assert message.text == vectors["expected"]["Content"]
    assert message.sender_id == vectors["expected"]["FromUserName"]


def test_safe_mode_encrypts_like_wechatpy(vectors: dict[str, Any]) -> None:
    """GIVEN wechatpy's fixed random prefix WHEN a message is encrypted THEN the ciphertext and
    its msg_signature are wechatpy's, byte for byte."""
    v = vectors["encrypt_vector"]
    crypto = WeChatCrypto(vectors["encoding_aes_key"], vectors["app_id"])
    encrypted = crypto.encrypt(v["message"].encode(), v["nonce16"].encode())
    assert encrypted == v["encrypt"]
    assert signature(vectors["token"], v["timestamp"], v["nonce"], encrypted) == v["msg_signature"]
    echo = vectors["echo_vector"]
    assert (
        signature(vectors["token"], echo["timestamp"], echo["nonce"], echo["echo_str"])
        == echo["signature"]
    )
    assert crypto.decrypt(echo["echo_str"]).isdigit()


def test_safe_mode_refuses_plain_bodies_and_other_apps(
    vectors: dict[str, Any], events: Path
) -> None:
    """GIVEN safe mode WHEN a plain body (whose signature covers no content) or a message
    encrypted for another app id arrives THEN it is refused."""
    crypto = WeChatCrypto(vectors["encoding_aes_key"], vectors["app_id"])
    inbound = _inbound(vectors["token"], crypto)
    with pytest.raises(BadSignature):
        inbound.verify(WebhookRequest("POST", {}, _signed_query(vectors["token"]), b"<xml/>"))
    other = _inbound(vectors["token"], WeChatCrypto(vectors["encoding_aes_key"], "wxOTHER"))
    with pytest.raises(BadSignature):
        other.parse(_raw(events, "encrypted.xml"))


def test_wrong_key_is_refused(vectors: dict[str, Any], events: Path) -> None:
    crypto = WeChatCrypto("A" * 43, vectors["app_id"])
    with pytest.raises(BadSignature):
        _inbound(vectors["token"], crypto).parse(_raw(events, "encrypted.xml"))


def test_bad_encoding_aes_key_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="WECHAT_ENCODING_AES_KEY"):
        WeChatCrypto("too-short", "wx1")


@pytest.mark.parametrize(
    ("name", "kind", "text"),
    [
        ("image.xml", Kind.UNSUPPORTED, ""),
        ("voice.xml", Kind.UNSUPPORTED, ""),
        ("voice_recognition.xml", Kind.TEXT, "腾讯微信团队"),
        ("location.xml", Kind.UNSUPPORTED, ""),
        ("link.xml", Kind.UNSUPPORTED, ""),
        ("event_subscribe.xml", Kind.FOLLOW, ""),
        ("event_click.xml", Kind.TEXT, "EVENTKEY"),
    ],
)
def test_documented_messages_and_events(
    plain: WeChatInbound, events: Path, name: str, kind: Kind, text: str
) -> None:
    """GIVEN each documented message type WHEN parsed THEN media and locations are typed parts
    (answered politely), a voice transcript is text, a new follower is greeted."""
    [message] = plain.parse(_raw(events, name))
    assert (message.kind, message.text) == (kind, text)


def test_media_and_locations_are_typed_parts(plain: WeChatInbound, events: Path) -> None:
    [image] = plain.parse(_raw(events, "image.xml"))
    [place] = plain.parse(_raw(events, "location.xml"))
    assert image.parts == (Attachment("image", "this is a url"),)
    assert place.parts == (Location(23.134521, 113.358803, "位置信息"),)


@pytest.mark.parametrize("name", ["event_view.xml", "event_location.xml"])
def test_menu_views_and_location_reports_are_not_answered(
    plain: WeChatInbound, events: Path, name: str
) -> None:
    assert plain.parse(_raw(events, name)) == []


def test_events_without_msgid_get_a_stable_key(plain: WeChatInbound, events: Path) -> None:
    body = _raw(events, "event_subscribe.xml")
    assert plain.parse(body)[0].message_id == plain.parse(body)[0].message_id
    assert plain.parse(body)[0].message_id == "event:FromUser:123456789:subscribe"


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_entity_expansion_is_refused_before_it_expands(
    plain: WeChatInbound, events: Path, name: str
) -> None:
    """GIVEN XML with a DTD declaring entities (billion laughs, an external file) WHEN parsed
    THEN it is refused as malformed, 400, without expanding anything."""
    with pytest.raises(MalformedPayload) as caught:
        plain.parse(_raw(events, name))
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "body",
    [
        b"not xml",
        b"<html/>",
        b"<xml><MsgType>text</MsgType></xml>",
        b"<xml><FromUserName>a</FromUserName><ToUserName>b</ToUserName><MsgType>text</MsgType></xml>",
    ],
    ids=["not-xml", "wrong-root", "no-users", "no-msgid"],
)
def test_malformed_xml_is_400(plain: WeChatInbound, body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        plain.parse(body)


def test_encrypted_body_round_trips_for_the_demo(vectors: dict[str, Any], events: Path) -> None:
    """GIVEN the documented text message WHEN the local traffic encrypts it as WeChat does THEN
    the webhook in safe mode decrypts the same message."""
    crypto = WeChatCrypto(vectors["encoding_aes_key"], vectors["app_id"])
    encrypted = crypto.encrypt(_raw(events, "text.xml"), b"0123456789abcdef")
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
    [message] = _inbound(vectors["token"], crypto).parse(body)
    assert message.text == "this is a test"
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", encrypted)


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_request_signed_more_than_five_minutes_away_is_refused(events: Path, skew: int) -> None:
    """GIVEN a correctly signed message whose timestamp is 5 minutes and a second away from now
    (either way) WHEN received THEN it is refused as 401 and nothing is parsed."""
    late = _inbound(TOKEN, now=NOW + skew)

    with pytest.raises(BadSignature) as caught:
        late.verify(WebhookRequest("POST", {}, _signed_query(), _raw(events, "text.xml")))

    assert caught.value.status == 401


def test_a_nonce_replayed_with_another_body_is_refused(events: Path) -> None:
    """GIVEN plain mode, where the signature covers no body, and one signed delivery WHEN its
    query is replayed with another message inside the window THEN the replay is refused, while
    WeChat resending the very same delivery (it retries three times) is still accepted."""
    inbound = _inbound(TOKEN, now=NOW + 60)
    query = _signed_query()
    inbound.verify(WebhookRequest("POST", {}, query, _raw(events, "text.xml")))

    inbound.verify(WebhookRequest("POST", {}, query, _raw(events, "text.xml")))
    with pytest.raises(BadSignature, match="replay"):
        inbound.verify(WebhookRequest("POST", {}, query, _raw(events, "link.xml")))


def test_safe_mode_is_the_default_and_plain_mode_must_be_asked_for() -> None:
    """GIVEN no EncodingAESKey WHEN the ingress is built without opting into plain mode THEN it
    refuses to start instead of silently accepting unsigned bodies."""
    with pytest.raises(ValueError, match="safe mode"):
        WeChatInbound(TOKEN, None, nonces=MemoryNonces())
