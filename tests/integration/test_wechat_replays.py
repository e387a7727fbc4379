"""WeChat's webhook function against template.yaml's resources on moto: safe mode unless plain
mode is asked for, and replayed nonces refused through the idempotency table."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import boto3
import pytest

from socialcare import bootstrap
from socialcare.model import Channel
from socialcare.settings import SettingMissing
from socialcare.store.dynamodb_nonces import DynamoDBNonces
from socialcare_local.cfn_template import Template
from socialcare_local.traffic import Delivery, wechat_text
from tests.integration.functions import call_webhook, function, queued


@pytest.fixture
def no_aes_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN the stack's WeChat secret without an EncodingAESKey."""
    monkeypatch.setenv("WECHAT_ENCODING_AES_KEY", "")


def _post(template: Template, delivery: Delivery) -> dict[str, Any]:
    path, _, query = delivery.path.partition("?")
    fn = function(template, "WebhookWeChatFunction")
    return call_webhook(fn, "POST", path, delivery.body, delivery.headers, query)


def test_a_secret_without_the_aes_key_stops_the_webhook_instead_of_going_plain(
    no_aes_key: None, aws: Template
) -> None:
    """GIVEN no EncodingAESKey and no opt-in WHEN the WeChat ingress is built THEN it refuses,
    naming the missing key and the setting that would allow plain mode."""
    with pytest.raises(SettingMissing) as refused:
        bootstrap.inbound_channel(Channel.WECHAT)

    assert "encoding_aes_key" in str(refused.value)
    assert "WECHAT_PLAIN_MODE" in str(refused.value)


def test_plain_mode_asked_for_warns_and_refuses_a_replayed_nonce(
    no_aes_key: None,
    aws: Template,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """GIVEN plain mode opted into WHEN a signed delivery arrives, and then its query string
    again with another message THEN a warning says bodies are unsigned, the first is queued and
    the replay is refused with 401."""
    monkeypatch.setenv("WECHAT_PLAIN_MODE", "true")
    bootstrap.reset()
    first = wechat_text("oReplay1", "where is my parcel?")

    accepted = _post(aws, first)
    replayed = _post(aws, replace(first, body=wechat_text("oReplay1", "refund me now").body))

    assert any("WECHAT_PLAIN_MODE" in r.getMessage() for r in caplog.records)
    assert (accepted["statusCode"], replayed["statusCode"]) == (200, 401)
    messages = queued(boto3.client("sqs"), aws.physical["InboundQueue"]["Ref"])
    assert [m["text"] for m in messages] == ["where is my parcel?"]


def test_wechat_resending_the_same_delivery_is_queued_once(aws: Template) -> None:
    """GIVEN safe mode (the default) WHEN WeChat resends a delivery it got no answer for THEN
    both are acknowledged and the message is queued once."""
    delivery = wechat_text("oRetry1", "退货要多久?")
    assert "encrypt_type=aes" in delivery.path

    answers = [_post(aws, delivery)["statusCode"] for _ in range(2)]

    assert answers == [200, 200]
    messages = queued(boto3.client("sqs"), aws.physical["InboundQueue"]["Ref"])
    assert [m["text"] for m in messages] == ["退货要多久?"]


def test_a_nonce_is_kept_until_its_window_ends(aws: Template) -> None:
    """GIVEN the idempotency table WHEN a nonce is claimed THEN it expires with its window."""
    table = aws.physical["IdempotencyTable"]["Ref"]
    nonces = DynamoDBNonces(table)

    assert nonces.claim("wechat#1700000000#42", "a", 1700000300)
    assert nonces.claim("wechat#1700000000#42", "a", 1700000300)
    assert not nonces.claim("wechat#1700000000#42", "b", 1700000300)
    item = boto3.client("dynamodb").get_item(
        TableName=table, Key={"id": {"S": "nonce#wechat#1700000000#42"}}
    )["Item"]
    assert item["expiration"]["N"] == "1700000300"
