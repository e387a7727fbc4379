"""GET and POST /webhooks/instagram: Meta's verification; DMs, comments, mentions."""

from socialcare.handlers import webhook_handler
from socialcare.model import Channel

handler = webhook_handler(Channel.INSTAGRAM)
