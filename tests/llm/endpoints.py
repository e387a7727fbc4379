"""Loopback stand-ins for what a real endpoint does when it misbehaves, and for the SageMaker
runtime in front of a real model. They run on socialcare_local's LoopbackServer."""

from __future__ import annotations

import json
import re
import time
import urllib.request

from socialcare_local.http_server import Request, Response


class MisbehavingEndpoint:
    """An OpenAI-compatible path that answers badly: `mode` is "slow" (sleeps), "garbage" (not
    JSON), "no_choices" (JSON without a completion) or "503"."""

    def __init__(self, mode: str, delay_s: float = 3.0) -> None:
        self.mode = mode
        self.delay_s = delay_s

    def __call__(self, request: Request) -> Response:
        if self.mode == "slow":
            time.sleep(self.delay_s)
            return Response.json(200, {"choices": []})
        if self.mode == "garbage":
            return Response(200, b"<html>bad gateway</html>", {"Content-Type": "text/html"})
        if self.mode == "no_choices":
            return Response.json(200, {"object": "chat.completion", "choices": []})
        return Response.json(503, {"error": "overloaded"})


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
