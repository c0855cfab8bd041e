"""Queries as people really type them: without Kazakh letters, in Latin, with typos.

:func:`rewrite_query` turns what the user typed into what is searched, and says so:

- ``казактелеком`` (Kazakh on a Russian keyboard): a query with no Kazakh-only
  letters is searched in ``folded_kk`` too, where Kazakh paragraphs are indexed
  with those letters folded, and with its words' Kazakh letters restored where
  the index's stems say so (``қазақтелеком``; :func:`restore_kazakh_letters`).
  The restored text leads; the text as typed counts at
  :data:`TYPED_WEIGHT_WHEN_RESTORED`.
- ``Qazaqtelekom`` (the 2021 Latin alphabet): searched as written (it may be
  English) and as its Cyrillic transliteration ``Қазақтелеком``. Transliteration
  is tried when the query has letters only Kazakh Latin has, or when a word
  unknown to the index as written is known once transliterated (``jasandy``).
- ``лестные пожары`` (a typo): a word no field of the index knows is replaced by
  the closest word form the index holds (edit distance by length, see
  :func:`search.spelling.typo_budget`); a word the index knows is never touched.

Only natural-language queries are rewritten. A query with syntax (a quoted phrase,
AND, ``word~`` ...) is searched as written, folded field included, because the
user said exactly what they meant.

    >>> rewritten = rewrite_query("Qazaqtelekom", ix.schema, reader)  # doctest: +SKIP
    >>> rewritten.searched_for                                       # doctest: +SKIP
    ['Qazaqtelekom', 'Қазақтелеком']
"""

import re
import weakref
from dataclasses import dataclass, field

from whoosh import query as q

from analyzers import analyzer_for
from analyzers.kk import kazakh_term
from analyzers.kk.keyboard import UNFOLD, has_kazakh_letters
from analyzers.kk.morphology import vowel_harmony
from analyzers.kk.latin import latin_to_cyrillic, looks_kazakh_latin
from analyzers.tokenize import WORD_PATTERN
from search.query.limits import Deadline, bounded, check_shape
from search.query.syntax import (_FILTER, _QUESTION_MARK, ParsedQuery, is_natural_language,
                                 marked_terms, parse_query, plain_words_if_stray_quote)
from analyzers.normalize import normalize_word
from analyzers.ru.morphology import morph_analyzer
from search.storage.schema import EXACT_FIELD, FOLDED_FIELD, text_field
from search.query.spelling import closest_word, known_word, word_forms
from search.ranking.config import FOLDED_BOOST, TYPED_WEIGHT_WHEN_RESTORED

# A word whose letters could each stand for two or three leaves too many readings.
MAX_RESTORE_BRANCHES = 64
# Shortest beginning of a word that the index must know before the rest may be
# read as suffixes (restore_kazakh_letters): a stem has at least two letters.
MIN_RESTORED_STEM = 2
KAZAKH_FIELD = text_field("kk")
RUSSIAN_FIELD = text_field("ru")
_RUSSIAN = analyzer_for("ru")
_CYRILLIC_WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)*")
_LATIN_WORD = re.compile(r"[A-Za-zÄäĞğİıIÑñŊŋÖöŞşŪūÜü]+")


@dataclass
class RewrittenQuery(ParsedQuery):
    """A parsed query and the texts actually searched for it.

    ``searched_for`` lists every text searched (the typed one first unless it was
    corrected); ``did_you_mean`` is the corrected query when a word was replaced.
    """

    searched_for: list[str] = field(default_factory=list)
    did_you_mean: str | None = None
    folded: bool = False  # also searched as Kazakh typed without its letters


def extra_fields_for(text: str) -> dict[str, float]:
    """The folded Kazakh field, for a text with no Kazakh-only letters to fold."""
    return {} if has_kazakh_letters(text) else {FOLDED_FIELD: FOLDED_BOOST}


