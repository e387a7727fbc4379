"""/agent/...: the Agent API behind the JWT authorizer (Cognito in AWS, a dev token locally)."""

from socialcare.handlers import agent_api_handler

handler = agent_api_handler()
