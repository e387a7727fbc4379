"""GET and POST /webhooks/whatsapp: Meta's verification; verify, normalise, enqueue, acknowledge."""

from socialcare.handlers import webhook_handler
from socialcare.model import Channel

handler = webhook_handler(Channel.WHATSAPP)
