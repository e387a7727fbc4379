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
VAGUE_WORDS = 6  # this many words or fewer, with no question in them: too vague to look up
VAGUE_HAN = 8  # the same for Chinese characters


def out_of_scope(text: str) -> bool:
    return bool(_OUT_OF_SCOPE.search(fold(text)))


def vague(text: str) -> bool:
    """A few words and no question word: "my order", "help", "有个问题", "hellooo? anyone"."""
    folded = fold(text)
    han = sum(is_han(c) for c in folded)
    words = len(folded.split())
    short = han <= VAGUE_HAN if han else words <= VAGUE_WORDS
    return short and not _QUESTION.search(folded)
