"""Which language a short social message is written in (ISO 639-1).

Scripts first: Chinese characters without kana are Chinese (ja with kana, ko with Hangul), and
Cyrillic, Arabic, Hebrew, Greek, Thai and Devanagari name their most likely language. Latin text
is English unless it carries clear marks of another language: its function words ("donde",
"bestellung", "merci") or letters English does not use (ñ, ß, ç, ã). With few words the prior
is English, the language most Latin-script customers write to the brand in.
"""

from __future__ import annotations

import re

from socialcare.understand.text import fold, is_han

DEFAULT = "en"

_SCRIPTS = (
    ("ru", "\u0400", "\u04ff"),
    ("ar", "\u0600", "\u06ff"),
    ("he", "\u0590", "\u05ff"),
    ("el", "\u0370", "\u03ff"),
    ("th", "\u0e00", "\u0e7f"),
    ("hi", "\u0900", "\u097f"),
)
_WORD = re.compile(r"[a-zà-ÿß]+")
# Words that are frequent in each language and rare in English (nor each other's).
_MARKERS = {
    "es": """hola gracias donde dónde está esta pedido quiero necesito puedo cuando cuándo
        por favor porque qué que mi mis cómo como envío compra pago ayuda tengo buenos buenas
        días dias tardes noches señor reembolso cuenta todavía llegado cancelar contraseña
        el los las una uno del al muy también pero hay""",
    "fr": """bonjour bonsoir merci où est ma mon mes je suis commande voudrais besoin aide
        colis livraison remboursement compte mot passe pourquoi quand avec pour sur pas
        les des une du au aux c'est j'ai n'est vous nous très aussi mais il elle salut""",
    "de": """hallo danke bitte wo ist meine mein bestellung ich möchte brauche hilfe paket
        lieferung rückerstattung konto passwort warum wann mit für nicht die der das und ein
        eine sie wir sehr auch aber guten tag morgen abend noch schon""",
    "pt": """olá ola obrigado obrigada onde está meu minha pedido quero preciso ajuda
        encomenda entrega reembolso conta senha porque quando com para não uma os das dos
        muito também mas bom dia boa tarde noite você""",
    "it": """ciao grazie dove mio mia ordine vorrei bisogno aiuto pacco consegna rimborso
        conto perché quando con per non gli della sono buongiorno buonasera anche però
        molto è""",
    "nl": """hallo dank bedankt waar mijn bestelling ik wil nodig hulp pakket levering
        terugbetaling account wachtwoord waarom wanneer met voor niet het een de en ook
        maar goedemorgen goedemiddag alstublieft""",
    "id": """halo terima kasih dimana di mana pesanan saya ingin butuh bantuan paket
        pengiriman pengembalian dana akun kata sandi kenapa kapan dengan untuk tidak yang
        dan ini itu selamat pagi siang malam sudah belum""",
}
_MARKER_WORDS = {lang: frozenset(words.split()) for lang, words in _MARKERS.items()}
_LETTERS = {"es": "ñ¿¡", "de": "ßäöü", "fr": "çèêàùœ", "pt": "ãõç"}
_ENGLISH = frozenset(
    """the a an is are was my me i you your to of in on for and or it this that with be have
    has do does can could would will please thanks thank hi hello hey where when what how why
    order refund account help need want get not no yes ok""".split()  # noqa: SIM905
)


def detect_language(text: str, default: str = DEFAULT) -> str:
    """The language of `text`, or `default` when it has no letters (emoji, numbers, nothing)."""
    folded = fold(text if isinstance(text, str) else "")
    counts = _scripts(folded)
    han, kana, hangul, latin = (counts.pop(s, 0) for s in ("han", "kana", "hangul", "latin"))
    others = counts
    if kana:
        return "ja"
    if hangul and hangul >= han:
        return "ko"
    # One Chinese character carries about as much as a short English word.
    if han and han * 3 >= latin:
        return "zh"
    if others and max(others.values()) >= latin:
        return max(others, key=others.__getitem__)
    if latin:
        return _latin_language(folded)
    return default


def _scripts(folded: str) -> dict[str, int]:
    """Letters per script: han, kana, hangul, latin, and the languages of `_SCRIPTS`."""
    counts: dict[str, int] = {}
    for char in folded:
        if not char.isalpha():
            continue
        script = "other"
        if is_han(char):
            script = "han"
        elif "\u3040" <= char <= "\u30ff":
            script = "kana"
        elif "\uac00" <= char <= "\ud7af" or "\u1100" <= char <= "\u11ff":
            script = "hangul"
        elif char.isascii() or "\u00c0" <= char <= "\u024f":
            script = "latin"
        else:
            script = next((lang for lang, low, high in _SCRIPTS if low <= char <= high), "other")
        counts[script] = counts.get(script, 0) + 1
    counts.pop("other", None)
    return counts


def _latin_language(folded: str) -> str:
    words = _WORD.findall(folded)
    scores = {lang: sum(w in markers for w in words) for lang, markers in _MARKER_WORDS.items()}
    for lang, letters in _LETTERS.items():
        if any(c in letters for c in folded):
            scores[lang] = scores.get(lang, 0) + 1
    english = sum(w in _ENGLISH for w in words)
    best = max(scores, key=scores.__getitem__)
    # Another language needs more marks than English has, and two when the message is longer.
    needed = max(english + 1, 1 if len(words) <= 3 else 2)
    return best if scores[best] >= needed else "en"
