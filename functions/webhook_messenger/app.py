"""GET and POST /webhooks/messenger: Meta's verification; verify, normalise, enqueue."""

from socialcare.handlers import webhook_handler
from socialcare.model import Channel

handler = webhook_handler(Channel.MESSENGER)
