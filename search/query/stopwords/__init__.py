"""Words that carry no topic in a question, one list per language (``kk.txt``, ``ru.txt``, ``en.txt``).

The lists are data a linguist can correct: one or more words a line, ``#`` starts
a comment. They are dropped from natural-language queries only; the index keeps
every word, so phrases such as ``"что делать"`` still match.

    >>> is_stop_word("қандай"), is_stop_word("Какой"), is_stop_word("forest")
    (True, True, False)
"""

from functools import lru_cache
from pathlib import Path

from analyzers import LANGUAGES
from analyzers.normalize import normalize_word


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """The normalized stop words of ``lang``, read on first use."""
    path = Path(__file__).with_name(f"{lang}.txt")
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        words.update(normalize_word(word) for word in line.split("#", 1)[0].split())
    return frozenset(words)


@lru_cache(maxsize=None)
def _all_stop_words() -> frozenset[str]:
    return frozenset().union(*(stop_words(lang) for lang in LANGUAGES))


def is_stop_word(word: str) -> bool:
    """Whether ``word`` is a stop word in any language.

    A query's language is not known (a short query rarely says), so the lists
    are joined; they hold only words no topic is looked up by.
    """
    return normalize_word(word) in _all_stop_words()
