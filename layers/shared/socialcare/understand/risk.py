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
        rf"password (was )?changed|stole my (account|password|identity)){_E}"
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
        r"|骗子|骗钱|诈骗|欺诈|拒付|退单到银行|找银行|银行卡被(盗|刷|人|复制|冒用)|卡被盗|信用卡被|詐欺|사기"
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
# General forms of the same risks, written from how people say them rather than from any one test
# set: stems, a verb and its object a few words apart (a bounded gap: linear), Chinese character
# combinations. OR'ed with the phrases above.
_G = r"[^.!?。！？\n]{0,24}"  # a few words of the same sentence
_GENERAL: dict[Risk, str] = {
    Risk.SELF_HARM: (
        rf"{_W}(end (it all|things|everything|my life)|ending (it|things)|"
        r"can'?t (do|take) (this|it) any ?more|cant (do|take) (this|it) any ?more|"
        r"(want|wish) (it all )?to (end|disappear|sleep forever|not exist)|not existing|"
        r"tired of (living|being alive|life)|(point|reason) (of|in|to) (living|keep going|go on)|"
        r"worth living|life (is|isn'?t|isnt) (not )?worth|better (off )?without me|"
        r"(goodbye|suicide) (note|letter)|pills (saved|stocked|ready)|overdos\w*|"
        r"jump (off|from)|going to jump|standing on the (bridge|roof|edge)|"
        r"(cutting|hurting|harming|hurt|harm) (myself|again)|no way out|done with (life|living)|"
        rf"not (going to|gonna) be around|don'?t want to wake up|do something stupid to myself){_E}"
        r"|撑不下去|活着(有什么|没)意思|活不下去|结束(这一切|自己|生命)|了结自己|想消失|消失就好|"
        r"割(自己|腕)|遗书|安眠药|跳(楼|河|桥)|从.{0,4}跳下去|准备跳|楼顶上|一睡不醒|自残|伤害自己|"
        r"没有我.{0,8}(更好|好过)|活下去的(理由|意义)|人生没有意义|不想醒|再见了.{0,2}世界|不想再活"
    ),
    Risk.SAFETY: (
        rf"{_W}(burn(ed|t|ing|s)? (me|my|him|her|his|our|the skin)|burning (smell|plastic)|"
        r"smok(e|ed|ing) (came|comes|from|in|out)|started smoking|melt(ed|ing)|explod\w*|"
        r"caught fire|set fire|fire (hazard|risk)|catch(es)? fire|swell(ed|ing)? up|swollen|"
        r"rash|allergic|food poisoning|vomit\w*|threw up|"
        r"made (me|him|her|us|them) (sick|ill|dizzy)|"
        r"(got|gets|getting) (really )?(sick|ill) after|sick after|dizzy|fumes|toxic|"
        r"fell (out|off|down|over)|i fell|collapsed|sharp edges?|bleed\w*|blood|stitches|"
        r"the er|a&e|ambulance|(see|saw|went to|go to) (a |the )?doctor|chok\w*|swallow\w*|"
        r"(glass|metal|wire|plastic|mou?ld|a bug|insects?) in (it|the|my)|mou?ldy|electric shock|"
        rf"gave me a shock|spark\w*|dangerous|hurt my|my \w+ is hurt){_E}"
        r"|烧起来|烧着了|烧焦|烫伤|烫红|烫到|自燃|冒火星|爆了|炸裂|鼓包|电了我|红疹|起疹子|上吐下泻|"
        r"拉肚子|食物中毒|急诊|救护车|摔(伤|倒|了一跤|下来)|(宝宝|孩子|小孩|老人)摔|割(伤|破)|"
        r"划(伤|破)|流血|出血|误吞|噎住|玻璃渣|铁丝|异物|霉点|发霉|变质|头晕|想吐|危险"
    ),
    Risk.SECURITY: (
        rf"{_W}((someone|somebody|some one|who|they|hackers?|a stranger) (has |have |just )?"
        r"(changed|reset|took|got into|accessed|logged into|is using|used|redeemed|bought|"
        r"signed in)|(new|unknown|strange) (device|login|sign.?in)|"
        r"(login|sign.?in) (alert|attempt)|"
        r"signed in to my|not mine|isn'?t mine|isnt mine|don'?t recogni[sz]e|do not recogni[sz]e|"
        r"unrecogni[sz]ed|(code|codes|emails?) i (didn'?t|didnt|did not|never) (ask|request)|"
        r"pretending to be|claim(ed|s|ing)? to be (from )?(you|your)|"
        r"ask(ed|ing)? (me )?for my (password|pin|card|code|login)|"
        r"verify my (card|bank|payment) (details|info)|click (a|the|this|some|on the) link|"
        r"(is|was) (this|that|it) (really )?(you|from you|legit)|is that you|i was asleep|"
        r"account (is |was |got |has been )?(suspended|compromised|hijacked|taken)|hijack\w*|"
        rf"freeze (my|the) account|taken over|took over){_E}"
        r"|被(人|别人|陌生人)(登|改|用|盗|转|控制|冒用|换)|被改了|被换了|被转走|转走了|被控制|被冒用|"
        r"不是我(下|买|付|登|操作|消费|改|本人)|我没(消费|改|申请)|没申请过|根本没(买|下单|消费)|"
        r"莫名(其妙)?收到.{0,4}验证码|(要|问我要)(我的)?(验证码|密码)|自称|异地|陌生(设备|人)|"
        r"(不认识|不认得)的(消费|扣款|交易|订单|登录|设备)|冻结(账号|账户|帐号|我的号)|号没了|號被盜|积分.{0,6}(没了|用光)|盗(号|用|走)|被盗"
    ),
    Risk.FRAUD: (
        rf"{_W}(disput\w*|charged? ?back|(my|the) bank (flagged|says|said|told|will|is)|"
        r"contact(ing|ed)? (my )?(bank|amex|visa|mastercard|paypal|card company)|"
        r"call(ing|ed)? my bank|filing a (dispute|claim)|clon(ed|ing)|skimm\w*|theft|thie(f|ves)|"
        r"stole|steal\w*|rip ?off|ripped (me )?off|running a con|counterfeit|"
        r"(unknown|random|unrecogni[sz]ed|strange) (transaction|charge|debit|payment)s?|"
        r"charges? (on my card )?i (don'?t|dont|do not) recogni[sz]e|taking money|"
        r"took my money|money (taken|gone)|without (my )?(asking|permission|consent|knowing|"
        rf"authori[sz]ation)|without (her|him|them) knowing|never shopped){_E}"
        r"|被刷|卡.{0,8}刷了|乱扣|偷偷.{0,4}扣|莫名.{0,4}(扣|消费)|平白无故|无缘无故.{0,4}扣|"
        r"扣钱不(给|发)|黑店|坑钱|骗|假货|冒牌|欺诈|拒付|银行.{0,8}(可疑|冻结|追回|拒付)|冻结.{0,2}卡|"
        r"卡被(盗|刷|人|复制|冒用|用)|被复制|未经.{0,3}(同意|允许|授权)|没经过.{0,3}同意|从来没.{0,6}(买|消费)"
    ),
    Risk.LEGAL: (
        rf"{_W}(legal\w*|law ?suits?|lawyers?|attorneys?|solicitors?|courts?|judge|sue|suing|"
        r"press charges|police|letter before action|breach of contract|consumer law|liable|"
        rf"liability|arbitration|claim against){_E}"
        r"|律师|起诉|诉讼|法院|法庭|官司|告(你|他)们?(?!诉)|(要|去|我|准备)告(?!诉)|报警|报案|派出所|"
        r"警察|仲裁|上诉|法律|违法|司法"
    ),
    Risk.REGULATOR: (
        rf"{_W}(regulators?|watchdog|ombudsman|trading standards|consumer (protection|affairs|"
        r"rights|council|commission|board|office|agency|authority|watchdog)|attorney general|"
        r"data protection (authority|regulator|office)|ico|competition and markets|"
        rf"trade commission|government agency|citizens advice){_E}"
        r"|12345热线|打12345|12345投诉|打315|315投诉|消协|消保|消费者(协会|权益|委员会)|工商|"
        r"市场监(管|督)|市监|监管|有关部门|相关部门|政府部门|银保监|网信办|黑猫投诉|商务部门"
    ),
    Risk.PUBLIC: (
        rf"{_W}((post|posting|put|share|sharing|blast|expose|video|thread|tell|warn|review|"
        rf"screenshot)\w*{_G}(tiktok|twitter|youtube|instagram|insta|facebook|reddit|linkedin|"
        r"trustpilot|social media|online|the internet|socials|my channel|my blog)|"
        r"(the )?(local )?(news|press|newspapers?|journalists?|reporters?|bbc)|go(es|ing)? viral|"
        r"(this|it) trends|name and shame|(tell|warn|let) (everyone|everybody|the world|people|"
        r"others)|(everyone|everybody|the whole internet|the world) (will|is going to|gonna) "
        r"(know|see|hear)|(followers|subscribers|readers) (will|are going to)|"
        r"(1|one)[- ]star reviews? everywhere|everyone sees this|making a (video|thread)|"
        rf"tagging your){_E}"
        r"|热搜|曝光|微博|抖音|小红书|b站|知乎|贴吧|朋友圈|媒体|记者|电视台|全网|发(到)?网上|公开|避雷|"
        r"挂(你们|出来)|发帖|发视频|发出去|到处.{0,3}(发|说)|粉丝|让大家|所有人.{0,4}(知道|别买)|火一把|"
        r"群里.{0,2}(曝光|发|说)"
    ),
    Risk.HARASSMENT: (
        rf"{_W}(f\*+|f\*\*\* you|fuck\w*|fck|stfu|sh[i!*]t|screw you|damn you|idiots|morons?|"
        r"imbeciles?|retard\w*|braindead|brain dead|clowns|"
        rf"you('re| are| r| absolute| little){_G}(idiot|moron|stupid|dumb|clown|imbecile|useless|"
        r"pathetic|incompetent|worthless|braindead|sh[i!*]t)|go die|die in a|watch yourself|"
        rf"watch your back|i know where|sort you out|come down there|burns?{_G}down|slurs?|racist|"
        r"sexist|inappropriate|creep\w*|flirt\w*|keeps? (texting|messaging|calling|showing up)|"
        rf"messaging me weird|showing up at my|called me (stupid|an idiot|names)|dumb bot){_E}"
        r"|傻(逼|b|x|叉|子|瓜)|你.{0,2}傻|蠢(货|死|猪|蛋)|废物|一群垃圾|你们(就是|真是|都是)?垃圾|"
        r"垃圾客服|狗东西|脑子(进水|有病)|有病|神经病|是猪|猪脑|滚(?![动筒])|去你(妈|大爷|的)|你妈|尼玛|tmd|mlgb|"
        rf"nmsl|{_W}sb{_E}|骂(人|我)|骚扰|威胁|算账|让你们好看|小心(点|我)|堵你|不干不净|转悠"
    ),
    Risk.ACCOUNT_DELETION: (
        rf"{_W}((delet|remov|eras|wip|nuk|clos|terminat|deactivat|get rid of)\w* (all )?(of )?"
        r"(my|the|me|everything)( \w+)?( \w+)? (account|acct|profile|data|info|information|"
        r"details|records?)|my account gone|(erase|remove|delete) me from|"
        r"(delete|erase|wipe) everything (about|on) me|unregister|right to (erasure|be forgotten)|"
        rf"stop processing my data|deactivate me){_E}"
        r"|注销|销户|销号|删号|删(除|掉|了)?.{0,8}(账号|账户|帐号|帐户|数据|信息|资料|记录)|"
        r"(账号|账户|帐户|帐号).{0,4}删|清除.{0,6}(信息|数据|记录|资料)|不要(再)?保存.{0,4}信息|"
        r"关闭.{0,4}(账户|账号)|从.{0,6}系统.{0,4}删"
    ),
    Risk.HUMAN: (
        rf"{_W}((talk|speak|chat|connect|put|transfer|get|give|need|want|escalate)\w*{_G}"
        r"(human|person|agent|rep|representative|supervisor|manager|staff|employee|operator|"
        r"someone|somebody|anybody|anyone|member of)|is there (anybody|anyone|someone)|"
        r"can (someone|somebody|anyone) (call|contact|help)|"
        r"(are you|is this) an? (bot|robot|chatbot|ai)|not an? (bot|robot|chatbot)|robot|"
        rf"agent (please|pls|plz)|human (please|pls|plz)|automated){_E}"
        r"|机器人|自动回复|主管|领导|负责(的)?人|专人|工作人员|转接|找个(人|懂)|让个人|有人在吗|有没有人|"
        r"(能不能|可以|请|麻烦).{0,6}(打电话|来电|联系我)|给我.{0,2}电话"
    ),
}
_COMPILED = {risk: re.compile(f"{pattern}|{_GENERAL[risk]}") for risk, pattern in _PATTERNS.items()}


def find_risk(text: str) -> Risk | None:
    """The first risk the message carries, most serious first (None: none)."""
    folded = fold(text)
    return next((risk for risk, pattern in _COMPILED.items() if pattern.search(folded)), None)
