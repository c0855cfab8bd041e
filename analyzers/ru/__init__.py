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

import re
from pathlib import Path

from whoosh.analysis import Filter, StopFilter

from analyzers.normalize import NormalizeFilter, normalize_word
from analyzers.ru.lemmas import is_hyphenated_modifier, lemmas
from analyzers.tokenize import WORD_PATTERN, WordTokenizer


def _read_word_list(name: str) -> frozenset[str]:
    text = Path(__file__).with_name(name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


STOP_WORDS = _read_word_list("stopwords.txt")

# Which hyphenated words are also indexed part by part (the shared tokenizer
# splits them all). Measured on ru_dev.conllu (izde eval lemmas), all parts cost
# about 3 points of conflation precision, almost all of it from adjectives.
#
# - A hyphen that only attaches a particle or a prefix-like preposition makes one
#   word: кто-то, что-нибудь, какой-либо, кое-где, по-русски, скажи-ка.
# - Hyphenated adjectives and adverbs (черно-белый, северо-западный,
#   научно-технический, давным-давно) name one property: their first part is a
#   combining stem, not a word (черно-, северо-), and `белый` should not find
#   every черно-белый film. Kept whole.
# - A case ending after a number (1980-х, 2-й, 11-е) is not a word: only the
#   number is indexed as a part, so `1980` finds `1980-х`.
# - Everything else is a compound of words and keeps its parts: вице-министр,
#   северо-запад, рок-группа, интернет-магазин, ООН-Хабитат, РЭС-2026.
_PARTICLE_SUFFIXES = ("-то", "-либо", "-нибудь", "-ка", "-таки", "-де")
_PARTICLE_PREFIXES = ("кое-", "кой-", "по-")
_ENDING_MAX_LEN = 3

# A social-media handle (@screened-14, @ivan) names one account: it is indexed
# whole, with its @, and never split or lemmatized; @ after a letter is an e-mail.
_HANDLE_OR_WORD = re.compile(rf"(?:(?<![^\W_])@)?(?:{WORD_PATTERN.pattern})")


class RussianTokenizer(WordTokenizer):
    """:class:`WordTokenizer` that keeps particles, ordinal endings and @handles attached.

        >>> [t.text for t in RussianTokenizer()("вице-министр, кто-то, 1980-х")]
        ['вице-министр', 'вице', 'министр', 'кто-то', '1980-х', '1980']
    """

    pattern = _HANDLE_OR_WORD

    def parts(self, word: str):
        if word.startswith("@"):
            return ()
        folded = normalize_word(word).replace("\u2010", "-").replace("\u2011", "-")
        if folded.endswith(_PARTICLE_SUFFIXES) or folded.startswith(_PARTICLE_PREFIXES):
            return ()
        parts = list(super().parts(word))
        if (len(parts) == 2 and parts[0].group().isdigit()
                and parts[1].group().isalpha() and len(parts[1].group()) <= _ENDING_MAX_LEN):
            return parts[:1]
        if is_hyphenated_modifier(folded):
            return ()
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
