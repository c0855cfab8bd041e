"""Kazakh: words, normalized, look-alike letters folded, stop words dropped, stemmed.

    >>> [t.text for t in kazakh_analyzer()("Ормандарды күзету")]
    ['орман', 'күзет']
"""

from functools import lru_cache
from pathlib import Path

from whoosh.analysis import Filter

from analyzers.cache import word_cache
from analyzers.kk.fold import fold_lookalikes
from analyzers.kk.keyboard import fold_keyboard
from analyzers.kk.stemmer import stem_kazakh
from analyzers.normalize import normalize_word
from analyzers.positions import kept_tokens
from analyzers.tokenize import WordTokenizer


@lru_cache(maxsize=1)
def stop_words() -> frozenset:
    """Auxiliaries and particles dropped from the index (stopwords.txt)."""
    rows = Path(__file__).with_name("stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(row.strip() for row in rows if row.strip() and not row.startswith("#"))


@word_cache(maxsize=200_000)
def kazakh_term(form: str) -> str | None:
    """The index term of a word form as the tokenizer cut it; None for a stop word.

    >>> kazakh_term("Ормандарды"), kazakh_term("еді")
    ('орман', None)
    """
    # Stop words are checked before stemming: the list holds surface forms (еді,
    # емес), and a stem such as де must not be dropped for every form of "say".
    word = _looked_up(form)
    return None if word in stop_words() else stem_kazakh(word)


@word_cache(maxsize=200_000)
def is_kazakh_stop(form: str) -> bool:
    """Whether the word form is a stop word, which the index leaves out (cached:
    snippets ask it of every word of every hit, analyzers.positions)."""
    return _looked_up(form) in stop_words()


@word_cache(maxsize=200_000)
def folded_kazakh_term(form: str) -> str | None:
    """:func:`kazakh_term` of the word as typed without Kazakh letters (қ -> к, і -> и ...)."""
    word = fold_keyboard(_looked_up(form))
    return None if word in folded_stop_words() else stem_kazakh(word)


@word_cache(maxsize=200_000)
def is_folded_kazakh_stop(form: str) -> bool:
    """:func:`is_kazakh_stop` of the word as typed without Kazakh letters."""
    return fold_keyboard(_looked_up(form)) in folded_stop_words()


def _looked_up(form: str) -> str:
    # The form as the stop list and the stemmer look it up.
    return fold_lookalikes(normalize_word(form))


class KazakhTermFilter(Filter):
    """Normalizes, folds look-alike letters, drops stop words and stems: :func:`kazakh_term`.

    One filter and one cached call per token, because every filter layer costs a
    generator step on every token: as normalize | fold look-alikes |
    StopFilter | stem filter the analyzer ran at 165k words/s warm against
    Whoosh's StandardAnalyzer's 263k (0.63x, `izde eval lemmas --compare-stock`).

    Positions after a stop word close up, as with StopFilter(renumber=True), so a
    phrase query (which drops the same words) lines up. With ``removestops=False``
    (highlighting) stop words pass through marked ``stopped``.

    The loop repeats the Russian filter's on purpose: that one unpacks (first
    term, other readings) per token, and sharing it cost Kazakh 5-15% (ours/stock
    0.95-0.97 before, 0.81-0.92 shared, three runs each of `--compare-stock`).
    """

    def __init__(self, folded: bool = False):
        self.folded = folded  # the keyboard-folded variant (kazakh_folded_analyzer)

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.folded == self.folded

    @property
    def is_stop(self):
        """What __call__ drops, told without stemming (analyzers.positions)."""
        return is_folded_kazakh_stop if self.folded else is_kazakh_stop

    def positions(self, tokens):
        return kept_tokens(tokens, self.is_stop)

    def __call__(self, tokens):
        _term = folded_kazakh_term if self.folded else kazakh_term  # local: the hot path
        dropped = 0
        for token in tokens:
            term = _term(token.text)
            if term is None:
                dropped += 1
                if not token.removestops:
                    token.text = normalize_word(token.text)
                    token.stopped = True
                    yield token
                continue
            if dropped and token.positions:
                token.pos -= dropped
            token.text = term
            yield token


def kazakh_analyzer():
    return WordTokenizer() | KazakhTermFilter()


def kazakh_folded_analyzer():
    """Kazakh as typed on a Russian keyboard: the analyzer above with the nine letters folded.

    Folding comes before stemming, so a word typed without Kazakh letters analyzes
    exactly as the same word written properly and then folded (stemming after
    folding is weaker on suffixes, but the typed form always meets its own text).

        >>> [t.text for t in kazakh_folded_analyzer()("Қазақтелеком")]
        ['казактелеком']
    """
    return WordTokenizer() | KazakhTermFilter(folded=True)


@lru_cache(maxsize=1)
def folded_stop_words() -> frozenset:
    """The stop words as typed without Kazakh letters (үшін -> ушин)."""
    return frozenset(fold_keyboard(word) for word in stop_words())
