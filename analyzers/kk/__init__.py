"""Kazakh: words, normalized, look-alike letters folded, stemmed by our own stemmer.

    >>> [t.text for t in kazakh_analyzer()("Ормандарды күзету")]
    ['орман', 'күзет']
"""

from whoosh.analysis import Filter

from analyzers.kk.fold import LookalikeFoldFilter
from analyzers.kk.stemmer import stem_kazakh
from analyzers.normalize import NormalizeFilter
from analyzers.tokenize import WordTokenizer


class KazakhStemFilter(Filter):
    """Replaces each token with its stem; positions and offsets are left as they are."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        for token in tokens:
            token.text = stem_kazakh(token.text)
            yield token


def kazakh_analyzer():
    return WordTokenizer() | NormalizeFilter() | LookalikeFoldFilter() | KazakhStemFilter()
