"""The local stand-in for the HttpApi's JWT authorizer (Cognito in AWS): dev bearer tokens from
the environment, each with the claims and scopes a Cognito access token would carry.

`AGENT_TOKEN` is an agent's token (scope socialcare/agent); `AGENT_VIEWER_TOKEN` is a signed-in
user without that scope, so that the 403 of a wrongly scoped token can be tried locally."""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from typing import Any

DEV_TOKENS = {
    # environment variable: (dev default, subject, scopes)
    "AGENT_TOKEN": ("dev-agent-token", "dev-agent", ("openid", "socialcare/agent")),
    "AGENT_VIEWER_TOKEN": ("dev-viewer-token", "dev-viewer", ("openid",)),
}


@dataclass(frozen=True)
class Verdict:
    status: int  # 200: let through, 401: no valid token, 403: a valid token without the scope
    authorizer: dict[str, Any]


def dev_token(variable: str = "AGENT_TOKEN") -> str:
    return os.environ.get(variable, DEV_TOKENS[variable][0])


def authorize(authorization: str, required: tuple[str, ...]) -> Verdict:
    """What API Gateway's JWT authorizer decides for this Authorization header."""
    scheme, _, token = authorization.partition(" ")
    matched = None
    for variable, (_, subject, scopes) in DEV_TOKENS.items():
        # Every candidate compared in constant time, none skipped on a match.
        if hmac.compare_digest(token.encode(), dev_token(variable).encode()):
            matched = (subject, scopes)
    if scheme.lower() != "bearer" or not token or matched is None:
        return Verdict(401, {})
    subject, scopes = matched
    if required and not set(required) & set(scopes):
        return Verdict(403, {})
    claims = {"sub": subject, "username": subject, "scope": " ".join(scopes)}
    return Verdict(200, {"jwt": {"claims": claims, "scopes": list(scopes)}})
