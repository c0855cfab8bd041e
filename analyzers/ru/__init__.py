"""Russian: pymorphy3 lemmas, so that every form of a word reaches the same term.

    >>> from analyzers import analyzer_for
    >>> [t.text for t in analyzer_for("ru")("лесных пожаров")]
    ['лесной', 'пожар']

The chain: split words (hyphenated compounds whole, then their parts, unless the
hyphen only attaches a particle) → lowercase, NFC, no stress marks, ё → е → drop
stop words (positions renumbered over them) and lemmatize (analyzers.ru.morphology).
An ambiguous form is indexed under each likely lemma at the same position, but a
query keeps only the most likely one: Whoosh's phrase query reads the query's
terms as consecutive words, so a second term at the same position would break it.
"""

import re
from pathlib import Path

from whoosh.analysis import Filter

from analyzers.cache import word_cache
from analyzers.normalize import normalize_word
from analyzers.positions import kept_tokens
from analyzers.ru.morphology import is_combining_stem, is_hyphenated_modifier, lemmas
from analyzers.tokenize import _HYPHENS, _WORD, WORD_PATTERN, WordTokenizer


def _read_word_list(name: str) -> frozenset[str]:
    text = Path(__file__).with_name(name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


STOP_WORDS = _read_word_list("stopwords.txt")

# Which hyphenated words are also indexed part by part (the shared tokenizer
# splits them all). Parts cost conflation precision, since черно-белый then meets
# белый; on ru_dev.conllu (izde eval lemmas) splitting every compound cost 3.0
# points, of which hyphenated adjectives 2.2. What is left (P .948 against .957
# with no parts at all) is the price of `министр` finding `вице-министр`.
#
# - A hyphen that only attaches a particle or a prefix-like preposition makes one
#   word: кто-то, что-нибудь, какой-либо, кое-где, по-русски, скажи-ка.
# - Hyphenated adjectives and adverbs (черно-белый, северо-западный,
#   научно-технический, давным-давно) name one property: their first part is a
#   combining stem, not a word (черно-, северо-), and `белый` should not find
#   every черно-белый film. Kept whole, as are interjections and particles
#   (ха-ха, м-да): their halves are not words either.
# - A compound whose first part is a combining stem or prefix, not a word
#   (северо-восток, юго-запад, крио-камера, мото-кросс), is one word for the same
#   reason: `восток` should not find северо-восток, as `камера` would not find
#   криокамера written solid.
# - A case ending after a number (1980-х, 2-й, 11-е) is not a word: only the
#   number is indexed as a part, so `1980` finds `1980-х`.
# - Everything else is a compound of words and keeps its parts: вице-министр,
#   рок-группа, интернет-магазин, ООН-Хабитат, РЭС-2026.
_PARTICLE_SUFFIXES = ("-то", "-либо", "-нибудь", "-ка", "-таки", "-де")
_PARTICLE_PREFIXES = ("кое-", "кой-", "по-")
_ENDING_MAX_LEN = 3

# A social-media handle (@screened-14, @ivan) names one account: it is indexed
# whole, with its @, and never split or lemmatized; @ after a letter is an e-mail.
# An alternation, so plain words match as fast as with WORD_PATTERN; the handle
# branch has no group, so the tokenizer never splits a handle.
_HANDLE_OR_WORD = re.compile(
    rf"{WORD_PATTERN.pattern}|(?<![^\W_])@{_WORD}(?:[{_HYPHENS}]{_WORD})*")

# Where this tokenizer and WordTokenizer may cut a text differently: an @, or a
# hyphen between a word's letters (a word may end in a combining mark).
_HANDLE_OR_COMPOUND = re.compile(rf"@|(?:[^\W_]|[\u0300-\u036f])[{_HYPHENS}][^\W_]")


class RussianTokenizer(WordTokenizer):
    """:class:`WordTokenizer` that keeps particles, ordinal endings and @handles attached.

        >>> [t.text for t in RussianTokenizer()("вице-министр, кто-то, 1980-х")]
        ['вице-министр', 'вице', 'министр', 'кто-то', '1980-х', '1980']
    """

    pattern = _HANDLE_OR_WORD

    def words_like(self, text: str) -> type:
        """:class:`WordTokenizer` for a text without an @ or a hyphen inside a word
        (most paragraphs): then nothing here differs, and the words are cut once
        for the ``exact`` field and the Russian ones.

            >>> RussianTokenizer().words_like("лесные пожары"), RussianTokenizer().words_like("кто-то")
            (<class 'analyzers.tokenize.WordTokenizer'>, <class 'analyzers.ru.RussianTokenizer'>)
        """
        if "@" not in text and "-" not in text and "\u2010" not in text and "\u2011" not in text:
            return WordTokenizer  # substring tests in C: no regex pass for most paragraphs
        return RussianTokenizer if _HANDLE_OR_COMPOUND.search(text) else WordTokenizer

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
        if is_hyphenated_modifier(folded) or is_combining_stem(folded.split("-", 1)[0]):
            return ()
        return parts


def index_terms(form: str) -> tuple[str, ...]:
    """The index terms of a word form as the tokenizer cut it: () for a stop word.

    >>> index_terms("Лесных"), index_terms("По")
    (('лесной',), ())
    """
    first, rest = _first_and_other_terms(form)
    return () if first is None else (first, *rest)


@word_cache(maxsize=200_000)
def is_russian_stop(form: str) -> bool:
    """Whether the word form is a stop word, which the index leaves out (cached:
    snippets ask it of every word of every hit, analyzers.positions)."""
    return normalize_word(form) in STOP_WORDS


@word_cache(maxsize=200_000)
def _first_and_other_terms(form: str) -> tuple[str | None, tuple[str, ...]]:
    # Shaped for the filter's loop: one unpacking, no length test for the
    # common single-term case.
    word = normalize_word(form)
    if word in STOP_WORDS:
        return None, ()
    terms = lemmas(word)
    return terms[0], terms[1:]


class RussianLemmaFilter(Filter):
    """Normalizes, drops stop words and lemmatizes: :func:`index_terms` per token.

    The three steps (analyzers.normalize.normalize_word, STOP_WORDS,
    analyzers.ru.morphology.lemmas) are one filter and one cached call per token
    because every filter layer costs a Python generator step on every token:
    fused, the analyzer ran 1.3-1.6x faster than as NormalizeFilter | StopFilter |
    lemma filter, and about as fast as Whoosh's stock Russian analyzer
    (``izde eval lemmas --compare-stock``).

    Positions after a stop word close up, as with StopFilter(renumber=True), so
    the phrase "министерство по делам" is [министерство, дело] at consecutive
    positions both in the index and in the query. With ``removestops=False``
    (highlighting) stop words pass through marked ``stopped``, at their own
    position, and the others are numbered as in the index.
    """

    # A token's (first term, further terms), (None, ()) for a stop word; cached.
    terms_of = staticmethod(_first_and_other_terms)
    # What terms_of says None to, without the morphology (analyzers.positions).
    is_stop = staticmethod(is_russian_stop)

    def positions(self, tokens):
        return kept_tokens(tokens, self.is_stop)

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        _terms = self.terms_of  # a local lookup on every token, not an attribute one
        dropped = 0
        for token in tokens:
            first, others = _terms(token.text)
            if first is None:
                dropped += 1
                if not token.removestops:
                    token.text = normalize_word(token.text)
                    token.stopped = True
                    yield token
                continue
            if dropped and token.positions:
                token.pos -= dropped
            token.text = first
            yield token
            if others and token.mode != "query":
                # Further readings share the position and character offsets.
                for term in others:
                    token.text = term
                    yield token


def russian_analyzer():
    return RussianTokenizer() | RussianLemmaFilter()
