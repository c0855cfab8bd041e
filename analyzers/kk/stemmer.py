"""The Kazakh stemmer: the suffix grammar proposes splits, the lexicon chooses one.

    >>> stem_kazakh("ормандарымызда")
    'орман'
    >>> stem_kazakh("пайдаланушыларға")      # the verb пайдалан, not the noun пайда
    'пайдалан'

How a split is chosen. :func:`analyses` lists every reading of the word as stem +
suffixes that respects slot order, vowel harmony and consonant assimilation
(ормандарды: орман+дар+ды, ормандар+ды, ...). The lexicon (stem_counts.tsv, built
from Kazakh running text) says for each candidate stem how many distinct corpus
forms read as that stem plus suffixes. Starting from the longest attested reading,
a shorter stem replaces it only when it brings enough forms of its own: орман is
seen in many forms besides ормандар+..., so it wins; ке (from кел+ді) is seen only
through кел, so кел stays. Stems the lexicon has never seen (names, new loans) lose
only noun inflection, and keep at least :data:`MIN_UNKNOWN_STEM` letters.

Before any of that, three data files decide closed classes: irregular.tsv (pronoun
and copula forms: маған → мен), unstemmed.txt (function words kept whole: басқа) and,
in the analyzer, stopwords.txt (auxiliaries and particles dropped).
"""

from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from analyzers.cache import clear_caches, word_cache
from analyzers.kk.morphology import (ALTERNATIVE, CONTRACTED, DEVOICED, RESPELLED_BEFORE,
                                      RESTORED, dictionary_spellings, plain_analyses)
from analyzers.kk.suffixes import NOUN, VERB

_HERE = Path(__file__).parent

# A shorter stem must bring at least this share of new forms over the current one.
NEW_FORMS_SHARE = 0.5
# A stem read before a suffix of at least this many letters needs no forms of its own
# beyond the reading: академиясы is академия+сы even if академия is seen only with -сы.
# Lone letters are what swallow a real stem's forms (ке+л+ді, жүйел+і), so they do.
OWN_EVIDENCE_EXEMPT = 2
# Unknown words (not in the lexicon): shortest stem that noun inflection may leave.
MIN_UNKNOWN_STEM = 4
# Noun-only families an unknown stem may lose (verbal readings need lexicon evidence).
_NOUN_FAMILIES = frozenset({
    "plural", "poss1sg", "poss2sg", "poss2pol", "poss1pl", "poss3", "genitive",
    "accusative", "dative", "locative", "ablative", "instrumental", "case_after_poss3",
    "locative_after_poss3",
    "dative_after_poss12", "relativizer", "similative", "equative_after_poss3",
})


def stem_lexicon() -> "_Lexicon":
    """(stem, kind) -> (distinct corpus forms, forms by first suffix family), loaded on first use."""
    return _installed_lexicon or _file_lexicon()


# A lexicon built in memory that replaces stem_counts.tsv (see use_lexicon).
_installed_lexicon = None


def use_lexicon(rows: dict | None) -> None:
    """Stem with ``rows`` (build_lexicon.lexicon_rows) instead of stem_counts.tsv; None
    goes back to the file. Cross-validation (search.evaluation.lemma_folds) builds a
    lexicon per fold from text that excludes the scored fold. Empties the per-form caches."""
    global _installed_lexicon
    _installed_lexicon = _Lexicon(rows) if rows is not None else None
    clear_caches()


@lru_cache(maxsize=1)
def _file_lexicon() -> "_Lexicon":
    # Comment lines sort first and match no (stem, kind): no need to filter them out.
    return _Lexicon(_SortedRows((_HERE / "stem_counts.tsv").read_bytes()))


class _Lexicon:
    """The lexicon's rows by (stem, kind): searched and parsed one at a time, until
    enough look-ups (indexing) pay for reading them all into tables.

    Every query loads the lexicon (its words are analyzed as Kazakh too) and
    looks at a handful of its 40,000 rows: parsing them all was ~0.1 s of every
    ``izde search``; keeping them as text is a third of that.
    """

    __slots__ = ("_rows", "_parsed", "_kinds", "_views", "_searches")

    def __init__(self, rows: "dict[tuple[str, str], str] | _SortedRows"):
        self._rows, self._parsed, self._searches = rows, {}, 0
        # A lexicon built in memory (use_lexicon) is read whole: it is for evaluation.
        self._kinds = None if type(rows) is _SortedRows else _tables_by_kind(rows)
        self._views = {kind: _KindView(self, kind) for kind in (NOUN, VERB)}

    def get(self, key: tuple[str, str], default=None):
        kinds = self._kinds
        if kinds is not None:
            table = kinds.get(key[1])
            return default if table is None else table.get(key[0], default)
        found = self._parsed.get(key)
        if found is None:
            self._searches += 1
            if self._searches > _SEARCHES_BEFORE_TABLES:
                self._kinds = self._rows.tables()
                return self.get(key, default)
            row = self._rows.get(key)
            if row is None:
                return default
            total, families = row.split("\t")
            found = self._parsed[key] = (int(total), _FamilyCounts(families))
        return found

    def by_kind(self) -> dict:
        """kind -> {stem: (forms, forms by family)}, whose ``get(stem, default)`` is
        ``get((stem, kind), default)``: plain dicts once the rows are read whole
        (indexing, see _SEARCHES_BEFORE_TABLES), so a stem is one look-up in C and no
        call; before that, views that search the rows."""
        return self._views if self._kinds is None else self._kinds


