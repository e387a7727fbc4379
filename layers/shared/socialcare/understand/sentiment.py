"""How the customer feels: negative, neutral or positive, with a score in [-1, 1].

A lexicon tuned for customer-service messages in English and Chinese: complaint words weigh more
than in general text ("still", "again", "没到", "又"), negation flips the next words ("not happy",
"不满意"), intensifiers strengthen them, emoji and profanity count, and praise next to a complaint
is read as sarcasm ("great, late again" is negative).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from socialcare.understand.text import fold

_EN = {
    -3: """terrible horrible awful worst disgusting pathetic useless scam fraud furious outraged
        hate hated unacceptable ridiculous disgrace nightmare rubbish garbage trash shit crap fuck
        fucking fucked bullshit wtf suck sucks damn goddamn bloody""",
    -2: """bad poor angry upset annoyed annoying disappointed disappointing frustrated frustrating
        broken damaged defective faulty wrong missing lost stolen late delayed never nobody refuse
        refused rude slow waste wasted cheated unhappy sad problem problems issue issues error
        errors fail failed failing complaint complain horrendous unreliable incompetent""",
    -1: """still again waiting wait yet stuck confused confusing worried concern
        concerned difficult hard unfortunately sorry expensive overcharged charged twice""",
    1: """fine good nice thanks thank thx helpful quick fast easy works worked glad""",
    2: """great happy pleased satisfied love loved liked awesome cool perfect smooth solved
        resolved fixed
        appreciate appreciated recommend""",
    3: """excellent amazing fantastic wonderful brilliant outstanding superb best delighted
        thrilled""",
}
_ZH = {
    -3: """垃圾 骗子 骗人 诈骗 恶心 气死 无语 坑人 坑爹 太差 最差 烂透 滚 妈的 他妈 傻逼 混蛋 愤怒
        忍无可忍 欺骗 黑心 投诉到底 不能接受 白花钱""",
    -2: """差 烂 坏 破 慢 破损 损坏 错了 丢了 丢件 没收到 没到 还没 迟迟 延迟 不满 失望 生气 郁闷
        糟糕 投诉 故障 失败 报错 骗 难用 麻烦 坑 不行 离谱 态度差 不理 没人 敷衍 没用 用不了 多收
        再也不 少了""",
    -1: """问题 还是 又 一直 等了 着急 急 担心 为什么 怎么回事 贵 重复扣款 不好意思 湿了""",
    1: """不错 谢谢 感谢 方便 搞定 收到了 有用 帮助""",
    2: """满意 喜欢 好用 开心 高兴 棒 赞 给力 点赞 推荐 顺利 贴心 解决了 很快 专业 有帮助""",
    3: """非常满意 太棒了 完美 超赞 超级好 太好了 五星 好评 惊喜""",
}
_EMOJI = {
    "😡": -3, "🤬": -3, "😠": -2, "😤": -2, "💩": -2, "😢": -2, "😭": -2, "😞": -2, "😩": -2,
    "😒": -1, "🙄": -1, "👎": -2, "😔": -1, "💔": -2,
    "😀": 2, "😃": 2, "😄": 2, "😊": 2, "🙂": 1, "😍": 3, "🥰": 3, "❤": 2, "👍": 2, "🙏": 1,
    "🎉": 2, "👏": 2, "😁": 2, "💯": 2, "🤩": 3,
}  # fmt: skip
_NEGATIONS_EN = frozenset(
    "not no dont don't didnt didn't doesnt doesn't isnt isn't wasnt wasn't cant can't "  # noqa: SIM905
    "cannot wont won't havent haven't hardly nothing".split()
)
_NEGATIONS_ZH = ("不", "没", "别", "未", "无")
_INTENSIFIERS = frozenset(
    "very so really extremely totally absolutely too super 非常 很 太 超 真 特别".split()  # noqa: SIM905
)
_COMPLAINT_CUES = re.compile(
    r"\b(again|still|late|delay(ed)?|never|waiting|broke|broken|lost|third time|yet)\b"
    r"|又|还没|一直|延迟|迟迟|坏",
)
# Phrases whose words alone would mislead ("work" is not praise, but "doesn't work" is a complaint).
_PHRASES = (
    (re.compile(r"\b(doesn'?t|does not|don'?t|not|isn'?t|stopped|never) work(s|ing|ed)?\b"), -2.0),
    (re.compile(r"\bthanks? (you )?for nothing\b"), -4.0),
    (re.compile(r"\bwaste of\b"), -2.0),
    # Sarcasm: praise that means the opposite ("love how my express is on day 6", "真行").
    (
        re.compile(
            r"\blove how\b|\bgreat stuff\b|\bthanks,? i guess\b|\bwell done guys\b|"
            r"真行|真棒啊|好棒棒|呵呵|等于没|谢谢你啊|厉害了"
        ),
        -5.0,
    ),
    # Complaints that carry no negative word: waiting, repeating, escalating, shouting.
    (
        re.compile(
            r"\b(way too (much|many|long)|keeps? (getting|saying|sending|happening)|ignoring me|"
            r"(\d+|two|three|four|five|six|ten) (days|weeks|months)|small claims|court|lawyers?|"
            r"trading standards|reporting you|journalists|review site|charged (me )?twice)\b"
            r"|烦死|两次|一个礼拜|十天|五天|几天了|到底|再不|再拖|起诉|律师|法院|12315|消协|曝光|"
            r"被盗|盗刷|智障|废物|[!！?？]{2}"
        ),
        -3.0,
    ),
)
_PRAISE_WORDS = re.compile(
    r"\b(great|thanks|wonderful|perfect|amazing|fantastic|love)\b|太好了|真棒|谢谢"
)

_EN_WORDS = {w: v for v, words in _EN.items() for w in words.split()}
_ZH_WORDS = sorted(
    ((w, v) for v, words in _ZH.items() for w in words.split()), key=lambda p: -len(p[0])
)
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[\u4e00-\u9fff]+|[^\sa-z\u4e00-\u9fff]")
NEUTRAL_BAND = 0.2


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: str  # negative, neutral, positive
    score: float  # -1 (angry) .. 1 (delighted)


def sentiment(text: str) -> Sentiment:
    folded = fold(text if isinstance(text, str) else "")
    total = 0.0
    negate = boost = 0
    for piece in _TOKEN.findall(folded):
        if piece in _NEGATIONS_EN:
            negate = 3
            continue
        if piece in _INTENSIFIERS:
            boost = 2
            continue
        value = _value(piece, total)
        if value:
            if negate:
                value = -value if value > 0 else -value * 0.5
            if boost:
                value *= 1.5
            total += value
        negate = max(0, negate - 1)
        boost = max(0, boost - 1)
    total += sum(weight for pattern, weight in _PHRASES if pattern.search(folded))
    if _PRAISE_WORDS.search(folded) and _COMPLAINT_CUES.search(folded) and total > -1:
        total = min(total, 0.0) - 2  # "great, late again": praise beside a complaint is sarcasm
    score = math.tanh(total / 4)
    label = "neutral"
    if score <= -NEUTRAL_BAND:
        label = "negative"
    elif score >= NEUTRAL_BAND:
        label = "positive"
    return Sentiment(label, round(score, 3))


def _value(piece: str, total: float) -> float:
    """What one word, run of Chinese characters, emoji or mark says; an exclamation mark
    sharpens a complaint already made."""
    if piece.isascii() and piece.isalpha():
        return _EN_WORDS.get(piece, 0)
    if "\u4e00" <= piece[0] <= "\u9fff":
        return _chinese(piece)
    if piece == "!" and total < 0:
        return -0.5
    return _EMOJI.get(piece, 0)


def _chinese(run: str) -> float:
    """Lexicon words in a run of Chinese characters, longest first; a negation character right
    before a word flips it ("不满意", "没解决")."""
    total = 0.0
    taken = [False] * len(run)
    for word, value in _ZH_WORDS:
        start = run.find(word)
        while start >= 0:
            span = range(start, start + len(word))
            if not any(taken[i] for i in span):
                for i in span:
                    taken[i] = True
                negated = start > 0 and run[start - 1] in _NEGATIONS_ZH and not taken[start - 1]
                intense = start > 0 and run[start - 1] in "很太非超真"
                v = float(value)
                if negated:
                    v = -v if v > 0 else -v * 0.5
                if intense:
                    v *= 1.5
                total += v
            start = run.find(word, start + 1)
    return total
