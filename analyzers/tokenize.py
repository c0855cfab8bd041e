"""Splitting text into word tokens, shared by every language's analyzer.

A word is a run of letters and digits; combining marks (stress accents such as
``ада́м``) stay inside the word so a later filter can drop them. Words joined by a
hyphen (``вице-министр``, ``ООН-Хабитат``, ``РЭС-2026``, ``іс-шаралар``) are emitted
whole and then part by part, each at its own position, so that a query for the
compound, for either part, or for the parts typed with a space all match::

    >>> [t.text for t in WordTokenizer()("вице-министр экологии")]
    ['вице-министр', 'вице', 'министр', 'экологии']

Phrase queries stay consistent because the query runs through the same tokenizer.
"""

import re

from whoosh.analysis import Token, Tokenizer

# Letters and digits, with combining marks (U+0300..U+036F) allowed after any of
# them. Written as runs rather than (?:letter marks*)+: same words, ~1.5x faster.
_WORD = r"[^\W_]+(?:[\u0300-\u036f]+[^\W_]*)*"
# Hyphen-like joiners: ASCII hyphen, Unicode hyphen, non-breaking hyphen.
_HYPHENS = "-\u2010\u2011"
# The hyphenated tail is a group, so `match.lastindex` tells a compound from a
# plain word without looking at the word again (the tokenizer's hot path).
WORD_PATTERN = re.compile(rf"{_WORD}((?:[{_HYPHENS}]{_WORD})+)?")
_PART_PATTERN = re.compile(_WORD)
# WORD_PATTERN without its group, for findall: whole matches, no match objects.
_WHOLE_WORD_PATTERN = re.compile(rf"{_WORD}(?:[{_HYPHENS}]{_WORD})*")


class WordTokenizer(Tokenizer):
    """Yields words and, for hyphenated compounds, the compound then its parts.

    A language whose hyphenated words are not all compounds (Russian ``кто-то``,
    ``по-русски``) overrides :meth:`parts` to keep those whole.
    """

    # What a word is; a language may widen it (Russian adds @handles).
    pattern = WORD_PATTERN

    def parts(self, word: str):
        """Matches of the parts of the hyphenated ``word`` to index after it."""
        return _PART_PATTERN.finditer(word)

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def words_like(self, text: str) -> type:
        """A tokenizer class whose :meth:`words` of ``text`` are this one's: indexing
        cuts a text once for all the fields whose tokenizers agree on it."""
        return type(self)

    def words(self, text: str) -> list[str]:
        """The words :meth:`__call__` yields, in order (a word's position is its index),
        without Token objects: what indexing needs (analyzers.word_terms).

            >>> WordTokenizer().words("іс-шаралар жоспары")
            ['іс-шаралар', 'іс', 'шаралар', 'жоспары']
        """
        if self.pattern is WORD_PATTERN:
            # findall makes no match object per word: ~0.3 of the loop's time.
            found = _WHOLE_WORD_PATTERN.findall(text)
            if "-" not in text and "\u2010" not in text and "\u2011" not in text:
                return found  # no compound without a hyphen
            return self._with_parts(found)
        found = []
        add = found.append
        for match in self.pattern.finditer(text):
            word = match.group()
            add(word)
            if match.lastindex:  # a hyphenated compound
                found.extend(part.group() for part in self.parts(word))
        return found

    def _with_parts(self, words: list[str]) -> list[str]:
        # A word holds a hyphen only if it is a compound (a _WORD holds none).
        found = []
        for word in words:
            found.append(word)
            if "-" in word or "\u2010" in word or "\u2011" in word:
                found.extend(part.group() for part in self.parts(word))
        return found

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        if not tokenize:
            yield _fill(token, value, pos, start_char, start_char + len(value), keeporiginal)
            return
        # The hot path of every analyzer: the fields are set inline (no _fill
        # call), and compounds are told apart by the pattern's group.
        for match in self.pattern.finditer(value):
            word = match.group()
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            # pos and offsets are set even when not asked for: cheaper than
            # testing the flags on every word, and harmless.
            token.pos = pos
            start, end = match.span()
            token.startchar = start_char + start
            token.endchar = start_char + end
            yield token
            pos += 1
            if match.lastindex:  # a hyphenated compound
                start = start_char + start
                for part in self.parts(word):
                    yield _fill(token, part.group(), pos, start + part.start(),
                                start + part.end(), keeporiginal)
                    pos += 1


def _fill(token, text, pos, startchar, endchar, keeporiginal):
    token.text = text
    token.boost = 1.0
    token.stopped = False
    if keeporiginal:
        token.original = text
    if token.positions:
        token.pos = pos
    if token.chars:
        token.startchar = startchar
        token.endchar = endchar
    return token
