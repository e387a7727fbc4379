"""Channel credentials for the local stack: environment variables with dev defaults.

The provisioner writes them into the Secrets Manager secrets that template.yaml names, so the
functions read them the way they do in AWS; the demo, the sandbox and the tests sign and check
with the same values.
"""

from __future__ import annotations

import os

# template parameter naming the secret -> {key in the secret: (environment variable, dev value)}
DEV_CREDENTIALS: dict[str, dict[str, tuple[str, str]]] = {
    "TelegramSecretName": {
        "secret_token": ("TELEGRAM_SECRET_TOKEN", "dev-telegram-secret-token"),
        "bot_token": ("TELEGRAM_BOT_TOKEN", "123456789:dev-telegram-bot-token"),
    },
    "WhatsAppSecretName": {
        "app_secret": ("WHATSAPP_APP_SECRET", "dev-whatsapp-app-secret"),
        "verify_token": ("WHATSAPP_VERIFY_TOKEN", "dev-whatsapp-verify-token"),
        "access_token": ("WHATSAPP_ACCESS_TOKEN", "dev-whatsapp-access-token"),
    },
    "MessengerSecretName": {
        "app_secret": ("MESSENGER_APP_SECRET", "dev-messenger-app-secret"),
        "page_token": ("MESSENGER_PAGE_TOKEN", "dev-messenger-page-token"),
        "verify_token": ("META_VERIFY_TOKEN", "dev-meta-verify-token"),
    },
    "InstagramSecretName": {
        "app_secret": ("INSTAGRAM_APP_SECRET", "dev-instagram-app-secret"),
        "access_token": ("INSTAGRAM_ACCESS_TOKEN", "dev-instagram-access-token"),
        "verify_token": ("META_VERIFY_TOKEN", "dev-meta-verify-token"),
    },
    "XSecretName": {
        "consumer_secret": ("X_CONSUMER_SECRET", "dev-x-consumer-secret"),
        "access_token": ("X_ACCESS_TOKEN", "dev-x-access-token"),
    },
    "WeChatSecretName": {
        "token": ("WECHAT_TOKEN", "dev-wechat-token"),
        "app_id": ("WECHAT_APP_ID", "wx0000000000dev00"),
        "app_secret": ("WECHAT_APP_SECRET", "dev-wechat-app-secret"),
        # Safe mode, as in production (wechatpy's test EncodingAESKey).
        "encoding_aes_key": (
            "WECHAT_ENCODING_AES_KEY",
            "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
        ),
    },
    "LineSecretName": {
        "channel_secret": ("LINE_CHANNEL_SECRET", "dev-line-channel-secret"),
        "channel_access_token": ("LINE_CHANNEL_ACCESS_TOKEN", "dev-line-channel-access-token"),
    },
    "WebchatSecretName": {
        "signing_key": ("WEBCHAT_SIGNING_KEY", "dev-webchat-signing-key"),
    },
    "PseudonymSecretName": {
        "key": ("PSEUDONYM_KEY", "dev-pseudonym-key-of-the-local-stack-only"),
    },
}


def secret_values(parameter: str) -> dict[str, str]:
    return {
        key: os.environ.get(var, default)
        for key, (var, default) in DEV_CREDENTIALS[parameter].items()
    }


def credential(variable: str) -> str:
    """One credential by its environment variable name, e.g. credential("WHATSAPP_APP_SECRET")."""
    for values in DEV_CREDENTIALS.values():
        for var, default in values.values():
            if var == variable:
                return os.environ.get(var, default)
    raise KeyError(variable)
