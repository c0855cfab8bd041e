"""Filters that make one spelling of a word out of many: case, ё, accents, look-alikes."""

import unicodedata
from analyzers.cache import word_cache

from whoosh.analysis import Filter

# ё is written as е in most Russian text; both spellings must meet.
_YO = str.maketrans({"ё": "е"})


@word_cache(maxsize=200_000)
def normalize_word(word: str) -> str:
    """Lowercase, compose (NFC), drop stress marks, fold ё to е.

    >>> normalize_word("Ада\u0301м")
    'адам'
    >>> normalize_word("Зелёный")
    'зеленый'
    """
    word = unicodedata.normalize("NFC", word).lower()
    if not word.isascii():
        # A stress mark survives NFC as a separate combining character; й and ё
        # are letters (their marks are kept), acute and grave accents are not.
        # No U+0300/U+0301 even decomposed (one C call): nothing to drop, and no
        # letter to test one by one (a dict look-up per letter, ~0.6 us a word).
        decomposed = unicodedata.normalize("NFD", word)
        if ("\u0301" in decomposed or "\u0300" in decomposed) and (
                "\u0301" in word or "\u0300" in word or not _is_composed(word)):
            word = unicodedata.normalize("NFC", decomposed.replace("\u0301", "").replace("\u0300", ""))
        word = word.translate(_YO)
    return word


def _is_composed(word: str) -> bool:
    # Precomposed letters with an accent (ѐ, ѝ, á) decompose to a base plus U+0300/U+0301.
    return not any(map(_ACCENTED.__getitem__, word))


class _AccentedLetters(dict):
    """letter -> whether it decomposes to a base plus U+0300/U+0301, asked of each
    letter once (texts use a few hundred letters; words are normalized by the million)."""

    def __missing__(self, letter: str) -> bool:
        accented = self[letter] = unicodedata.decomposition(letter).endswith(("0300", "0301"))
        return accented


_ACCENTED = _AccentedLetters()


class NormalizeFilter(Filter):
    """Applies :func:`normalize_word` to every token."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        for token in tokens:
            token.text = normalize_word(token.text)
            yield token