def rewrite_query(text: str, schema, reader, empty_fields: frozenset[str] = frozenset(),
                  deadline: Deadline | None = None) -> RewrittenQuery:
    """What to search for ``text`` in the index read by ``reader`` (see the module docstring).

    ``empty_fields`` hold no words in this index and are not searched.
    """
    deadline = deadline or Deadline()
    text = plain_words_if_stray_quote(text)
    check_shape(text)  # before spelling and transliteration, which a huge word made hang
    # As the parser sees it: filters (lang:kk) apart, a question's "?" is no wildcard.
    if not is_natural_language(_QUESTION_MARK.sub(" ", _FILTER.sub(" ", text))):
        typed = parse_query(text, schema, extra_fields_for(text), empty_fields)
        query = bounded(typed.query, reader, deadline)
        # Fuzzy words are now the index words they stand for: snippets mark those.
        terms = marked_terms(query, extra_fields_for(text))
        return RewrittenQuery(text, query, typed.filter, terms, typed.words,
                              searched_for=[text], folded=FOLDED_FIELD in terms)

    variants = [text]
    transliterated = _transliteration(text, reader)
    if transliterated is not None:
        variants.append(transliterated)

    restored_from = None
    if not reads_as_russian(variants[-1], reader):
        restored = restore_words(variants[-1], reader)
        if restored != variants[-1]:
            restored_from = len(variants) - 1
            variants.append(restored)

    # Correct the variant the user most likely meant: the Cyrillic one when a
    # transliteration is searched (its Latin original is mostly unknown words).
    did_you_mean = None
    corrected = correct_words(variants[-1], reader)
    if corrected != variants[-1]:
        did_you_mean = variants[-1] = corrected

    # Each text is parsed once, and only the texts searched: parsing (analysis in
    # every field, Russian lemmas) is a third of a corrected query's time.
    parsed = [parse_query(variant, schema, extra_fields_for(variant), empty_fields)
              for variant in variants]
    if restored_from is not None and TYPED_WEIGHT_WHEN_RESTORED != 1:
        typed = parsed[restored_from]
        parsed[restored_from] = ParsedQuery(typed.text, typed.query.with_boost(
            TYPED_WEIGHT_WHEN_RESTORED), typed.filter, typed.terms, typed.words)
    terms: dict[str, set[str]] = {}
    for one in parsed:
        for fieldname, found in one.terms.items():
            terms.setdefault(fieldname, set()).update(found)
    combined = parsed[0].query if len(parsed) == 1 else q.Or([p.query for p in parsed])
    # Filters (lang:kk) are never rewritten, so every variant carries the same one.
    # Proximity looks at the words of the text most likely meant: the last variant.
    return RewrittenQuery(text, combined, parsed[0].filter, terms, parsed[-1].words,
                          searched_for=variants,
                          did_you_mean=did_you_mean, folded=FOLDED_FIELD in terms)


def restore_kazakh_letters(reader, word: str) -> str | None:
    """The Kazakh word that ``word`` is, typed without its Kazakh letters, as the index says.

    Candidates are the ways of writing ``word`` with Kazakh letters (к: к or қ,
    и: и or і ...) that the index's words allow: the ``exact`` vocabulary is walked
    letter by letter while some indexed word starts that way, and where none does
    (an inflected form the index has never seen) the rest of the word, its
    suffixes, is written by vowel harmony with what came before (қ, ғ, а after a
    back stem; к, г, ә, і after a front one). Each candidate is stemmed, and the one
    whose stem most Kazakh paragraphs hold wins, if that is not the word as typed:
    a Russian ``он`` stays ``он``.

        >>> restore_kazakh_letters(reader, "казактелеком")   # doctest: +SKIP
        'қазақтелеком'
        >>> restore_kazakh_letters(reader, "мектептеринде")  # doctest: +SKIP
        'мектептерінде'
    """
    typed = normalize_word(word)
    if has_kazakh_letters(typed) or not _CYRILLIC_WORD.fullmatch(typed) \
            or not any(c in UNFOLD for c in typed):
        return None
    # The word as typed holds its ground with what either field knows of it.
    best, best_frequency = None, max(_stem_frequency(reader, typed),
                                     reader.doc_frequency(EXACT_FIELD, typed))
    for candidate in _unfoldings(reader, typed):
        frequency = _stem_frequency(reader, candidate)
        if frequency > best_frequency or frequency == best_frequency and best is not None \
                and candidate < best:
            best, best_frequency = candidate, frequency
    return best


def _stem_frequency(reader, word: str) -> int:
    """How many Kazakh paragraphs hold the stem of ``word`` (0 for a stop word)."""
    term = kazakh_term(word)
    return reader.doc_frequency(KAZAKH_FIELD, term) if term else 0


def _unfoldings(reader, typed: str) -> set[str]:
    """The spellings of ``typed`` with Kazakh letters worth stemming (see restore_kazakh_letters)."""
    found = set()
    prefixes = [""]
    for position, letter in enumerate(typed):
        following = []
        for prefix in prefixes:
            alive = [prefix + option for option in UNFOLD.get(letter, letter)
                     if _has_prefix(reader, prefix + option)]
            if alive:
                following.extend(alive)
            elif len(prefix) >= MIN_RESTORED_STEM:
                # No indexed word goes on this way: the rest is suffixes, which
                # follow the stem's vowel harmony.
                found.update(prefix + rest for rest in _harmonic_suffixes(prefix, typed[position:]))
        prefixes = following
        if len(prefixes) > MAX_RESTORE_BRANCHES:
            return found
    found.update(prefixes)
    found.discard(typed)
    return found


