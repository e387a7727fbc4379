"""The local API gateway: template.yaml's HttpApi routes, each invoking its real handler with
an API Gateway HTTP API payload 2.0 event."""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from aws_lambda_powertools import Logger

from socialcare_local.agent_auth import authorize
from socialcare_local.cfn_template import ROOT
from socialcare_local.http_server import Request, Response
from socialcare_local.lambdas import LocalFunction

logger = Logger(service="local-gateway")

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/x-www-form-urlencoded")


class Route:
    def __init__(
        self,
        method: str,
        path: str,
        function: LocalFunction,
        scopes: tuple[str, ...] | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.function = function
        self.scopes = scopes  # None: an open route; else behind the JWT authorizer
        pattern = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", path)
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._regex = re.compile(f"^{pattern}$")

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        found = self._regex.match(path)
        # API Gateway hands path parameters to the function URL-decoded.
        return {k: unquote(v) for k, v in found.groupdict().items()} if found else None


# Static sites, as any static host (an S3 bucket) would serve them: the web chat widget and the
# agents' console.
STATIC = {
    "/widget": ROOT / "infra" / "webchat_widget",
    "/console": ROOT / "infra" / "agent_console",
}
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


class Gateway:
    def __init__(self, routes: list[Route], healthy: Callable[[], bool]) -> None:
        self._routes = routes
        self._healthy = healthy

    def __call__(self, request: Request) -> Response:
        if request.path == "/health" and request.method == "GET":
            ok = self._healthy()
            return Response.json(200 if ok else 503, {"status": "ok" if ok else "starting"})
        for mount, folder in STATIC.items():
            if request.method == "GET" and (request.path + "/").startswith(mount + "/"):
                return _static(mount, folder, request.path)
        for route in self._routes:
            params = route.match(request.method, request.path)
            if params is not None:
                return self._invoke(route, params, request)
        return Response.json(404, {"message": "Not Found"})

    def _invoke(self, route: Route, params: dict[str, str], request: Request) -> Response:
        event = http_api_event(route, params, request)
        if route.scopes is not None:
            verdict = authorize(request.headers.get("authorization", ""), route.scopes)
            if verdict.status == 401:
                return Response.json(401, {"message": "Unauthorized"})
            if verdict.status == 403:
                return Response.json(403, {"message": "Forbidden"})
            event["requestContext"]["authorizer"] = verdict.authorizer
        try:
            result = route.function.invoke(event)
        except Exception:  # what API Gateway does when a function fails: 500, logged
            logger.exception("function failed", extra={"function": route.function.spec.logical_id})
            return Response.json(500, {"message": "Internal Server Error"})
        return _response(result)


def _static(mount: str, folder: Path, path: str) -> Response:
    if path == mount:
        return Response(301, b"", {"Location": f"{mount}/"})
    name = path.removeprefix(f"{mount}/") or "index.html"
    files = {f.name: f for f in folder.iterdir() if f.suffix in _CONTENT_TYPES}
    if name not in files:  # only the folder's own files: no way out of it
        return Response.json(404, {"message": "Not Found"})
    return Response(
        200, files[name].read_bytes(), {"Content-Type": _CONTENT_TYPES[files[name].suffix]}
    )


def http_api_event(route: Route, params: dict[str, str], request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    textual = content_type.startswith(_TEXT_TYPES) or not content_type
    try:
        body = request.body.decode() if textual else None
    except UnicodeDecodeError:
        body = None
    encoded = body is None
    query: dict[str, str] = {}
    for key, value in parse_qsl(request.query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{route.method} {route.path}",
        "rawPath": request.path,
        "rawQueryString": request.query,
        "headers": request.headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "domainPrefix": "127",
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.client,
                "userAgent": request.headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{route.method} {route.path}",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": encoded,
    }
    if request.body:
        event["body"] = base64.b64encode(request.body).decode() if encoded else body
    if query:
        event["queryStringParameters"] = query
    if params:
        event["pathParameters"] = params
    return event


def _response(result: Any) -> Response:
    """Lambda's answer to an HTTP API, format 2.0: a dict with statusCode, or a bare body."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return Response.json(200, result)
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
    return Response(int(result["statusCode"]), raw, headers)