class _KindView:
    """One kind's rows through :meth:`_Lexicon.get`, while they are searched."""

    __slots__ = ("_lexicon", "_kind")

    def __init__(self, lexicon: _Lexicon, kind: str):
        self._lexicon, self._kind = lexicon, kind

    def get(self, stem: str, default=None):
        return self._lexicon.get((stem, self._kind), default)


def _tables_by_kind(rows: dict) -> dict:
    kinds = {NOUN: {}, VERB: {}}
    for (stem, kind), row in rows.items():
        total, families = row.split("\t")
        kinds.setdefault(kind, {})[stem] = (int(total), _FamilyCounts(families))
    return kinds


class _SortedRows:
    """``stem<TAB>kind<TAB>rest`` lines looked up by (stem, kind) with a binary search
    over the file's bytes.

    A dict of the 40,000 rows took ~50 ms to build, a sorted list of decoded lines
    7-10 ms; the bytes read in 0.5 ms, and a look-up is ~16 line comparisons. The
    rows are in byte order (UTF-8 keeps code-point order), as build_lexicon writes
    them; tests/test_kazakh_lexicon.py checks it.
    """

    __slots__ = ("_data",)

    def __init__(self, data: bytes):
        self._data = data

    def get(self, key: tuple[str, str], default=None):
        data, prefix = self._data, f"{key[0]}\t{key[1]}\t".encode()
        low, high = 0, len(data)  # lines starting before low are < prefix; from high on, >=
        while low < high:
            middle = (low + high) // 2
            start = data.rfind(b"\n", 0, middle) + 1  # the line holding middle
            end = data.find(b"\n", start)
            end = len(data) if end < 0 else end
            if data[start:end] < prefix:
                low = end + 1
            else:
                high = start
        if not data.startswith(prefix, low):
            return default
        end = data.find(b"\n", low)
        return data[low + len(prefix):len(data) if end < 0 else end].decode("utf-8")

    def tables(self) -> dict:
        """kind -> {stem: (forms, forms by family)} for every row, the first row of a
        (stem, kind) kept, as a search finds it: ~45 ms for the 40,000 rows, where a
        dict by (stem, kind) and tables made from it took ~65 ms."""
        kinds = {NOUN: {}, VERB: {}}
        for line in self._data.decode("utf-8").split("\n"):
            fields = line.split("\t")
            if len(fields) == 4 and not line.startswith("#"):  # comments are no rows
                stem, kind, total, families = fields
                table = kinds.setdefault(kind, {})
                if stem not in table:
                    table[stem] = (int(total), _FamilyCounts(families))
        return kinds


# Searches before the rows are read whole. Reading them costs ~8,000 searches
# (~45 ms against 5.5 us a search); but queries make a handful of look-ups and
# indexing tens of thousands, so waiting for 8,000 only adds searches to every
# build, and a run in between pays the ~45 ms at most once.
_SEARCHES_BEFORE_TABLES = 2_000


class _FamilyCounts(str):
    """A stem's forms by first suffix family (``-`` the bare stem): the row's text,
    parsed on first look.

    Most of the 40,000 rows are never looked at in a search; parsing them all
    was 0.2 s of every CLI start-up. A ``str`` so that reading the rows makes
    one in C (``map``), not through a Python ``__init__`` per row.
    """

    __slots__ = ()

    def get(self, family: str, default: int = 0) -> int:
        return _counts_of(self).get(family, default)


@word_cache(maxsize=50_000)
def _counts_of(row: str) -> dict[str, int]:
    # A pure function of the text: rows alike ("-=1", many rare stems) parse once.
    return {("" if name == "-" else name): int(n) for name, n in (item.split("=") for item in row.split())}


_UNSEEN = (0, {})
_LENGTH_AND_SEEN = itemgetter(0, 1)  # of a reading in stem_kazakh
# Hyphen-like joiners of compounds (as in analyzers/tokenize.py).
_HYPHENS = "-\u2010\u2011"


def _seen_bare(nouns, stem: str) -> bool:
    """Whether ``stem`` occurs in the corpus as a word of its own (``nouns``: the
    lexicon's noun rows, :meth:`_Lexicon.by_kind`)."""
    return bool(nouns.get(stem, _UNSEEN)[1].get(""))


@lru_cache(maxsize=1)
def irregular_forms() -> dict:
    """Closed-class forms no suffix rule reaches: pronoun stems (маған→мен) and the copula."""
    table = {}
    with open(_HERE / "irregular.tsv", encoding="utf-8") as rows:
        for row in rows:
            row = row.split("#", 1)[0].strip()
            if row:
                form, stem = row.split()
                table[form] = stem
    return table


