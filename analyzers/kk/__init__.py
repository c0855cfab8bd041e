"""Kazakh: words, normalized, look-alike letters folded, stop words dropped, stemmed.

    >>> [t.text for t in kazakh_analyzer()("Ормандарды күзету")]
    ['орман', 'күзет']
"""

from functools import lru_cache
from pathlib import Path

from whoosh.analysis import Filter, StopFilter

from analyzers.kk.fold import LookalikeFoldFilter
from analyzers.kk.keyboard import KeyboardFoldFilter, fold_keyboard
from analyzers.kk.stemmer import stem_kazakh
from analyzers.normalize import NormalizeFilter
from analyzers.tokenize import WordTokenizer


@lru_cache(maxsize=1)
def stop_words() -> frozenset:
    """Auxiliaries and particles dropped from the index (stopwords.txt)."""
    rows = Path(__file__).with_name("stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(row.strip() for row in rows if row.strip() and not row.startswith("#"))


class KazakhStemFilter(Filter):
    """Replaces each token with its stem; positions and offsets are left as they are."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        stem = stem_kazakh  # hot path: one local lookup per token
        for token in tokens:
            token.text = stem(token.text)
            yield token


def kazakh_analyzer():
    # Stop words go before stemming: the list holds surface forms (еді, емес), and a
    # stem such as де must not be dropped for every form of the verb "say".
    return (WordTokenizer() | NormalizeFilter() | LookalikeFoldFilter()
            | StopFilter(stoplist=stop_words(), minsize=1) | KazakhStemFilter())


def kazakh_folded_analyzer():
    """Kazakh as typed on a Russian keyboard: the analyzer above with the nine letters folded.

    Folding comes before stemming, so a word typed without Kazakh letters analyzes
    exactly as the same word written properly and then folded (stemming after
    folding is weaker on suffixes, but the typed form always meets its own text).

        >>> [t.text for t in kazakh_folded_analyzer()("Қазақтелеком")]
        ['казактелеком']
    """
    return (WordTokenizer() | NormalizeFilter() | LookalikeFoldFilter() | KeyboardFoldFilter()
            | StopFilter(stoplist=folded_stop_words(), minsize=1) | KazakhStemFilter())


@lru_cache(maxsize=1)
def folded_stop_words() -> frozenset:
    """The stop words as typed without Kazakh letters (үшін -> ушин)."""
    return frozenset(fold_keyboard(word) for word in stop_words())
