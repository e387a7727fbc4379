"""What each channel can carry, in one place: the renderer and the pipeline read it from here.

Figures are the platforms' documented limits (characters, not bytes, except where noted).
"""

from __future__ import annotations

from dataclasses import dataclass

from socialcare.model import Channel

HOUR = 3600


@dataclass(frozen=True, slots=True)
class Capabilities:
    max_text: int  # characters of one private message
    max_public_text: int = 0  # characters of a public reply (0: the channel has no public posts)
    max_options: int = 0  # buttons or quick replies one message may offer (0: none)
    max_option_label: int = 20  # characters of a button's label
    markdown: bool = False  # whether *bold* and links render as formatting
    window_s: int = 0  # how long after the customer's last message free text may be sent (0: any)
    window_template: bool = False  # outside the window an approved template may still be sent
    private_reply_to_public: bool = False  # a public post may be answered privately once

    def window_open(self, customer_last_wrote: float, now: float) -> bool:
        return self.window_s == 0 or now - customer_last_wrote <= self.window_s


CAPABILITIES: dict[Channel, Capabilities] = {
    # Send API: 2,000 characters, 13 quick replies of 20; 24 h standard messaging window;
    # one private reply to a Page comment.
    Channel.MESSENGER: Capabilities(
        2000,
        max_public_text=8000,
        max_options=13,
        window_s=24 * HOUR,
        private_reply_to_public=True,
    ),
    # Instagram messaging: 1,000 characters, 13 quick replies; comments up to 2,200 characters.
    Channel.INSTAGRAM: Capabilities(
        1000,
        max_public_text=2200,
        max_options=13,
        window_s=24 * HOUR,
        private_reply_to_public=True,
    ),
    # Cloud API: 4,096 characters, 3 reply buttons of 20; the 24 h customer-service window,
    # after which only approved templates go out.
    Channel.WHATSAPP: Capabilities(
        4096, max_options=3, markdown=True, window_s=24 * HOUR, window_template=True
    ),
    # Direct messages 10,000 characters; posts 280.
    Channel.X: Capabilities(10000, max_public_text=280),
    # sendMessage: 4,096 characters; inline keyboard buttons (callback_data up to 64 bytes:
    # 20 Chinese characters).
    Channel.TELEGRAM: Capabilities(4096, max_options=8, markdown=True),
    # Customer-service messages: 2,048 bytes of text (about 680 Chinese characters), within
    # 48 hours of the customer's last message; no buttons.
    Channel.WECHAT: Capabilities(600, window_s=48 * HOUR),
    # Messaging API: 5,000 characters per text message, 13 quick reply items of 20.
    Channel.LINE: Capabilities(5000, max_options=13),
    # Our own widget.
    Channel.WEBCHAT: Capabilities(4000, max_options=6, max_option_label=40, markdown=True),
}


def capabilities(channel: Channel) -> Capabilities:
    return CAPABILITIES[channel]
