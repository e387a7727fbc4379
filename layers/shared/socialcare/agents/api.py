"""The Agent API over API Gateway HTTP API events: routes to the desk, JSON in and out.

API Gateway's JWT authorizer (Cognito) verifies the token before the function runs; the function
still refuses, failing closed, any request without verified claims (401) or without the agent
scope (403), so a route left without the authorizer cannot open the desk.
"""

from __future__ import annotations

import json
from typing import Any

from socialcare.agents.desk import MAX_QUEUE, AgentDesk, BadRequest, DeskError
from socialcare.channels.outbound_http import DeliveryFailed
from socialcare.model import StoreUnavailable

AGENT_SCOPE = "socialcare/agent"


class Unauthorized(DeskError):
    status = 401


class Forbidden(DeskError):
    status = 403


def agent_of(event: dict[str, Any]) -> str:
    """The agent's id from the verified token, if it carries the agent scope."""
    jwt = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {})
    claims = jwt.get("claims") or {}
    agent = str(claims.get("sub") or "")
    if not agent:
        raise Unauthorized("no verified token")
    scopes = set(jwt.get("scopes") or ()) | set(str(claims.get("scope", "")).split())
    if AGENT_SCOPE not in scopes:
        raise Forbidden(f"the token lacks the {AGENT_SCOPE} scope")
    return agent


def handle(desk: AgentDesk, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(status, JSON body) for one Agent API request."""
    try:
        return 200, _route(desk, event)
    except DeskError as error:
        return error.status, {"message": str(error)}
    except DeliveryFailed as failed:
        return 502, {"message": f"the platform refused the message: {failed}"}
    except StoreUnavailable as failed:
        return 503, {"message": f"the tables did not answer, try again: {failed}"}


def _route(desk: AgentDesk, event: dict[str, Any]) -> dict[str, Any]:
    agent = agent_of(event)
    route = event.get("routeKey", "")
    params = event.get("pathParameters") or {}
    query = event.get("queryStringParameters") or {}
    match route:
        case "GET /agent/conversations":
            state = query.get("state", "pending_human")
            return {"conversations": desk.queue(state, _limit(query.get("limit", "")))}
        case "GET /agent/conversations/{id}":
            return desk.conversation(params["id"])
        case "POST /agent/conversations/{id}/messages":
            return desk.reply(params["id"], agent, str(_body(event).get("text", "")))
        case "POST /agent/conversations/{id}/resolve":
            return desk.resolve(params["id"])
        case "POST /agent/conversations/{id}/handback":
            return desk.hand_back(params["id"])
        case "GET /agent/insights":
            return desk.insights()
        case "POST /agent/customers/{id}/link":
            return desk.link(params["id"], str(_body(event).get("other", "")))
        case "DELETE /agent/customers/{id}":
            return desk.erase(params.get("id", ""), agent)
    raise BadRequest(f"no route {route}")


def _body(event: dict[str, Any]) -> dict[str, Any]:
    raw = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        raise BadRequest("send JSON with Content-Type: application/json")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        raise BadRequest("the body is not JSON we accept") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _limit(raw: str) -> int:
    """The `limit` query parameter: a whole number of at least 1 (the desk caps it); absent,
    the desk's maximum."""
    if not raw:
        return MAX_QUEUE
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9 and int(raw) >= 1):
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_QUEUE}")
    return int(raw)
