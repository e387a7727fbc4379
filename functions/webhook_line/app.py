"""POST /webhooks/line: verify, normalise every event, enqueue, acknowledge."""

from socialcare.handlers import webhook_handler
from socialcare.model import Channel

handler = webhook_handler(Channel.LINE)
