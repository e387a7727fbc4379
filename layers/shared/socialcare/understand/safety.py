"""Messages a person should see first: abuse (insults, profanity, threats) and urgency
(someone's safety, fraud on the account, a legal threat)."""

from __future__ import annotations

import re

from socialcare.understand.risk import find_risk
from socialcare.understand.text import fold

_ABUSE = re.compile(
    r"\b(fuck\w*|f\*+k|shit\w*|bitch\w*|bastard\w*|asshole\w*|dickhead|cunt|motherfucker\w*|"
    r"idiots?|morons?|stupid|retard\w*|dumbass|wanker|scumbag|piece of shit|go to hell|"
    r"kill you|hurt you|i will find you|shut up)\b"
    r"|傻逼|傻b|煞笔|sb客服|他妈的?|妈的|操你|草泥马|去死|滚蛋|滚开|白痴|弱智|脑残|混蛋|王八蛋|狗东西|垃圾客服",
)


def is_toxic(text: str) -> bool:
    return bool(_ABUSE.search(fold(text)))


def is_urgent(text: str) -> bool:
    """Someone's safety, money or account, or the law: see understand.risk."""
    risk = find_risk(text)
    return risk is not None and risk.urgent
