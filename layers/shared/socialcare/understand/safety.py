"""Messages a person should see first: abuse (insults, profanity, threats) and urgency
(someone's safety, fraud on the account, a legal threat)."""

from __future__ import annotations

import re

from socialcare.understand.text import fold

_ABUSE = re.compile(
    r"\b(fuck\w*|f\*+k|shit\w*|bitch\w*|bastard\w*|asshole\w*|dickhead|cunt|motherfucker\w*|"
    r"idiots?|morons?|stupid|retard\w*|dumbass|wanker|scumbag|piece of shit|go to hell|"
    r"kill you|hurt you|i will find you|shut up)\b"
    r"|傻逼|傻b|煞笔|sb客服|他妈的?|妈的|操你|草泥马|去死|滚蛋|滚开|白痴|弱智|脑残|混蛋|王八蛋|狗东西|垃圾客服",
)
_URGENT = re.compile(
    # safety
    r"\b(fire|smoke|smoking|burn(ed|t|ing)?|explod\w*|electric shock|shock(ed)?|injur\w*|"
    r"hospital|poison\w*|choking|allerg\w*|bleeding|emergency|danger\w*|unsafe|overheat\w*)\b"
    r"|着火|起火|冒烟|烧焦|爆炸|触电|漏电|受伤|烫伤|住院|中毒|过敏|危险|紧急"
    # fraud and account takeover
    r"|\b(fraud\w*|scam\w*|stolen|hack(ed|er)?|unauthori[sz]ed|identity theft|phishing|"
    r"someone (else )?(used|logged|accessed)|charged without|"
    r"i did(n'?t| not) (make|authori[sz]e))\b"
    r"|盗刷|被盗|盗号|诈骗|骗子|被黑|不是我(本人)?(买|下|付|操作)|陌生(登录|扣款)|未经授权"
    # legal threats
    r"|\b(lawyers?|attorney|sue|suing|lawsuit|legal action|court|small claims|chargeback|"
    r"consumer protection|ombudsman|trading standards|report you to)\b"
    r"|律师|起诉|法院|打官司|诉讼|消协|消费者协会|12315|工商局|市场监管",
)


def is_toxic(text: str) -> bool:
    return bool(_ABUSE.search(fold(text)))


def is_urgent(text: str) -> bool:
    return bool(_URGENT.search(fold(text)))
