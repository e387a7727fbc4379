"""What the help centre does not cover, said before any article is looked for: questions about
physical shops, gift cards, jobs, wholesale, stock and products, prices and sales, other brands,
and chit-chat. An article found for them would be unrelated (a gift-card question scores well
against "place an order"), so the agent says honestly that it cannot answer and offers a person.

And what is too vague to look up: a few words with no question in them ("my order", "有个问题"),
answered with a question back rather than a guess.

Alternations of literal phrases only: linear on any input.
"""

from __future__ import annotations

import re

from socialcare.understand.text import fold, is_han

_W = r"(?<![a-z])"
_E = r"(?![a-z])"
_OUT_OF_SCOPE = re.compile(
    rf"{_W}(gift ?cards?|gift ?vouchers?|physical (store|shop)|(a|your) (store|shop|showroom) in|"
    r"stores? near|shops? near|visit (a|your) (store|shop)|in.store|opening a store|"
    r"hiring|jobs|job opening|career|careers|work (for|at) you|work in your|internship|vacanc\w*|"
    r"wholesale|in bulk|bulk order|resell\w*|distributor|"
    r"back in stock|restock\w*|in stock|out of stock|measurements|dimensions|made of|vegan|"
    r"price match\w*|black friday|cyber monday|sale this year|"
    r"weather|recommend a (good )?(movie|film|book|restaurant)|tell me a joke|"
    r"netflix|iphone|android update|battery drains?|my train|train tickets?|flights?|"
    rf"magasin|boutique à|tienda (en|f[ií]sica)|geschäft in|loja f[ií]sica){_E}"
    r"|礼品卡|购物卡|实体店|线下店|门店|专卖店|招人|招聘|工作机会|实习|批发|进货|代理|经销|补货|有货|"
    r"现货|尺寸多大|什么材质|保价|降价|打折|优惠券|双十一|正品|拼多多|淘宝|京东|宜家|直播|老板是谁|"
    r"哪个国家的|天气|下雨|讲个笑话|高铁|火车票|机票|耗电|"
    r"ギフトカード|店舗|기프트카드|매장"
)
_QUESTION = re.compile(
    rf"{_W}(how|what|where|when|why|which|can|could|do|does|is|are|will|u|you){_E}"
    r"|怎么|什么|哪|吗|多久|几|能|可以|要"
)
# Words that say nothing of what the customer needs ("I have a problem", "help with my order").
_FILLER = frozenset(
    """i im i'm me my mine a an the to of for with about on in at it its this that there here is
    am are was be been have has had got get need needs want wanna would like some something
    thing things stuff problem problems issue issues question questions help pls please plz hi
    hello hey hiya ok okay so just again still now um hmm erm yes no not dont don't doesnt
    doesn't work working works can could you your guys anyone someone there order account
    hola alguien por ahí ahi bonjour quelqu'un hallo jemand da olá ola alguém""".split()  # noqa: SIM905
)
VAGUE_CONTENT = 1  # this many words that say something, or fewer: too vague to look up
VAGUE_WORDS = 8  # ... in a message of at most this many words
VAGUE_HAN = 8  # a Chinese message of at most this many characters, with no question word


def out_of_scope(text: str) -> bool:
    return bool(_OUT_OF_SCOPE.search(fold(text)))


def vague(text: str) -> bool:
    """A few words that say nothing of what is needed: "my order", "help", "I have a problem",
    "有个问题", "hellooo? anyone"."""
    folded = fold(text)
    han = sum(is_han(c) for c in folded)
    if han:
        return han <= VAGUE_HAN and not _QUESTION.search(folded)
    words = [w.strip(".,!?;:'\"()") for w in folded.split()]
    content = [w for w in words if len(w) > 1 and w not in _FILLER]
    return len(words) <= VAGUE_WORDS and len(content) <= VAGUE_CONTENT
