"""The platform sandbox: stands in for the platforms' send APIs on 127.0.0.1:3001.

It checks the credentials each platform checks, records every message that would have been
sent (GET /_sent: channel, recipient, text, audience, options), and can be told to fail or to
delay the next calls (POST /_faults) so that retries and the dead-letter queue can be seen
working. It honours idempotency keys as LINE honours X-Line-Retry-Key: a call whose key
(Idempotency-Key, or X-Line-Retry-Key) it has accepted before is not delivered again; it gets
the first answer back (LINE's push: 409, as LINE answers).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from socialcare_local.credentials import credential
from socialcare_local.http_server import Request, Response

Handler = Callable[["PlatformSandbox", Request, dict[str, str], dict[str, Any]], Response]


def api_base_environment(sandbox_url: str) -> dict[str, str]:
    """The platforms' API base settings, pointed at a sandbox."""
    return {
        "TELEGRAM_API_BASE": f"{sandbox_url}/telegram",
        "WHATSAPP_API_BASE": f"{sandbox_url}/whatsapp/v21.0",
        "MESSENGER_API_BASE": f"{sandbox_url}/messenger/v21.0",
        "INSTAGRAM_API_BASE": f"{sandbox_url}/instagram/v21.0",
        "X_API_BASE": f"{sandbox_url}/x",
        "WECHAT_API_BASE": f"{sandbox_url}/wechat",
        "LINE_API_BASE": f"{sandbox_url}/line",
    }


def _bearer(variable: str) -> Callable[[Request], bool]:
    return lambda request: request.headers.get("authorization") == f"Bearer {credential(variable)}"


