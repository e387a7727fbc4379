"""GET /webchat/replies: the session's replies, by long polling."""

from socialcare.handlers import webchat_replies_handler

handler = webchat_replies_handler()
