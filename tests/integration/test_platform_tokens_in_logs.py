"""Platform tokens never reach a log line or an error: urllib3 logs the URL it retries, and the
URL carries Telegram's bot token (path) and WeChat's access token (query)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from socialcare.channels.outbound import Outgoing
from socialcare.channels.outbound_http import DeliveryFailed, PlatformHttp
from socialcare.channels.telegram import TelegramOutbound
from socialcare.channels.wechat import WeChatOutbound
from socialcare.model import Channel, InboundMessage, Kind
from socialcare_local.http_server import LoopbackServer, Request, Response
from socialcare_local.moto_server import free_port

BOT_TOKEN = "7012345678:AAHsecretBotTokenValue_0123456789abcd"
ACCESS_TOKEN = "wechat-access-token-SECRET-42"


def _unavailable(request: Request) -> Response:
    """A platform that hands out WeChat access tokens but is down for everything else."""
    if request.path.endswith("/stable_token"):
        return Response.json(200, {"access_token": ACCESS_TOKEN, "expires_in": 7200})
    return Response.json(503, {"description": "try later"})


@pytest.fixture
def platform() -> Iterator[str]:
    server = LoopbackServer(_unavailable, free_port()).start()
    yield f"http://127.0.0.1:{server.port}"
    server.stop()


def _message(channel: Channel) -> InboundMessage:
    return InboundMessage(
        channel=channel,
        message_id="m1",
        conversation_id=f"{channel}:42",
        sender_id="42",
        recipient="42",
        kind=Kind.TEXT,
        text="hi",
    )


REPLY = [Outgoing("Your parcel ships today.", key="k1")]


@pytest.mark.parametrize("down", ["503", "refused"])
def test_a_retried_telegram_send_logs_no_bot_token(
    platform: str, down: str, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN the Bot API answering 503, or refusing connections WHEN a reply is sent and
    retried until it fails THEN urllib3's retry lines are logged, but neither they nor the
    error carry the bot token."""
    base = platform if down == "503" else f"http://127.0.0.1:{free_port()}"
    caplog.set_level(logging.DEBUG)

    with pytest.raises(DeliveryFailed) as failed:
        TelegramOutbound(PlatformHttp(), base, BOT_TOKEN).send(_message(Channel.TELEGRAM), REPLY)

    assert "Retry" in caplog.text
    assert "/bot<token>/sendMessage" in caplog.text
    assert BOT_TOKEN not in caplog.text
    assert BOT_TOKEN.split(":")[1] not in caplog.text
    assert BOT_TOKEN not in str(failed.value)


def test_a_retried_wechat_send_logs_no_access_token(
    platform: str, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN WeChat's send API answering 503 WHEN a reply is sent and retried until it fails
    THEN the retries are logged without the access token, and the error does not carry it."""
    caplog.set_level(logging.DEBUG)
    sender = WeChatOutbound(PlatformHttp(), platform, "wx-app", "app-secret")

    with pytest.raises(DeliveryFailed) as failed:
        sender.send(_message(Channel.WECHAT), REPLY)

    assert "access_token=<redacted>" in caplog.text
    assert ACCESS_TOKEN not in caplog.text
    assert ACCESS_TOKEN not in str(failed.value)
