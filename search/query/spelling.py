"""Typo tolerance: a query word the index has never seen, replaced by the closest one it has.

A word is *known* when any field would match it: its form as written (``exact``),
its lemma or stem in a language field, or its folded form in ``folded_kk``. Only
unknown words are corrected, so a correctly spelt Russian word is never
"corrected" towards some Kazakh word, and a rare word stays what it is.

Corrections come from ``exact``, the word forms the index holds as written, so
what the user is shown (``did you mean: лесные пожары``) is a real word, not a
stem. The edit budget follows the word's length (Meilisearch's rule of thumb,
close to Elasticsearch's ``fuzziness: AUTO``: one typo from 5 letters, two from 9).
"""

import weakref
from bisect import bisect_left
from functools import lru_cache

from analyzers import LANGUAGES, analyzer_for
from analyzers.kk import kazakh_folded_analyzer
from analyzers.kk.keyboard import has_kazakh_letters
from analyzers.normalize import normalize_word
from analyzers.ru.morphology import inflect_like
from search.storage.schema import EXACT_FIELD, FOLDED_FIELD, text_field
from search.query.stopwords import is_stop_word

# Typos rarely hit the first letter; requiring it keeps the vocabulary scan short.
SHARED_PREFIX = 1


def typo_budget(word: str) -> int:
    """How many edits a word of this length may be corrected by.

    >>> typo_budget("лес"), typo_budget("пожар"), typo_budget("восстановление")
    (0, 1, 2)
    """
    if len(word) >= 9:
        return 2
    if len(word) >= 5:
        return 1
    return 0


@lru_cache(maxsize=None)
def _analyzers() -> tuple:
    """(field, analyzer) for every field a word is looked up in to call it known."""
    return tuple((text_field(lang), analyzer_for(lang)) for lang in LANGUAGES)


def _terms(analyzer, word: str) -> list[str]:
    return [token.text for token in analyzer(word, mode="query")]


def known_word(reader, word: str) -> bool:
    """Whether some field of the index would match ``word`` (stop words count as known)."""
    if is_stop_word(word):
        return True
    if reader.doc_frequency(EXACT_FIELD, normalize_word(word)):
        return True
    fields = list(_analyzers())
    if not has_kazakh_letters(word):
        fields.append((FOLDED_FIELD, kazakh_folded_analyzer()))
    analyzed = False
    for fieldname, analyzer in fields:
        for term in _terms(analyzer, word):
            analyzed = True
            if reader.doc_frequency(fieldname, term):
                return True
    return not analyzed  # every analyzer dropped it: nothing to correct


def closest_word(reader, word: str) -> str | None:
    """The index word form nearest to ``word`` within its typo budget, the most frequent of
    equally near ones (ties to the alphabetically first, so results repeat)."""
    typed = normalize_word(word)
    budget = typo_budget(typed) if typed.isalpha() else 0
    if not budget:
        return None
    # One edit: every string one edit away is looked up (a few hundred set lookups,
    # no vocabulary scan); that is where nearly all typos are.
    known = word_forms(reader, typed[:SHARED_PREFIX]).known
    found = [(reader.doc_frequency(EXACT_FIELD, c), c) for c in _one_edit(typed) if c in known]
    if not found and budget > 1:
        found = _scan(reader, typed, budget)
    if not found:
        return closest_lemma(reader, typed)
    return min(found, key=lambda f: (-f[0], f[1]))[1]


