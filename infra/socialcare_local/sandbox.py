"""The platform sandbox: stands in for the platforms' send APIs on 127.0.0.1:3001.

It checks the credentials each platform checks, records every message that would have been
sent (GET /_sent), and can be told to fail the next calls (POST /_faults) so that retries and
the dead-letter queue can be seen working.
"""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

from socialcare_local.credentials import credential
from socialcare_local.http_server import Request, Response

_TELEGRAM = re.compile(r"^/telegram/bot(?P<token>[^/]+)/sendMessage$")
_WHATSAPP = re.compile(r"^/whatsapp/v[\d.]+/(?P<phone_number_id>[^/]+)/messages$")


class PlatformSandbox:
    def __init__(self) -> None:
        self._sent: list[dict[str, Any]] = []
        self._faults: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

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
        if telegram := _TELEGRAM.match(request.path):
            return self._telegram(request, telegram["token"])
        if whatsapp := _WHATSAPP.match(request.path):
            return self._whatsapp(request, whatsapp["phone_number_id"])
        return Response.json(404, {"error": f"no platform API at {request.path}"})

    def _add_faults(self, request: Request) -> Response:
        """{"channel": "telegram", "status": 429, "count": 2, "retry_after": 1}"""
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
        headers = {"Retry-After": str(fault["retry_after"])} if "retry_after" in fault else {}
        return Response(
            int(fault["status"]),
            b'{"error":"injected fault"}',
            {"Content-Type": "application/json", **headers},
        )

    def _record(self, channel: str, recipient: str, text: str, raw: dict[str, Any]) -> None:
        with self._lock:
            self._sent.append(
                {
                    "channel": channel,
                    "recipient": recipient,
                    "text": text,
                    "at": time.time(),
                    "request": raw,
                }
            )

    def _telegram(self, request: Request, token: str) -> Response:
        if token != credential("TELEGRAM_BOT_TOKEN"):
            return Response.json(
                401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        if fault := self._fault("telegram"):
            return fault
        body = json.loads(request.body)
        self._record("telegram", str(body["chat_id"]), body["text"], body)
        return Response.json(
            200,
            {
                "ok": True,
                "result": {
                    "message_id": len(self._sent),
                    "date": int(time.time()),
                    "chat": {"id": body["chat_id"]},
                    "text": body["text"],
                },
            },
        )

    def _whatsapp(self, request: Request, phone_number_id: str) -> Response:
        expected = f"Bearer {credential('WHATSAPP_ACCESS_TOKEN')}"
        if request.headers.get("authorization") != expected:
            return Response.json(
                401,
                {
                    "error": {
                        "message": "Invalid OAuth access token.",
                        "type": "OAuthException",
                        "code": 190,
                    }
                },
            )
        if fault := self._fault("whatsapp"):
            return fault
        body = json.loads(request.body)
        self._record(
            "whatsapp",
            body["to"],
            body["text"]["body"],
            {**body, "phone_number_id": phone_number_id},
        )
        return Response.json(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": f"wamid.sandbox.{len(self._sent)}"}],
            },
        )
