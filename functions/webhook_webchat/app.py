"""POST /webhooks/webchat: check the session token, normalise, enqueue."""

from socialcare.handlers import webhook_handler
from socialcare.model import Channel

handler = webhook_handler(Channel.WEBCHAT)
