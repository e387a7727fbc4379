"""What the agent says when it does not answer from the knowledge base, in each language."""

from __future__ import annotations

import re

MESSAGES: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hi! I'm the {brand} assistant. Ask me about orders, delivery, returns, "
        "payments or your account.",
        "zh": "您好!我是 {brand} 的智能客服,可以为您解答订单、配送、退货、支付和账户方面的问题。",
        "es": "¡Hola! Soy el asistente de {brand}. Pregúntame por pedidos, envíos, devoluciones, "
        "pagos o tu cuenta.",
        "fr": "Bonjour ! Je suis l'assistant de {brand}. "
        "Posez-moi vos questions sur les commandes, "
        "la livraison, les retours, les paiements ou votre compte.",
        "de": "Hallo! Ich bin der Assistent von {brand}. Fragen Sie mich zu Bestellungen, "
        "Lieferung, Rücksendungen, Zahlungen oder Ihrem Konto.",
        "pt": "Olá! Sou o assistente da {brand}. Pergunte-me sobre pedidos, entregas, devoluções, "
        "pagamentos ou a sua conta.",
        "ja": "こんにちは！{brand} のアシスタントです。ご注文、"
        "配送、返品、お支払い、アカウントについてお尋ねください。",
        "ko": "안녕하세요! {brand} 상담 도우미입니다. 주문,"
        " 배송, 반품, 결제, 계정에 대해 물어보세요.",
    },
    "unsupported": {
        "en": "Thanks! I can only read text messages for now. Could you type your question?",
        "zh": "谢谢!我目前只能读取文字消息,请用文字描述您的问题。",
    },
    "help": {
        "en": "I answer questions about orders, delivery, returns, payments and your account, "
        "in English or Chinese, from our help centre. Type your question or pick a topic.",
        "zh": "我可以用中文或英文,根据帮助中心解答订单、配送、退货、支付和账户方面的问题。"
        "请直接输入问题,或选择一个主题。",
    },
    "mention": {
        "en": "Thanks for mentioning us in your story! Is there anything we can help you with?",
        "zh": "感谢您在快拍中提到我们!有什么可以帮您的吗?",
    },
    "go_private": {
        "en": "Thanks for reaching out! We've sent you a private message so we can help you "
        "there. If it hasn't arrived, please send us a direct message.",
        "zh": "感谢您的留言!我们已通过私信与您联系,如未收到,请直接私信我们。",
    },
    "no_answer": {
        "en": "Sorry, I couldn't find an answer to that in our help centre. Could you put it "
        "another way? If I still can't help, I'll pass you to our team.",
        "zh": "抱歉,我在帮助中心没有找到相关答案。能换个说法再问一次吗?"
        "如果还是不行,我会为您转接人工客服。",
        "es": "Lo siento, no encontré la respuesta en nuestro centro de ayuda. ¿Puedes decirlo "
        "de otra forma? Si sigo sin poder ayudarte, te paso con nuestro equipo.",
        "fr": "Désolé, je n'ai pas trouvé la réponse dans notre centre d'aide. Pouvez-vous "
        "reformuler ? Sinon, je vous passe à notre équipe.",
        "de": "Leider habe ich dazu nichts in unserem Hilfe-Center gefunden. Können Sie es anders "
        "formulieren? Sonst verbinde ich Sie mit unserem Team.",
        "pt": "Desculpe, não encontrei a resposta na nossa central de ajuda. Pode dizer de outra "
        "forma? Se ainda não conseguir ajudar, passo você para a nossa equipe.",
        "ja": "申し訳ありません。ヘルプセンターで答えが見つかりませんでした。"
        "別の言い方で教えていただけますか？"
        "それでも難しければ担当者におつなぎします。",
        "ko": "죄송합니다. 도움말 센터에서 답을 찾지 못했습니다. 다른 말로 다시 알려 주시겠어요? "
        "그래도 어려우면 담당자에게 연결해 드리겠습니다.",
    },
    "greeting_named": {
        "en": "Hi {name}! I'm the {brand} assistant. Ask me about orders, delivery, returns, "
        "payments or your account.",
        "zh": "{name}您好!我是 {brand} 的智能客服,"
        "可以为您解答订单、配送、退货、支付和账户方面的问题。",
    },
    "ask_order_number": {
        "en": "Sure, I can help with that. What is your order number?",
        "zh": "好的,我来帮您处理。请告诉我您的订单号。",
    },
    "offer_order_check": {
        "en": "If you send me your order number, I can check that order for you.",
        "zh": "如果您告诉我订单号,我可以帮您查询这笔订单。",
    },
    "order_unknown": {
        "en": "I couldn't find an order with the number {number}. Could you check it and send "
        "it again?",
        "zh": "没有找到订单号为 {number} 的订单,请核对后再发给我。",
    },
    "handoff": {
        "en": "I'm passing you to a member of our team. The expected wait is about {minutes} "
        "minutes, and they will reply right here in this chat.",
        "zh": "正在为您转接人工客服,预计等待约 {minutes} 分钟,客服会直接在这里回复您。",
        "es": "Te paso con una persona de nuestro equipo. La espera estimada es de unos {minutes} "
        "minutos y te responderá aquí mismo.",
        "fr": "Je vous passe à un membre de notre équipe. L'attente estimée est d'environ "
        "{minutes} minutes ; la réponse arrivera ici même.",
        "de": "Ich verbinde Sie mit einer Person aus unserem Team. Die Wartezeit beträgt etwa "
        "{minutes} Minuten; die Antwort kommt hier im Chat.",
        "pt": "Vou passar você para uma pessoa da nossa equipe. A espera estimada é de cerca de "
        "{minutes} minutos e a resposta chegará aqui mesmo.",
        "ja": "担当者におつなぎします。待ち時間は約{minutes}分で、このチャットでお返事します。",
        "ko": "담당자에게 연결해 드리겠습니다. 예상 대기 시간은 약 "
        "{minutes}분이며, 이 채팅에서 답변드립니다.",
    },
    "llm_handoff": {  # the LLM asked for a person (the dialogue then hands the conversation over)
        "en": "I'll pass this to a member of our team, who will follow up here as soon as they "
        "can.",
        "zh": "我会把您的问题转给我们的客服同事,他们会尽快在这里跟进。",
    },
    "handback": {
        "en": "Our team has finished here. I'm the assistant again: ask me anything else.",
        "zh": "人工客服已处理完毕,接下来由智能客服继续为您服务,还有其他问题随时问我。",
    },
    "handoff_urgent": {
        "en": "This needs a person from our team, and I've put you at the front of the queue: "
        "someone will reply right here as soon as possible.",
        "zh": "这个问题需要人工处理，已为您优先转接，客服会尽快在这里回复您。",
        "es": "Esto necesita una persona de nuestro equipo y te he puesto al principio de la "
        "cola: te responderán aquí lo antes posible.",
        "fr": "Cela nécessite un membre de notre équipe et vous êtes en tête de file : on vous "
        "répondra ici dès que possible.",
        "de": "Das braucht eine Person aus unserem Team; Sie stehen ganz vorne in der "
        "Warteschlange und bekommen hier so schnell wie möglich Antwort.",
        "pt": "Isto precisa de uma pessoa da nossa equipe e você está no início da fila: "
        "vão responder aqui o mais rápido possível.",
        "ja": "担当者の対応が必要なため、優先的におつなぎしました。"
        "できるだけ早くこのチャットでお返事します。",
        "ko": "담당자의 확인이 필요하여 우선 순위로 연결해 드렸습니다."
        " 최대한 빨리 이 채팅에서 답변드리겠습니다.",
    },
    "security_now": {
        "en": "While you wait, secure your account now: change your password and don't share "
        "codes or card details with anyone.",
        "zh": "等待期间，请先保护好您的账户：立即修改密码，不要向任何人透露验证码或银行卡信息。",
        "es": "Mientras esperas, protege tu cuenta: cambia tu contraseña ya y no compartas "
        "códigos ni datos de tu tarjeta con nadie.",
        "fr": "En attendant, protégez votre compte : changez votre mot de passe maintenant et ne "
        "partagez ni code ni données de carte.",
        "de": "Sichern Sie inzwischen Ihr Konto: Ändern Sie jetzt Ihr Passwort und geben Sie "
        "niemandem Codes oder Kartendaten.",
        "pt": "Enquanto espera, proteja a sua conta: mude a sua senha agora e não partilhe "
        "códigos nem dados do cartão com ninguém.",
        "ja": "お待ちの間に、今すぐパスワードを変更し、確認"
        "コードやカード情報を誰にも教えないでください。",
        "ko": "기다리시는 동안 지금 바로 비밀번호를 변경하시고, 인증 "
        "코드나 카드 정보를 누구에게도 알려 주지 마세요.",
    },
    "clarify": {
        "en": "Sorry, I didn't quite get that. Could you tell me in a few words what you need "
        "help with?",
        "zh": "抱歉，我没太明白。能用一句话告诉我您需要什么帮助吗？",
        "es": "Perdona, no lo he entendido bien. ¿Puedes contarme en pocas palabras qué necesitas?",
        "fr": "Désolé, je n'ai pas bien compris. Pouvez-vous me dire en quelques mots ce dont "
        "vous avez besoin ?",
        "de": "Entschuldigung, das habe ich nicht ganz verstanden. Können Sie in wenigen Worten "
        "sagen, wobei Sie Hilfe brauchen?",
        "pt": "Desculpe, não percebi bem. Pode dizer-me em poucas palavras do que precisa?",
        "ja": "申し訳ありません、よく分かりませんでした。どのようなご用件か、"
        "短く教えていただけますか？",
        "ko": "죄송하지만 잘 이해하지 못했어요. 어떤 도움이 필요하신지 짧게 알려 주시겠어요?",
    },
    "clarify_which": {
        "en": "I want to get this right: which of these do you mean?",
        "zh": "为了准确帮到您，请问您指的是哪一个？",
        "es": "Quiero acertar: ¿a cuál de estas te refieres?",
        "fr": "Pour bien vous répondre : de laquelle de ces questions s'agit-il ?",
        "de": "Damit ich richtig antworte: Was davon meinen Sie?",
        "pt": "Quero acertar: a qual destas se refere?",
        "ja": "正しくお答えするために、どちらの内容かお選びください。",
        "ko": "정확히 도와드리기 위해 여쭤볼게요. 어느 쪽을 말씀하시는 건가요?",
    },
    "not_covered": {
        "en": "I'm sorry, that isn't something I can answer from our help centre. If you'd like, "
        "a person from our team can help: just say so.",
        "zh": "抱歉，这个问题我在帮助中心找不到答案。如果需要，"
        "可以为您转接人工客服，告诉我一声就行。",
        "es": "Lo siento, eso no lo puedo responder desde nuestro centro de ayuda. Si quieres, "
        "una persona de nuestro equipo puede ayudarte: solo dilo.",
        "fr": "Désolé, je ne peux pas répondre à cela depuis notre centre d'aide. Si vous le "
        "souhaitez, un membre de notre équipe peut vous aider : dites-le simplement.",
        "de": "Das kann ich leider nicht aus unserem Hilfe-Center beantworten. Wenn Sie möchten, "
        "hilft Ihnen eine Person aus unserem Team: Sagen Sie einfach Bescheid.",
        "pt": "Desculpe, não consigo responder a isso pela nossa central de ajuda. Se quiser, "
        "uma pessoa da nossa equipe pode ajudar: é só dizer.",
        "ja": "申し訳ありません、ヘルプセンターではお答えできない内容です。"
        "ご希望でしたら担当者がお手伝いしますので、お知らせください。",
        "ko": "죄송하지만 도움말 센터로는 답변드릴 수 없는 내용입니다."
        " 원하시면 담당자가 도와드릴 수 있으니 말씀해 주세요.",
    },
    "close": {
        "en": "You're welcome! Glad I could help. Write any time.",
        "zh": "不客气！很高兴能帮到您，有需要随时找我。",
        "es": "¡De nada! Me alegra haber ayudado. Escríbenos cuando quieras.",
        "fr": "Avec plaisir ! N'hésitez pas à revenir vers nous.",
        "de": "Gern geschehen! Melden Sie sich jederzeit wieder.",
        "pt": "De nada! Fico feliz por ajudar. Escreva quando quiser.",
        "ja": "どういたしまして！またいつでもご連絡ください。",
        "ko": "천만에요! 도움이 되어 기쁩니다. 언제든지 다시 연락 주세요.",
    },
    "in_english": {
        "en": "",
        "zh": "(以下内容为英文)",
        "es": "(Este artículo está en inglés)",
        "fr": "(Cet article est en anglais)",
        "de": "(Dieser Artikel ist auf Englisch)",
        "pt": "(Este artigo está em inglês)",
        "ja": "(この記事は英語です)",
        "ko": "(이 문서는 영어로 되어 있습니다)",
    },
    "talk_to_person": {
        "en": "Talk to a person",
        "zh": "转人工客服",
        "es": "Hablar con una persona",
        "fr": "Parler à une personne",
        "de": "Mit einer Person sprechen",
        "pt": "Falar com uma pessoa",
        "ja": "担当者と話す",
        "ko": "상담원 연결",
    },
}

