"""Russian Snowball stems: a coarser view of Russian words, beside the lemmas.

Lemmas keep parts of speech apart (дивизион, дивизионный; протест,
протестовать), as they should for conflation precision; but a question often
names a thing with another part of speech than its answer does (``в своем
дивизионе`` / ``в дивизионном раунде``). Snowball cuts both to one stem, so a
field of stems searched beside the lemmas lets such words meet.

    >>> [t.text for t in russian_stem_analyzer()("в дивизионном раунде")]
    ['дивизион', 'раунд']
"""

import snowballstemmer

from analyzers.cache import word_cache
from analyzers.normalize import normalize_word
from analyzers.ru import STOP_WORDS, RussianLemmaFilter, RussianTokenizer
from analyzers.ru.morphology import as_cyrillic, lemmas

_CYRILLIC = frozenset("абвгдежзийклмнопрстуфхцчшщъыьэюя")
_stemmer = snowballstemmer.stemmer("russian")


@word_cache(maxsize=200_000)
def _stem_terms(form: str) -> tuple[str | None, tuple[str, ...]]:
    word = normalize_word(form)
    if word in STOP_WORDS:
        return None, ()
    if _CYRILLIC.isdisjoint(word):
        return lemmas(word)[0], ()  # Latin words, numbers, handles: as the lemma field has them
    return _stemmer.stemWord(as_cyrillic(word)), ()


class RussianStemFilter(RussianLemmaFilter):
    """:class:`RussianLemmaFilter` with one Snowball stem per word instead of its lemmas."""

    terms_of = staticmethod(_stem_terms)


def russian_stem_analyzer():
    return RussianTokenizer() | RussianStemFilter()
