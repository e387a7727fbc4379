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