# The topics a greeting offers as buttons; a chosen one comes back as the customer's question.
TOPICS: dict[str, tuple[str, ...]] = {
    "en": (
        "Track my order",
        "Delivery times",
        "Return my item",
        "Payment methods",
        "Reset my password",
    ),
    "zh": ("查询订单状态", "配送时间", "退货政策", "支付方式", "重置密码"),
}

_GREETING = re.compile(
    r"^\W*(hi|hello|hey|good (morning|afternoon|evening)|start|/start|你好|您好|嗨|哈喽|在吗|"
    r"hola|buenos d[ií]as|bonjour|salut|hallo|guten tag|ol[áa]|bom dia|こんにちは|안녕하세요)\W*$",
    re.IGNORECASE,
)
# A conversation closer: a short message that thanks, agrees or says the problem is gone, with
# no question and no complaint in it. Alternations of literals: linear on any input.
_CLOSER_CUE = re.compile(
    r"(?<![a-z])(thanks?|thank (you|u)|thx|tks|ty|tysm|3q|cheers|appreciate|got it|gotcha|"
    r"understood|noted|makes sense|sorted|solved|resolved|fixed|found it|nvm|never ?mind|"
    r"all good|perfect|great|awesome|cool|ok(ay)?|kk|no worries|bye|goodbye|"
    r"gracias|resuelto|vale|merci|parfait|danke|geklappt|super|obrigad[oa]|valeu|resolvido)(?![a-z])"
    r"|谢|謝|好的|好滴|好嘞|好吧|懂了|明白|知道了|收到|找到了|没事了|解决了|搞定|辛苦|^行|ok|"
    r"ありがとう|了解|わかりました|감사|고맙|해결|알겠|👍|🙏|👌|❤"
)
_NOT_CLOSER = re.compile(
    r"(?<![a-z])(but|still|not|n'?t|never|nothing|yet|where|what|how|when|why|can|could|"
    r"please|pls|help me|need help|again|anyone)(?![a-z])"
    r"|但|不过|可是|还没|没收到|没到|呢|吗|怎么|哪|什么|等于没|不行|没用"
)
CLOSER_CHARS = 60


def say(key: str, language: str) -> str:
    texts = MESSAGES[key]
    return texts.get(language, texts["en"])


def is_greeting(text: str) -> bool:
    return bool(_GREETING.match(text.strip()))


def is_closer(text: str) -> bool:
    """Thanks, "got it", "好的谢谢", "👍": the customer is done (a question or a "but" says they
    are not)."""
    text = text.strip().lower()
    if not text or len(text) > CLOSER_CHARS or "?" in text or "？" in text:
        return False
    return bool(_CLOSER_CUE.search(text)) and not _NOT_CLOSER.search(text)
