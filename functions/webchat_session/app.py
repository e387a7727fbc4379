"""POST /webchat/session: a web chat session and its short-lived signed token."""

from socialcare.handlers import webchat_session_handler

handler = webchat_session_handler()
