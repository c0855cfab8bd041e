"""Bounds on what one query may cost, so no query typed can hang a search.

A fuzzy word, a wildcard or a prefix stands for every index word it matches,
and each of those is scored: ``лес~99999999999999999999999`` took 57 s,
``*** лес`` 49 s on a 6,000-paragraph index. As Elasticsearch and Lucene do:

- edit distance is capped at :data:`MAX_EDITS` (Lucene's automata support 2),
  the first letter is kept (:data:`FUZZY_PREFIX`), and a fuzzy word searches at most :data:`MAX_FUZZY_EXPANSIONS` index words
  (Elasticsearch's ``max_expansions``), the most frequent;
- a wildcard or prefix matching more than :data:`MAX_EXPANSIONS` index words in
  a field is refused (Lucene's ``maxClauseCount``);
- parentheses nest at most :data:`MAX_NESTING` deep (Elasticsearch's
  ``max_nested_depth`` is 30), words are at most :data:`MAX_WORD_LENGTH` letters;
- expanding and scoring share a budget of :data:`QUERY_SECONDS`.

Every refusal is a :class:`QuerySyntaxError` that says what to change.
"""

import time
import weakref
from bisect import bisect_left

from whoosh import query as q
from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton

from search.errors import QuerySyntaxError

MAX_EDITS = 2
# Letters a fuzzy word keeps as typed: typos rarely hit the first letter (as Izde's
# typo correction assumes), and it keeps the words to walk to one letter's.
FUZZY_PREFIX = 1
MAX_FUZZY_EXPANSIONS = 50
MAX_EXPANSIONS = 1024
MAX_NESTING = 30
MAX_WORD_LENGTH = 256
QUERY_SECONDS = 2.0
# Index words matched between two looks at the clock.
_CLOCK_EVERY = 512


class Deadline:
    """When a query's time budget runs out; :meth:`check` refuses the query after it."""

    def __init__(self, seconds: float = QUERY_SECONDS):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def check(self, what: str = "the query") -> None:
        if time.monotonic() >= self.at:
            raise QuerySyntaxError(f"{what} takes over {self.seconds:g} s to search; "
                                   f"make it more specific")


def check_shape(text: str) -> None:
    """Refuse text nested deeper than :data:`MAX_NESTING` or with an over-long word.

    >>> check_shape("(" * 31 + "лес" + ")" * 31)
    Traceback (most recent call last):
    search.errors.QuerySyntaxError: the query nests parentheses 31 deep; at most 30 are allowed
    """
    depth = deepest = 0
    for inside_quotes, chunk in enumerate(text.split('"')):
        if inside_quotes % 2:
            continue
        for char in chunk:
            depth += (char == "(") - (char == ")")
            deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise QuerySyntaxError(f"the query nests parentheses {deepest} deep; at most "
                               f"{MAX_NESTING} are allowed")
    longest = max((len(chunk) for chunk in text.split()), default=0)
    if longest > MAX_WORD_LENGTH:
        raise QuerySyntaxError(f"the query has a word of {longest:,} characters; words are "
                               f"at most {MAX_WORD_LENGTH} (no indexed word is longer)")


def bounded(query: q.Query, reader, deadline: Deadline) -> q.Query:
    """``query`` with each fuzzy word, wildcard and prefix held to the bounds above."""
    if isinstance(query, q.FuzzyTerm):
        return _bounded_fuzzy(query, reader, deadline)
    if isinstance(query, (q.Wildcard, q.Prefix, q.Regex, q.TermRange)):
        _count_expansions(query, reader, deadline)
        return query
    if isinstance(query, (q.CompoundQuery, q.BinaryQuery, q.WrappingQuery)) or \
            hasattr(query, "children"):
        return query.apply(lambda child: bounded(child, reader, deadline))
    return query


def _bounded_fuzzy(query: q.FuzzyTerm, reader, deadline: Deadline) -> q.Query:
    # A prefix longer than the word made Whoosh's automaton raise IndexError.
    prefix = max(FUZZY_PREFIX, int(query.prefixlength))
    clamped = q.FuzzyTerm(query.fieldname, query.text, boost=query.boost,
                          maxdist=max(0, min(int(query.maxdist), MAX_EDITS)),
                          prefixlength=min(prefix, len(query.text)),
                          constantscore=query.constantscore)
    words = fuzzy_words(reader, clamped.fieldname, clamped.text, clamped.maxdist,
                        clamped.prefixlength, deadline)
    if len(words) > MAX_FUZZY_EXPANSIONS:
        words = sorted(words, key=lambda word: (-reader.doc_frequency(query.fieldname, word),
                                                word))[:MAX_FUZZY_EXPANSIONS]
    if not words:
        return q.NullQuery
    # The words themselves, not the FuzzyTerm: Whoosh would find them again through
    # its on-disk automaton, and an OR of terms is scored by Izde's term-at-a-time path.
    return q.Or([q.Term(query.fieldname, word) for word in sorted(words)], boost=query.boost)


def fuzzy_words(reader, fieldname: str, text: str, maxdist: int, prefix: int,
                deadline: Deadline) -> list[str]:
    """The index words of ``fieldname`` within ``maxdist`` edits of ``text``.

    Whoosh's ``terms_within`` walks the same Levenshtein automaton but seeks the
    on-disk term table at every step (~0.2 s a field for ``лес~2`` at 6,000
    paragraphs); over the field's words held in memory, bisect does it in ~25 ms.
    """
    words = _field_words(reader, fieldname, text[:prefix], deadline)
    automaton = levenshtein_automaton(text, maxdist, prefix).to_dfa()

    def first_from(key: str):
        at = bisect_left(words, key)
        return words[at] if at < len(words) else None

    found = []
    for count, word in enumerate(find_all_matches(automaton, first_from), start=1):
        found.append(word)
        if count % _CLOCK_EVERY == 0:
            deadline.check(f"`{text}~{maxdist}`")
    return found


# reader -> {(field, prefix): the field's words with that prefix, sorted}: loaded once
# for a reader, as spelling.word_forms does.
_WORDS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _field_words(reader, fieldname: str, prefix: str, deadline: Deadline) -> list[str]:
    cached = _WORDS.setdefault(reader, {})
    if (fieldname, prefix) not in cached:
        words = []
        for count, raw in enumerate(reader.expand_prefix(fieldname, prefix), start=1):
            words.append(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
            if count % (64 * _CLOCK_EVERY) == 0:
                deadline.check("the fuzzy word")
        cached[fieldname, prefix] = words  # UTF-8 byte order is code point order: sorted
    return cached[fieldname, prefix]


def _count_expansions(query: q.MultiTerm, reader, deadline: Deadline,
                      limit: int | None = MAX_EXPANSIONS) -> list:
    """The index words ``query`` matches in its field; refused past ``limit`` or the deadline."""
    words = []
    for found, word in enumerate(query._btexts(reader), start=1):
        words.append(word.decode("utf-8") if isinstance(word, bytes) else word)
        if limit is not None and found > limit:
            raise QuerySyntaxError(f"{_shown(query)} matches over {limit:,} words in the index; "
                                   f"make it longer or more specific")
        if found % _CLOCK_EVERY == 0:
            deadline.check(_shown(query))
    deadline.check(_shown(query))
    return words


def _shown(query: q.Query) -> str:
    text = getattr(query, "text", None)
    if isinstance(query, q.TermRange):
        text = f"the range {query.start or ''}..{query.end or ''}"
    return f"`{text}`" if text and not text.startswith("the range") else (text or "the query")
