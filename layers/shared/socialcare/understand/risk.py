"""Messages a person must take, whatever else they ask: security (account takeover, unauthorised
payment, phishing), fraud and chargebacks, legal threats, regulators, threats to go public,
safety, harassment, self-harm, account deletion and asking for a person, in English and Chinese
and, for the commonest words, Spanish, French, German, Portuguese, Japanese and Korean.

Each pattern is an alternation of literal phrases (no nested quantifiers): linear on any input.
"""

from __future__ import annotations

import re
from enum import StrEnum

from socialcare.understand.text import fold


class Risk(StrEnum):
    SELF_HARM = "self_harm"
    SAFETY = "safety"
    SECURITY = "security"
    FRAUD = "fraud"
    LEGAL = "legal"
    REGULATOR = "regulator"
    PUBLIC = "public"
    HARASSMENT = "harassment"
    ACCOUNT_DELETION = "account_deletion"
    HUMAN = "human"

    @property
    def urgent(self) -> bool:
        """Whether the agents' queue puts it first."""
        return self not in (Risk.HARASSMENT, Risk.ACCOUNT_DELETION, Risk.HUMAN)


_W = r"(?<![a-z])"  # a word starts here (\b misreads apostrophes and accented letters)
_E = r"(?![a-z])"

_PATTERNS: dict[Risk, str] = {
    Risk.SELF_HARM: (
        rf"{_W}(kill myself|end my life|suicid\w*|want to die|hurt myself|self.harm|"
        r"don'?t want to be here anymore|no reason to live|can'?t go on|better off dead)"
        r"|不想活|想死|自杀|轻生|死了算了|活着没意思|自殺|死にたい|자살|죽고 싶"
        r"|quiero morir|me quiero matar|me suicider|umbringen"
    ),
    Risk.SAFETY: (
        rf"{_W}(caught fire|on fire|burst into flames|fire hazard|smoke came|smoking|"
        r"exploded|explosion|electric shock|shocked me|burn(t|ed)? (me|my|his|her)|burns? on|"
        r"injur(ed|y|ies)|hurt (me|my|him|her)|choking|choked|hospital|poison\w*|a&e|"
        r"emergency room|swallowed|shattered|cut (me|my|his|her)|"
        r"allergic reaction|bleeding|cut (my|his|her) (hand|finger)|overheat\w*|melted|"
        rf"sparks?|unsafe|hazard){_E}"
        r"|着火|起火|冒烟|烧焦|爆炸|炸了|触电|漏电|受伤|烫伤|烧伤|划伤|住院|中毒|过敏|噎|窒息|发烫|"
        r"冒火花|火花|医院|吞下|吞了|割伤|発火|火事|やけど|怪我|화재|폭발|화상|다쳤"
        r"|incendio|quemadura|explot|incendie|brûlure|verbrannt|explodiert|queimadura|explodiu"
    ),
    Risk.SECURITY: (
        rf"{_W}(hack(ed|er|ers)?|took over my|taken over|someone (else )?"
        r"(used|logged|accessed|changed|is using|got into)|logged in from|log ?in from|"
        r"didn'?t (make|authori[sz]e|order|buy|place)|did not (make|authori[sz]e|order|buy|place)|"
        r"never (made|ordered|authori[sz]ed|bought)|not me who|wasn'?t me|unauthori[sz]ed|"
        r"unknown (charge|login|device)|phishing|fake (email|sms|text|site|website|link)|"
        r"is this (really )?you|was this (really )?you|is (this|it) legit|sketchy|"
        r"confirm my password|asking (for|me for) my password|did you (just )?(email|text|call)|"
        r"at (some|a|this) link|clicked (a|the|some) link|"
        r"suspicious (email|sms|text|link|login|message|charge)|compromised|identity theft|"
        rf"locked out|password (was )?changed|stole my (account|password|identity)){_E}"
        r"|被盗|盗号|盗刷|被黑|黑客|被人登录|被登录|异地登录|陌生(登录|设备|扣款)|不是我(本人)?(买|下|付|操作|登录)|"
        r"我没(买|下单|付|操作)|未经授权|没有授权|钓鱼|假冒|冒充|诈骗短信|密码被改|账号被|帐号被|"
        r"是你们发的吗|是不是你们发的|点链接|点击链接|要点链接|补运费|"
        r"乗っ取|不正ログイン|不正利用|해킹|도용|hackead|hackear|piratead|piraté|gehackt|hackeado"
    ),
    Risk.FRAUD: (
        rf"{_W}(fraud\w*|scam\w*|stolen card|card (was |got )?stolen|chargeback|charge ?back|"
        r"(wallet|purse|card|phone) (got |was )?stolen|stole my (card|wallet)|with my card|"
        r"dispute (the|this|a) (charge|payment|transaction)|call my bank|contact(ed)? my bank|"
        rf"my bank (said|says|will)|reverse the (charge|payment)|cheat(ed|ing)?){_E}"
        r"|骗子|骗钱|诈骗|欺诈|拒付|退单到银行|找银行|银行卡被|卡被盗|信用卡被|詐欺|사기"
        r"|fraude|estafa|betrug|golpe"
    ),
    Risk.LEGAL: (
        rf"{_W}(lawyers?|attorneys?|solicitors?|sue|suing|lawsuit|legal action|court|"
        r"small claims|take you to|legal (team|department|proceedings)|"
        rf"see you in court|police|report (this|you) to the police){_E}"
        r"|律师|起诉|法院|打官司|诉讼|报警|法律途径|法律责任|弁護士|訴訟|변호사|소송"
        r"|abogado|demanda|avocat|tribunal|anwalt|gericht|klage|advogado|processo judicial"
    ),
    Risk.REGULATOR: (
        rf"{_W}(consumer (protection|agency|council|rights|authority)|ombudsman|bbb|"
        rf"better business bureau|trading standards|ftc|regulator|cfpb|accc){_E}"
        r"|消协|消费者协会|(?<!\d)12315(?!\d)|工商局|市场监管|监管部门|消保委|消費者センター|소비자원"
        r"|consumo|protección al consumidor|verbraucherzentrale|procon|dgccrf"
    ),
    Risk.PUBLIC: (
        rf"{_W}(go public|going public|post (it|this) everywhere|tell everyone|the press|"
        r"journalists?|reporters?|the media|news ?paper|go viral|make (it|this) viral|"
        r"social media about|post about (this|it|you)|tweet about|warn (everyone|others|people)|"
        r"expose you|1-star reviews? everywhere|every review site|tiktok|"
        rf"post (this|it) (on|to|everywhere)){_E}"
        r"|曝光|媒体|记者|发微博|发抖音|发小红书|全网|上热搜|让大家都知道|发朋友圈|发到网上|"
        r"炎上|晒出来|拉黑你们"
    ),
    Risk.HARASSMENT: (
        rf"{_W}(fuck (you|off|u)|you (are |r )?(an? )?(idiot|moron|stupid|useless|pathetic|"
        r"bitch|bastard|asshole|clown)s?|you people are|idiots|morons|go to hell|"
        r"kill you|hurt you|i will find you|piece of shit|shut up|dumbass|scumbag|creepy|"
        rf"asking me out|harass\w*|stalk\w*|threaten\w*){_E}"
        r"|傻逼|傻b|煞笔|sb客服|他妈的|操你|草泥马|去死|滚蛋|滚开|白痴|弱智|脑残|混蛋|王八蛋|狗东西|"
        r"垃圾客服|你们都是骗子|智障|脑子有病|废物|威胁|骂我|知道我住哪|骚扰|バカ|死ね|시발|병신"
    ),
    Risk.ACCOUNT_DELETION: (
        rf"{_W}(delete my (account|data|profile)|close my account|remove my (account|data)|"
        r"erase my (data|account)|gdpr|(account|data|profile) (removed|deleted|closed|erased)|"
        rf"right to be forgotten|deactivate my account){_E}"
        r"|注销账号|注销账户|注销帐号|删除(我的)?(账号|账户|帐号|数据|个人信息)|销户"
        r"|eliminar mi cuenta|supprimer mon compte|konto löschen|excluir minha conta"
        r"|アカウントを削除|退会|계정 삭제|탈퇴"
    ),
    Risk.HUMAN: (
        rf"{_W}(human|real person|a person|actual person|live (agent|chat|person)|"
        r"representative|operator|someone real|somebody real|real agent|"
        r"(speak|talk|chat) (to|with) (someone|somebody|an agent|a manager|your manager|staff)|"
        r"agente|persona real|humano|un humain|une personne|un conseiller|mensch|"
        r"mitarbeiter|einer person|mit jemandem|atendente|pessoa real|uma pessoa|una persona|"
        r"hablar con alguien|person now|"
        r"real human|anyone real|someone real|all bots?|not a bot|stop sending (me )?articles|"
        rf"thanks for nothing|useless bot){_E}"
        r"|人工|真人|负责人|主管|转接客服|客服人员|活人|找客服|叫客服|要客服|找你们领导|经理|担当者|オペレーター|"
        r"人間|상담원|回了等于没回|机器人|不要自动回复"
    ),
}
_COMPILED = {risk: re.compile(pattern) for risk, pattern in _PATTERNS.items()}


def find_risk(text: str) -> Risk | None:
    """The first risk the message carries, most serious first (None: none)."""
    folded = fold(text)
    return next((risk for risk, pattern in _COMPILED.items() if pattern.search(folded)), None)