def closest_lemma(reader, typed: str) -> str | None:
    """For a Russian word: the indexed lemma one edit from the typed word's lemma,
    inflected as the typed word reads (its case and number).

    ``пажары`` is two edits from every form the seeds hold (``пожаров``,
    ``пожарами``) but its lemma ``пажар`` is one from ``пожар``; the user is
    shown ``пожары``, a dictionary form, not the bare lemma.
    """
    if has_kazakh_letters(typed) or not any("\u0400" <= c <= "\u04ff" for c in typed):
        return None
    fieldname = text_field("ru")
    terms = _terms(analyzer_for("ru"), typed)
    if len(terms) != 1 or len(terms[0]) < 5:
        return None
    lemma = terms[0]
    known = word_forms(reader, lemma[:SHARED_PREFIX], fieldname).known
    found = [(reader.doc_frequency(fieldname, c), c) for c in _one_edit(lemma) if c in known]
    if not found:
        return None
    return inflect_like(min(found, key=lambda f: (-f[0], f[1]))[1], typed)


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion from ``word``
    that keeps its first :data:`SHARED_PREFIX` letters."""
    letters = _ALPHABETS[0] if any("\u0400" <= c <= "\u04ff" for c in word) else _ALPHABETS[1]
    head, tail = word[:SHARED_PREFIX], word[SHARED_PREFIX:]
    splits = [(tail[:i], tail[i:]) for i in range(len(tail) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in letters}
    edits |= {a + c + b for a, b in splits for c in letters}
    edits.discard(tail)
    return {head + edit for edit in edits}


_ALPHABETS = ("абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі", "abcdefghijklmnopqrstuvwxyz")


class WordForms:
    """The terms of a field (``exact``: word forms) that begin with one letter, as a set and sorted."""

    def __init__(self, reader, letter: str, fieldname: str = EXACT_FIELD):
        self.sorted = [raw.decode("utf-8") for raw in reader.expand_prefix(fieldname, letter)]
        self.known = frozenset(self.sorted)

    def has_prefix(self, prefix: str) -> bool:
        at = bisect_left(self.sorted, prefix)
        return at < len(self.sorted) and self.sorted[at].startswith(prefix)


# reader -> {first letter: WordForms}. Read once per letter and reader (about 25 ms
# for the 4,000 forms under one letter of the dev index), then a lookup is a set
# probe instead of a term-table read: an unknown word's ~800 one-edit strings took
# ~800 doc_frequency calls. A new reader (after a commit) starts afresh.
_FORMS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def word_forms(reader, letter: str, fieldname: str = EXACT_FIELD) -> WordForms:
    """The :class:`WordForms` of ``reader`` under ``letter``, read on first use."""
    by_letter = _FORMS.get(reader)
    if by_letter is None:
        by_letter = _FORMS[reader] = {}
    forms = by_letter.get((fieldname, letter))
    if forms is None:
        forms = by_letter[(fieldname, letter)] = WordForms(reader, letter, fieldname)
    return forms


def _scan(reader, typed: str, budget: int) -> list[tuple[int, str]]:
    """Forms within ``budget`` edits, by a scan of the forms sharing the first letter.

    Slow (every such form is looked at), so only for long words with no form one
    edit away; the letter-set test rejects most forms before the edit distance runs.
    """
    letters = set(typed)
    nearest, found = budget + 1, []
    for form in word_forms(reader, typed[:SHARED_PREFIX]).sorted:
        if abs(len(form) - len(typed)) > budget:
            continue
        other = set(form)
        if max(len(other - letters), len(letters - other)) > budget:
            continue
        edits = edit_distance(form, typed, limit=budget)
        if edits < nearest:
            nearest, found = edits, []
        if edits == nearest:
            found.append((reader.doc_frequency(EXACT_FIELD, form), form))
    return found if nearest <= budget else []


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from ``a`` to ``b``, or
    ``limit + 1`` as soon as every alignment needs more than ``limit``.

        >>> edit_distance("орман", "оман", 2), edit_distance("орман", "роман", 2)
        (1, 1)
    """
    # Rows keep their leftmost column at the end, so index -1 reads it.
    two_back, previous = None, list(range(1, len(b) + 1)) + [0]
    for x in range(len(a)):
        row = [0] * len(b) + [x + 1]
        for y in range(len(b)):
            row[y] = min(previous[y] + 1, row[y - 1] + 1, previous[y - 1] + (a[x] != b[y]))
            if x and y and a[x] == b[y - 1] and a[x - 1] == b[y] and a[x] != b[y]:
                row[y] = min(row[y], two_back[y - 2] + 1)
        # Later cells come from this row or the one before: past the limit, so are they.
        if min(row) > limit and min(previous) > limit:
            return limit + 1
        two_back, previous = previous, row
    return min(previous[len(b) - 1], limit + 1)
