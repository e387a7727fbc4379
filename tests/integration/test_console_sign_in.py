"""Agents sign in to the hosted console through Cognito's hosted UI: the console (Debian chromium,
driven by Playwright) against a loopback server that serves it with the config.js that
infra/publish_console.py writes, and stands in for Cognito's /oauth2/authorize and
/oauth2/token (authorisation code with PKCE S256, refresh tokens) and for the Agent API, all on
one origin."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from publish_console import console_config

from socialcare_local.browser import chromium
from socialcare_local.cfn_template import ROOT
from socialcare_local.http_server import LoopbackServer, Request, Response
from socialcare_local.moto_server import free_port

CONSOLE = ROOT / "infra" / "agent_console"
CLIENT_ID = "agent-console-client"


@dataclass
class HostedSignIn:
    """Cognito's two endpoints as the console uses them, and the Agent API's queue."""

    origin: str = ""
    challenges: dict[str, str] = field(default_factory=dict)  # code -> code_challenge
    issued: list[str] = field(default_factory=list)
    api_tokens: list[str] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        query = {k: v[0] for k, v in parse_qs(request.query).items()}
        if request.path == "/oauth2/authorize":
            assert query["client_id"] == CLIENT_ID and query["code_challenge_method"] == "S256"
            code = f"code{len(self.challenges)}"
            self.challenges[code] = query["code_challenge"]
            back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            return Response(302, b"", {"Location": back})
        if request.path == "/oauth2/token":
            return self._token({k: v[0] for k, v in parse_qs(request.body.decode()).items()})
        if request.path == "/agent/conversations":
            self.api_tokens.append(request.headers.get("authorization", ""))
            return Response.json(200, {"conversations": []})
        if request.path == "/console/config.js":
            outputs = {"ApiUrl": self.origin, "AgentSignInDomain": self.origin}
            config = console_config({**outputs, "AgentUserPoolClientId": CLIENT_ID})
            return Response(200, config.encode())
        name = request.path.removeprefix("/console/") or "index.html"
        if not (CONSOLE / name).is_file():
            return Response(404)
        kind = "text/html" if name.endswith(".html") else "text/javascript"
        return Response(200, (CONSOLE / name).read_bytes(), {"Content-Type": kind})

    def _token(self, form: dict[str, str]) -> Response:
        if form["grant_type"] == "authorization_code":
            digest = hashlib.sha256(form["code_verifier"].encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if self.challenges.pop(form["code"], None) != challenge:
                return Response.json(400, {"error": "invalid_grant"})
        elif form.get("refresh_token") != "refresh-1":
            return Response.json(400, {"error": "invalid_grant"})
        self.issued.append(f"access-{len(self.issued) + 1}")
        body = {"access_token": self.issued[-1], "expires_in": 3600, "token_type": "Bearer"}
        if form["grant_type"] == "authorization_code":
            body["refresh_token"] = "refresh-1"
        return Response.json(200, body)


@pytest.fixture
def hosted() -> Iterator[HostedSignIn]:
    cognito = HostedSignIn()
    server = LoopbackServer(cognito, free_port()).start()
    cognito.origin = f"http://127.0.0.1:{server.port}"
    yield cognito
    server.stop()


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium() as browser:
        page = browser.new_page()
        yield page
        page.close()


def test_an_agent_signs_in_with_pkce_and_the_token_is_renewed(
    hosted: HostedSignIn, page: Any
) -> None:
    """GIVEN the hosted console WHEN an agent clicks Sign in THEN Cognito's hosted UI is asked
    for a code with an S256 challenge, the code is exchanged with the verifier that matches it,
    and the queue is read with that access token; WHEN the token nears its expiry THEN the
    console renews it with the refresh token before the next call."""
    page.goto(f"{hosted.origin}/console/")
    assert page.is_hidden("#token")  # no token to paste

    page.click("#signin button[type=submit]")
    page.wait_for_function("document.querySelector('#queue-count').textContent !== ''")

    assert hosted.issued == ["access-1"] and hosted.challenges == {}
    assert hosted.api_tokens == ["Bearer access-1"]
    assert "code=" not in page.url  # the code leaves the address bar

    page.evaluate("sessionStorage.setItem('agentTokenExpires', String(Date.now() + 1000))")
    page.click("#refresh")
    page.wait_for_function("document.querySelector('#queue-count').textContent !== ''")
    page.wait_for_timeout(200)

    assert hosted.api_tokens[-1] == "Bearer access-2"


def test_a_code_without_this_tabs_verifier_signs_nobody_in(hosted: HostedSignIn, page: Any) -> None:
    """GIVEN a link carrying someone else's code and state WHEN opened THEN the console refuses
    it, exchanges nothing and reads nothing."""
    page.goto(f"{hosted.origin}/console/?code=stolen&state=forged")
    page.wait_for_function("document.querySelector('#status').textContent !== ''")

    assert "not started here" in page.inner_text("#status")
    assert hosted.issued == [] and hosted.api_tokens == []
