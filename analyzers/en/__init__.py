"""English: Snowball (Porter2) stems after lowercasing; stop words dropped."""

from analyzers.cache import word_cache
from pathlib import Path

import snowballstemmer
from whoosh.analysis import Filter, StopFilter

from analyzers.normalize import NormalizeFilter
from analyzers.tokenize import WordTokenizer

STOP_WORDS = frozenset(
    (Path(__file__).with_name("stopwords.txt")).read_text(encoding="utf-8").split()
)

_stemmer = snowballstemmer.stemmer("english")


@word_cache(maxsize=100_000)
def stem_english(word: str) -> str:
    return _stemmer.stemWord(word)


class EnglishStemFilter(Filter):
    def __eq__(self, other):
        return other.__class__ is self.__class__

    def positions(self, tokens):
        return tokens  # stemming drops no word (analyzers.positions)

    def __call__(self, tokens):
        for token in tokens:
            token.text = stem_english(token.text)
            yield token


def english_analyzer():
    return WordTokenizer() | NormalizeFilter() | StopFilter(stoplist=STOP_WORDS, minsize=1) | EnglishStemFilter()
