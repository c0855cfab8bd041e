"""Russian: pymorphy3 lemmas, so that every form of a word reaches the same term.

    >>> from analyzers import analyzer_for
    >>> [t.text for t in analyzer_for("ru")("лесных пожаров")]
    ['лесной', 'пожар']

The chain: split words (hyphenated compounds whole, then their parts, unless the
hyphen only attaches a particle) → lowercase, NFC, no stress marks, ё → е → drop
stop words (positions renumbered over them) → lemmas (analyzers.ru.lemmas).
An ambiguous form is indexed under each likely lemma at the same position, but a
query keeps only the most likely one: Whoosh's phrase query reads the query's
terms as consecutive words, so a second term at the same position would break it.
"""

from pathlib import Path

from whoosh.analysis import Filter, StopFilter

from analyzers.normalize import NormalizeFilter
from analyzers.ru.lemmas import lemmas
from analyzers.tokenize import WordTokenizer


def _read_word_list(name: str) -> frozenset[str]:
    text = Path(__file__).with_name(name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


STOP_WORDS = _read_word_list("stopwords.txt")

# A hyphen that only attaches a particle or a prefix-like preposition makes one
# word, not a compound: кто-то, что-нибудь, какой-либо, кое-где, по-русски,
# скажи-ка. Their parts alone (то, по, русски) would only add noise; real
# compounds (вице-министр, ООН-Хабитат, северо-запад) keep their parts.
_PARTICLE_SUFFIXES = ("-то", "-либо", "-нибудь", "-ка", "-таки", "-де")
_PARTICLE_PREFIXES = ("кое-", "кой-", "по-")


# A case ending after a number (1980-х, 2-й, 11-е) is not a word: of such a
# compound only the number is indexed as a part.
_ENDING_MAX_LEN = 3


class RussianTokenizer(WordTokenizer):
    """:class:`WordTokenizer` that keeps particles and ordinal endings attached."""

    def parts(self, word: str):
        lowered = word.lower().replace("\u2010", "-").replace("\u2011", "-")
        if lowered.endswith(_PARTICLE_SUFFIXES) or lowered.startswith(_PARTICLE_PREFIXES):
            return ()
        parts = list(super().parts(word))
        if (len(parts) == 2 and parts[0].group().isdigit()
                and parts[1].group().isalpha() and len(parts[1].group()) <= _ENDING_MAX_LEN):
            return parts[:1]
        return parts


class RussianLemmaFilter(Filter):
    """Replaces each word form with its lemma(s); see :func:`analyzers.ru.lemmas.lemmas`."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        for token in tokens:
            terms = lemmas(token.text)
            token.text = terms[0]
            yield token
            if len(terms) > 1 and token.mode != "query":
                # Further readings share the position and character offsets.
                for term in terms[1:]:
                    token.text = term
                    yield token


def russian_analyzer():
    return (RussianTokenizer() | NormalizeFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=1) | RussianLemmaFilter())
