"""Test queries rewritten the way people really type them, to measure :mod:`search.query.rewrite`.

``izde eval retrieval --rewrite folded|latin|typo1|typo`` runs the judged queries after one
of these rewrites and compares with the queries as written (``exact``):

- ``folded``: Kazakh queries typed on a Russian keyboard (қ -> к, і -> и ...);
- ``folded-y``: the same with the other habit for і, typed ы (кітап -> кытап);
- ``latin``: Kazakh queries in the 2021 Latin alphabet;
- ``typo1``: one typo in one word of at least 5 letters per query, in every
  language (the issue's measure: "queries with one typo per query");
- ``typo``: one typo in every word of at least 5 letters, in every language.

Queries of other languages are left as they are under ``folded`` and ``latin``, so
their rows show what the rewriting machinery costs queries it should not touch.
Every rewrite is deterministic: the same query always gets the same typo.

    >>> typed_query({"lang": "kk", "text": "Қызыл кітап"}, "latin")
    'Qyzyl kıtap'
"""

import zlib

from analyzers.kk.keyboard import fold_keyboard
from analyzers.kk.latin import cyrillic_to_latin
from analyzers.tokenize import WORD_PATTERN
from search.evaluation import REWRITES

_I_AS_Y = str.maketrans("іІ", "ыЫ")
MIN_TYPO_WORD = 5  # shorter words get no typo (and are not corrected either)


def typed_query(query: dict, rewrite: str) -> str:
    """The text of ``query`` (``{"lang", "text"}``) as typed under ``rewrite``."""
    text = query["text"]
    if rewrite == "exact":
        return text
    if rewrite == "folded":
        return fold_keyboard(text) if query.get("lang") == "kk" else text
    if rewrite == "folded-y":
        return fold_keyboard(text.translate(_I_AS_Y)) if query.get("lang") == "kk" else text
    if rewrite == "latin":
        return cyrillic_to_latin(text) if query.get("lang") == "kk" else text
    if rewrite == "typo":
        return WORD_PATTERN.sub(lambda m: with_typo(m.group()), text)
    if rewrite == "typo1":
        return with_one_typo(text)
    raise ValueError(f"unknown rewrite {rewrite!r}; expected one of {', '.join(REWRITES)}")


def with_one_typo(text: str) -> str:
    """``text`` with a typo (:func:`with_typo`) in one of its words of 5+ letters, the
    word chosen by a hash of the text so that it repeats; unchanged if it has none.

    >>> with_one_typo("Когда начались лесные пожары?")
    'Когда начаались лесные пожары?'
    """
    words = [m for m in WORD_PATTERN.finditer(text) if with_typo(m.group()) != m.group()]
    if not words:
        return text
    chosen = words[zlib.crc32(text.encode("utf-8")) % len(words)]
    return text[:chosen.start()] + with_typo(chosen.group()) + text[chosen.end():]


def with_typo(word: str) -> str:
    """``word`` with one typo (a dropped, doubled, swapped or replaced letter), if long enough.

    The first letter is never touched: typos there are rare, and the corrector
    relies on it (:data:`search.spelling.SHARED_PREFIX`), which this test set
    therefore does not probe.

    >>> with_typo("пожары")
    'пожарр'
    """
    if len(word) < MIN_TYPO_WORD or not word.isalpha():
        return word
    seed = zlib.crc32(word.encode("utf-8"))
    position = 1 + seed % (len(word) - 1)
    kind = (seed >> 8) % 4
    if kind == 0:  # a letter dropped
        return word[:position] + word[position + 1:]
    if kind == 1:  # a letter doubled
        return word[:position] + word[position] + word[position:]
    if kind == 2 and position < len(word) - 1:  # two letters swapped
        return word[:position] + word[position + 1] + word[position] + word[position + 2:]
    # a letter replaced by its neighbour in the word (a slip to a nearby key is likelier
    # than any letter, and staying within the word's alphabet keeps it one script)
    neighbour = word[position - 1] if word[position - 1] != word[position] else word[0]
    if neighbour == word[position]:  # a run of one letter: drop one instead
        return word[:position] + word[position + 1:]
    return word[:position] + neighbour + word[position + 1:]