class PlatformSandbox:
    def __init__(self) -> None:
        self._sent: list[dict[str, Any]] = []
        self._faults: dict[str, list[dict[str, Any]]] = {}
        self._wechat_tokens: set[str] = set()
        self._accepted: dict[tuple[str, str], Response] = {}  # (channel, key) -> first answer
        self._lock = threading.Lock()
        self._keys_lock = threading.Lock()  # held across a keyed call: one of two concurrent wins
        meta = r"v[\d.]+/(?P<node>[^/]+)"
        # (method path pattern, channel, authorised?, what the call sends)
        self._routes: list[tuple[re.Pattern[str], str, Callable[[Request], bool], Handler]] = [
            (
                re.compile(
                    r"^/telegram/bot(?P<token>[^/]+)/(?P<method>sendMessage|answerCallbackQuery)$"
                ),
                "telegram",
                lambda r: True,  # the token is in the path; checked in the handler
                PlatformSandbox._telegram,
            ),
            (
                re.compile(rf"^/whatsapp/{meta}/messages$"),
                "whatsapp",
                _bearer("WHATSAPP_ACCESS_TOKEN"),
                PlatformSandbox._whatsapp,
            ),
            (
                re.compile(rf"^/messenger/{meta}/(?P<edge>messages|comments)$"),
                "messenger",
                _bearer("MESSENGER_PAGE_TOKEN"),
                PlatformSandbox._meta,
            ),
            (
                re.compile(rf"^/instagram/{meta}/(?P<edge>messages|replies)$"),
                "instagram",
                _bearer("INSTAGRAM_ACCESS_TOKEN"),
                PlatformSandbox._meta,
            ),
            (
                re.compile(r"^/x/2/(?:tweets|dm_conversations/with/(?P<user>[^/]+)/messages)$"),
                "x",
                _bearer("X_ACCESS_TOKEN"),
                PlatformSandbox._x,
            ),
            (
                re.compile(r"^/wechat/cgi-bin/(?P<call>stable_token|message/custom/send)$"),
                "wechat",
                lambda r: True,
                PlatformSandbox._wechat,
            ),
            (
                re.compile(r"^/line/v2/bot/message/(?P<call>reply|push)$"),
                "line",
                _bearer("LINE_CHANNEL_ACCESS_TOKEN"),
                PlatformSandbox._line,
            ),
        ]

    def sent(self) -> list[dict[str, Any]]:
        """What the platforms would have delivered so far, oldest first."""
        with self._lock:
            return list(self._sent)

    def __call__(self, request: Request) -> Response:
        if request.path == "/_sent":
            if request.method == "DELETE":
                with self._lock:
                    self._sent.clear()
                return Response.json(200, [])
            return Response.json(200, self.sent())
        if request.path == "/_faults" and request.method == "POST":
            return self._add_faults(request)
        if request.path == "/_faults" and request.method == "DELETE":
            with self._lock:
                self._faults.clear()
            return Response.json(200, {})
        if request.path == "/health":
            return Response.json(200, {"status": "ok"})
        for pattern, channel, authorised, handler in self._routes:
            found = pattern.match(request.path)
            if found and request.method == "POST":
                if not authorised(request):
                    return Response.json(401, {"error": "Invalid access token"})
                if fault := self._fault(channel):
                    return fault
                return self._once_per_key(
                    channel,
                    request,
                    partial(handler, self, request, found.groupdict(), json.loads(request.body)),
                )
        return Response.json(404, {"error": f"no platform API at {request.path}"})

    def _once_per_key(
        self, channel: str, request: Request, call: Callable[[], Response]
    ) -> Response:
        key = request.headers.get("idempotency-key") or request.headers.get("x-line-retry-key")
        if not key:
            return call()
        with self._keys_lock:
            first = self._accepted.get((channel, key))
            if first is None:
                answer = call()
                if answer.status < 400:
                    self._accepted[(channel, key)] = answer
                return answer
        if "x-line-retry-key" in request.headers:
            conflict = Response.json(409, {"message": "The retry key is already accepted"})
            conflict.headers["x-line-accepted-request-id"] = key
            return conflict
        return first

    def _add_faults(self, request: Request) -> Response:
        """{"channel": "telegram", "status": 429, "count": 2, "retry_after": 1}, or
        {"channel": "telegram", "delay_s": 6} to answer late (after the sender's timeout), or
        both: late, then the status."""
        fault = json.loads(request.body)
        with self._lock:
            self._faults.setdefault(fault["channel"], []).extend(
                [fault] * int(fault.get("count", 1))
            )
        return Response.json(200, {"queued_faults": fault.get("count", 1)})

    def _fault(self, channel: str) -> Response | None:
        with self._lock:
            pending = self._faults.get(channel)
            fault = pending.pop(0) if pending else None
        if fault is None:
            return None
        time.sleep(float(fault.get("delay_s", 0)))
        if "status" not in fault:
            return None
        headers = {"Retry-After": str(fault["retry_after"])} if "retry_after" in fault else {}
        return Response(
            int(fault["status"]),
            b'{"error":"injected fault"}',
            {"Content-Type": "application/json", **headers},
        )

    def _record(
        self,
        channel: str,
        recipient: str,
        text: str,
        raw: dict[str, Any],
        *,
        audience: str = "private",
        options: tuple[str, ...] = (),
    ) -> int:
        with self._lock:
            self._sent.append(
                {
                    "channel": channel,
                    "recipient": recipient,
                    "text": text,
                    "audience": audience,
                    "options": list(options),
                    "at": time.time(),
                    "request": raw,
                }
            )
            return len(self._sent)

    def _telegram(self, request: Request, path: dict[str, str], body: dict[str, Any]) -> Response:
        if path["token"] != credential("TELEGRAM_BOT_TOKEN"):
            return Response.json(
                401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        if path["method"] == "answerCallbackQuery":
            return Response.json(200, {"ok": True, "result": True})
        keyboard = body.get("reply_markup", {}).get("inline_keyboard", [])
        n = self._record(
            "telegram",
            str(body["chat_id"]),
            body["text"],
            body,
            options=tuple(row[0]["text"] for row in keyboard),
        )
        result = {"message_id": n, "date": int(time.time()), "chat": {"id": body["chat_id"]}}
        return Response.json(200, {"ok": True, "result": {**result, "text": body["text"]}})

    def _whatsapp(self, request: Request, path: dict[str, str], body: dict[str, Any]) -> Response:
        kind = body.get("type")
        if kind == "template":
            text, audience, options = body["template"]["name"], "template", ()
        elif kind == "interactive":
            interactive = body["interactive"]
            text, audience = interactive["body"]["text"], "private"
            options = tuple(b["reply"]["title"] for b in interactive["action"]["buttons"])
        else:
            text, audience, options = body["text"]["body"], "private", ()
        n = self._record(
            "whatsapp",
            body["to"],
            text,
            {**body, "phone_number_id": path["node"]},
            audience=audience,
            options=options,
        )
        return Response.json(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": f"wamid.sandbox.{n}"}],
            },
        )

    def _meta(self, request: Request, path: dict[str, str], body: dict[str, Any]) -> Response:
        channel = request.path.split("/")[1]
        if path["edge"] in ("comments", "replies"):  # a public answer under a comment
            n = self._record(channel, path["node"], body["message"], body, audience="public")
            return Response.json(200, {"id": f"{path['node']}_{n}"})
        recipient = body["recipient"]
        # A private reply to a comment reaches its author; the sandbox names them by the
        # comment id, as the platform's answer below does.
        who = recipient.get("id") or recipient["comment_id"]
        message = body["message"]
        options = tuple(q["title"] for q in message.get("quick_replies", ()))
        n = self._record(channel, who, message["text"], body, options=options)
        return Response.json(200, {"recipient_id": who, "message_id": f"m_sandbox_{n}"})

    def _x(self, request: Request, path: dict[str, str], body: dict[str, Any]) -> Response:
        if path["user"]:
            n = self._record("x", path["user"], body["text"], body)
            return Response.json(
                201, {"data": {"dm_conversation_id": path["user"], "dm_event_id": str(n)}}
            )
        in_reply_to = body.get("reply", {}).get("in_reply_to_tweet_id", "")
        n = self._record("x", in_reply_to, body["text"], body, audience="public")
        return Response.json(201, {"data": {"id": str(n), "text": body["text"]}})

    def _wechat(self, request: Request, path: dict[str, str], body: dict[str, Any]) -> Response:
        if path["call"] == "stable_token":
            if (body.get("appid"), body.get("secret")) != (
                credential("WECHAT_APP_ID"),
                credential("WECHAT_APP_SECRET"),
            ):
                return Response.json(200, {"errcode": 40125, "errmsg": "invalid appsecret"})
            token = f"sandbox-wechat-token-{len(self._wechat_tokens) + 1}"
            with self._lock:
                self._wechat_tokens.add(token)
            return Response.json(200, {"access_token": token, "expires_in": 7200})
        token = parse_qs(request.query).get("access_token", [""])[0]
        if token not in self._wechat_tokens:
            return Response.json(200, {"errcode": 40001, "errmsg": "invalid credential"})
        self._record("wechat", body["touser"], body["text"]["content"], body)
        return Response.json(200, {"errcode": 0, "errmsg": "ok"})

    def _line(self, request: Request, path: dict[str, str], body: dict[str, Any]) -> Response:
        # LINE knows whom a reply token answers; the local traffic writes reply tokens as
        # "<user or group id>.<nonce>" so that the sandbox can know it too.
        to = body["to"] if path["call"] == "push" else body["replyToken"].split(".")[0]
        for message in body["messages"]:
            items = message.get("quickReply", {}).get("items", ())
            options = tuple(i["action"]["label"] for i in items)
            self._record("line", to, message["text"], body, options=options)
        return Response.json(200, {"sentMessages": [{"id": "1", "quoteToken": "q"}]})
