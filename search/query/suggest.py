"""Completions of the word being typed, from the index's own words (search as you type).

The query's last word is a prefix; completions are words of the ``exact`` field
(every paragraph's words as written, lowercased) that start with it, the ones
most paragraphs hold first. A prefix typed without Kazakh letters or in Kazakh
Latin is read the ways search reads it (:mod:`search.query.rewrite`): each folded
letter may stand for its Kazakh letter (к: к or қ ...) as long as some indexed
word still starts that way, so ``казакт`` completes to ``қазақтелеком``.

    >>> completions(Index("index").searcher().reader(), "су тасқ")   # doctest: +SKIP
    ['су тасқыны', 'су тасқынына', ...]
"""

import re
from itertools import islice

from analyzers.kk.keyboard import UNFOLD, has_kazakh_letters
from analyzers.kk.latin import latin_to_cyrillic, looks_kazakh_latin
from analyzers.normalize import normalize_word
from search.storage.schema import EXACT_FIELD

MAX_COMPLETIONS = 10
# Bounds that keep one keystroke's request to a few milliseconds on a large index.
MAX_SPELLINGS = 16      # readings of a folded prefix followed at once
MAX_TERMS_READ = 5_000  # words read under one spelling (a one-letter prefix has many)

_LAST_WORD = re.compile(r"([^\W_]|-)+$")


def completions(reader, text: str, limit: int = MAX_COMPLETIONS) -> list[str]:
    """Up to ``limit`` queries completing ``text``'s last word, most common word first."""
    found = _LAST_WORD.search(text)
    if not found:
        return []  # the text ends in a space or a sign: no word being typed
    head, word = text[:found.start()], found.group()
    if looks_kazakh_latin(text):
        head = latin_to_cyrillic(head)  # `su tasq` completes to `су тасқыны`
    frequency: dict[str, int] = {}
    for spelling in _spellings(reader, word):
        for term, info in islice(reader.iter_prefix(EXACT_FIELD, spelling), MAX_TERMS_READ):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            frequency[term] = max(frequency.get(term, 0), info.doc_frequency())
    best = sorted(frequency, key=lambda term: (-frequency[term], term))[:limit]
    return [head + term for term in best]


def _spellings(reader, word: str) -> list[str]:
    """The prefixes to complete: as typed, from Kazakh Latin, with Kazakh letters restored."""
    prefix = normalize_word(word)
    spellings = [prefix]
    if looks_kazakh_latin(word):
        spellings.append(normalize_word(latin_to_cyrillic(word)))
    for spelling in list(spellings):
        if not has_kazakh_letters(spelling) and any(c in UNFOLD for c in spelling):
            spellings.extend(_unfolded(reader, spelling))
    return list(dict.fromkeys(spellings))


def _unfolded(reader, typed: str) -> list[str]:
    """Spellings of ``typed`` with Kazakh letters that some indexed word starts with."""
    prefixes = [""]
    for letter in typed:
        prefixes = [prefix + option for prefix in prefixes
                    for option in UNFOLD.get(letter, letter)
                    if _some_word_starts(reader, prefix + option)][:MAX_SPELLINGS]
        if not prefixes:
            return []
    return prefixes


def _some_word_starts(reader, prefix: str) -> bool:
    return next(iter(reader.expand_prefix(EXACT_FIELD, prefix)), None) is not None
