"""Russian: first version, Snowball stems (replaced by pymorphy3 lemmas)."""

from analyzers.cache import word_cache

import snowballstemmer
from whoosh.analysis import Filter

from analyzers.normalize import NormalizeFilter
from analyzers.tokenize import WordTokenizer

_stemmer = snowballstemmer.stemmer("russian")


@word_cache(maxsize=100_000)
def stem_russian(word: str) -> str:
    return _stemmer.stemWord(word)


class RussianStemFilter(Filter):
    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        for token in tokens:
            token.text = stem_russian(token.text)
            yield token


def russian_analyzer():
    return WordTokenizer() | NormalizeFilter() | RussianStemFilter()