def _harmonic_suffixes(stem: str, typed: str) -> list[str]:
    """``typed`` (the folded end of a word) written as suffixes of ``stem``, every way
    its н may be read (н or ң: -ның); other letters follow the stem's harmony."""
    harmony = vowel_harmony(stem)
    letters = _SUFFIX_LETTERS.get(harmony, {})
    spellings = [""]
    for letter in typed:
        options = "нң" if letter == "н" else letters.get(letter, letter)
        spellings = [spelling + option for spelling in spellings for option in options]
        if len(spellings) > MAX_RESTORE_BRANCHES:
            break
    return spellings


# How a folded letter of a suffix is written after a back or a front stem.
_SUFFIX_LETTERS = {
    "back": {"к": "қ", "г": "ғ"},
    "front": {"а": "ә", "о": "ө", "и": "і", "ы": "і"},
}


def _has_prefix(reader, prefix: str) -> bool:
    # A new process's first query asks a dozen prefixes: one term-table seek each
    # (~0.2 ms) beats loading every form under the first letter (0.1 s at 100k
    # paragraphs). A long-running process that keeps asking under a letter loads
    # its forms once (spelling.word_forms), and then a lookup is a bisect.
    seeks = _PREFIX_SEEKS.get(reader)
    if seeks is None:
        seeks = _PREFIX_SEEKS[reader] = {}
    letter = prefix[0]
    if seeks.get(letter, 0) >= SEEKS_BEFORE_LOADING_FORMS:
        return word_forms(reader, letter).has_prefix(prefix)
    seeks[letter] = seeks.get(letter, 0) + 1
    return next(iter(reader.expand_prefix(EXACT_FIELD, prefix)), None) is not None


# reader -> {first letter: prefixes sought under it}
_PREFIX_SEEKS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
SEEKS_BEFORE_LOADING_FORMS = 200


def reads_as_russian(text: str, reader) -> bool:
    """Whether more than half of the Cyrillic words of ``text`` are Russian words of the index.

    Such a query is Russian, and its words are not Kazakh typed without Kazakh
    letters: restoring them turned ``был`` into ``біл`` and ``от`` into ``өт`` in
    73 of the 612 Russian dev queries (ru nDCG@10 0.939 -> 0.921). A word is
    Russian when its lemma is in the index's Russian paragraphs (a stop word: when
    pymorphy3's dictionary has it), so a Russian-looking form the index has no
    Russian use of (``былым``) may still be Kazakh (``білім``).
    """
    words = [w for w in (m.group().lower() for m in _words(text))
             if len(w) > 1 and w.isalpha() and not has_kazakh_letters(w)
             and any("\u0400" <= c <= "\u04ff" for c in w)]
    if not words:
        return False
    russian = 0
    for word in words:
        terms = [token.text for token in _RUSSIAN(word, mode="query")]
        if terms:
            russian += any(reader.doc_frequency(RUSSIAN_FIELD, term) for term in terms)
        else:
            russian += morph_analyzer().word_is_known(word)
    return russian * 2 > len(words)


def restore_words(text: str, reader) -> str:
    """``text`` with words typed without Kazakh letters written with them, where the index says so."""
    replacements = {}
    for match in _words(text):
        restored = restore_kazakh_letters(reader, match.group())
        if restored is not None:
            replacements[(match.start(), match.end())] = _same_case(match.group(), restored)
    return _replace(text, replacements)


def _words(text: str):
    """Word matches of ``text`` outside its filters (lang:, file:)."""
    blanked = _FILTER.sub(lambda m: " " * len(m.group()), text)
    return WORD_PATTERN.finditer(blanked)


def _transliteration(text: str, reader) -> str | None:
    """``text`` in Cyrillic when it reads as Kazakh Latin, else None."""
    latin = [m for m in _words(text) if _LATIN_WORD.fullmatch(m.group())]
    if not latin:
        return None
    if not looks_kazakh_latin(" ".join(m.group() for m in latin)):
        # No letter says Kazakh (jasandy intellekt): transliterate only on the
        # evidence of a word the index knows in Cyrillic but not as written.
        if not any(not known_word(reader, m.group()) and known_word(reader, latin_to_cyrillic(m.group()))
                   for m in latin):
            return None
    return _replace(text, {(m.start(), m.end()): latin_to_cyrillic(m.group()) for m in latin})


def correct_words(text: str, reader) -> str:
    """``text`` with each word the index does not know replaced by its closest known form."""
    replacements = {}
    for match in _words(text):
        if known_word(reader, match.group()):
            continue
        closest = closest_word(reader, match.group())
        if closest is not None:
            replacements[(match.start(), match.end())] = _same_case(match.group(), closest)
    return _replace(text, replacements)


def _same_case(typed: str, word: str) -> str:
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def _replace(text: str, replacements: dict[tuple[int, int], str]) -> str:
    out, position = [], 0
    for (start, end), word in sorted(replacements.items()):
        out.append(text[position:start])
        out.append(word)
        position = end
    out.append(text[position:])
    return "".join(out)
