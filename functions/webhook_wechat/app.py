"""GET and POST /webhooks/wechat: the echostr check; messages answered at once."""

from socialcare.handlers import webhook_handler
from socialcare.model import Channel

handler = webhook_handler(Channel.WECHAT)
