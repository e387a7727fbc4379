"""GET and POST /webhooks/x: X's CRC check; verify, normalise, enqueue, acknowledge."""

from socialcare.handlers import webhook_handler
from socialcare.model import Channel

handler = webhook_handler(Channel.X)