@lru_cache(maxsize=1)
def unstemmed_words() -> frozenset:
    """Function words and lexicalized case forms indexed as written (басқа, бірге)."""
    with open(_HERE / "unstemmed.txt", encoding="utf-8") as rows:
        return frozenset(row.strip() for row in rows if row.strip() and not row.startswith("#"))


@word_cache(maxsize=200_000)
def stem_kazakh(word: str) -> str:
    """The stem of a lowercased, normalized Kazakh word form (never empty)."""
    irregular = irregular_forms().get(word)
    if irregular:
        return irregular
    if not word.isalpha():
        return _stem_compound(word)
    if len(word) < 3 or word in unstemmed_words():
        return word
    kinds = stem_lexicon().by_kind()
    nouns = kinds[NOUN]
    readings = []
    inflected = set()  # lengths of stems that are a noun inflected (NEVER_LEXICALIZED)
    for analysis in plain_analyses(word):
        stem, kind, chain, first_length = analysis
        spelled = stem
        rows = kinds[kind]
        seen, by_family = rows.get(stem, _UNSEEN)
        voiced_boundary = False
        # Another spelling needs a verb (a bare one only contracted) or a noun before
        # a vowel or у (see dictionary_spellings): the rules are not even called for
        # the others (about half the readings with a suffix).
        if kind == VERB:
            spellings = dictionary_spellings(analysis, word) if chain or stem[-1] == "и" else ()
        elif chain and word[len(stem)] in RESPELLED_BEFORE:
            spellings = dictionary_spellings(analysis, word)
        else:
            spellings = ()
        for other, rule in spellings:
            # The lexicon credits every reading to these spellings too (build_lexicon).
            other_seen, other_by_family = rows.get(other, _UNSEEN)
            if not other_seen:
                continue
            if rule == DEVOICED and not _seen_bare(nouns, stem):
                # a word does not end in б/г/ғ, so a vowel suffix must have voiced it:
                # тереңдігінде is тереңдік+і+нде even if тереңдік is rare
                spelled, seen, by_family = other, other_seen, other_by_family
                voiced_boundary = True
            elif (rule == CONTRACTED
                    # a restored spelling must be seen as a word: халық, ауыз (not ішік)
                    or rule in (RESTORED, DEVOICED) and (_seen_bare(nouns, other)
                                                         # or a verb with forms of its
                                                         # own: шықты beside шығады
                                                         or kind == VERB and other_seen > seen)
                    or rule == ALTERNATIVE and other_seen > seen):
                spelled, seen, by_family = other, other_seen, other_by_family
        # Forms that reach this stem by another first suffix than this reading's:
        # evidence of its own (ке+л+ді is read only through кел, so ке has none).
        if voiced_boundary or not chain or first_length >= OWN_EVIDENCE_EXEMPT or not seen:
            own = seen  # (an unseen reading is never chosen)
        else:
            own = seen - by_family.get(chain[0], 0)
        if kind == NOUN and chain and chain[0] in NEVER_LEXICALIZED and by_family.get(""):
            # ``spelled`` is seen bare: the stem that goes on with this suffix is it, inflected.
            inflected.add(len(stem) + first_length)
        readings.append((len(stem), seen, own, spelled, analysis))
    # Longest stem first, then the best attested; ties in the analyses' order (a
    # reverse sort is stable too), the key in C.
    readings.sort(key=_LENGTH_AND_SEEN, reverse=True)
    chosen, chosen_seen = None, 0
    for length, seen, own, spelled, _ in readings:
        if not seen or length in inflected:
            continue
        # A shorter stem wins only with enough forms of its own, beyond the current one.
        if chosen is None or min(own, seen - chosen_seen) >= max(1, NEW_FORMS_SHARE * chosen_seen):
            chosen, chosen_seen = spelled, seen
    if chosen is not None:
        return chosen
    return _stem_unknown(word, readings)


# Suffixes that never end a lexeme: a noun that is another noun plus the plural or
# the genitive is that noun inflected (арабтар, парсылар), however many forms of
# its own the corpus shows (арабтардан, арабтарды ... all read as араб too).
# Possessives and the other cases do make words (басым, жылы, сонда, содан).
# stem_kazakh skips stems as long as a bare-attested noun plus one of them.
NEVER_LEXICALIZED = frozenset({"plural", "genitive"})


def _stem_compound(word: str) -> str:
    """A hyphenated compound inflects on its last part: Қасым-Жомарттың → қасым-жомарт."""
    cut = max(word.rfind(h) for h in _HYPHENS)
    last = word[cut + 1:]
    if cut <= 0 or not last.isalpha():
        return word                                   # РЭС-2026, or no compound at all
    return word[:cut + 1] + stem_kazakh(last)


def _stem_unknown(word, readings) -> str:
    """A word without evidence in the lexicon: strip noun inflection only (Бозымбаевтың),
    and not a lone letter, which is as often part of the word (жүйелі, туралы)."""
    best = word
    for length, _, _, spelled, (_, kind, chain, _) in readings:
        if (kind == NOUN and chain and length >= MIN_UNKNOWN_STEM
                and len(word) - length >= 2
                and _NOUN_FAMILIES.issuperset(chain) and length < len(best)):
            best = spelled
    return best
