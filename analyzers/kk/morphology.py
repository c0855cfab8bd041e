"""Parsing a Kazakh word form into stem + inflectional suffixes, by the table in suffixes.py.

:func:`analyses` lists every way the suffix grammar can split a word, right to left,
checking slot order, vowel harmony and suffix-initial consonant assimilation; it knows
nothing of which stems exist. The stemmer (stemmer.py) chooses among the analyses with
the lexicon. Both the stemmer and the lexicon builder use this module, so the lexicon
is always built by the same grammar that reads it.

    >>> sorted({(a.stem, "+".join(a.chain)) for a in analyses("ормандарды") if a.kind == "noun"})
    [('орман', 'plural+accusative'), ('ормандар', 'accusative'), ('ормандард', 'poss3'), ('ормандарды', '')]
"""

from typing import NamedTuple

from analyzers.cache import word_cache
from analyzers.kk.suffixes import FAMILIES, NOT_WORD_FINAL, NOUN, SOUND_CLASSES, VERB

BACK_VOWELS = frozenset("аоұы")
FRONT_VOWELS = frozenset("әөүіе")
# Every vowel letter. The ones in neither set above (и, э, ю, я, ё) occur in Russian
# loans (министр, компания) and do not decide harmony. у is a glide, not listed here.
VOWEL_LETTERS = frozenset(SOUND_CLASSES["vowel"])


class Analysis(NamedTuple):
    """A stem, the kind of stem the suffixes need (noun or verb) and the suffix chain.

    A named tuple: a frozen dataclass's __init__ (a setattr per field) was most of
    making the ~3 analyses of each new word form (the stemmer now takes them as
    plain tuples, :func:`plain_analyses`)."""
    stem: str
    kind: str
    chain: tuple  # family names, left to right
    first_length: int = 0  # letters of the suffix right after the stem


def vowel_harmony(text: str) -> str:
    """'back', 'front' or '' (undecided) from the last vowel of ``text``.

    Native words are harmonic; a word mixing back and front vowels is a loan or a
    Russian name (Бозымбаев+тың, процес+і), whose suffixes follow no single rule.
    """
    last = ""
    for letter in reversed(text):
        if letter in BACK_VOWELS:
            last = last or "back"
            if last != "back":
                return ""
        elif letter in FRONT_VOWELS:
            last = last or "front"
            if last != "front":
                return ""
        elif letter in VOWEL_LETTERS and not last:
            return ""
    return last


# The same stems come back in many words' analyses (орман in ормандарды, орманға...).
_harmony_of = word_cache(maxsize=200_000)(vowel_harmony)


def _compile():
    """Family name -> (allomorph, letters allowed before it, harmony of the allomorph,
    letters allowed before that letter or None)."""
    compiled = {}
    for family in FAMILIES:
        rows = []
        for form, classes in family.allomorphs:
            before = None
            if "+" in classes:  # "l+open_vowel": the last two letters of what precedes
                before_class, classes = classes.split("+")
                before = frozenset(SOUND_CLASSES[before_class])
            letters = "".join(SOUND_CLASSES[c] for c in classes.split())
            harmony = vowel_harmony(form) if family.harmonic else ""
            rows.append((form, frozenset(letters) if letters else None, harmony, before))
        compiled[family.name] = (tuple(rows), frozenset(family.after))
    return compiled


_TABLE = _compile()


def _by_last_letter(table):
    """Family name -> {last letter of an allomorph: its rows, in table order}.

    A word ends in one letter, so only the allomorphs ending in it can be its
    suffix: looking them up instead of testing every allomorph with endswith
    cut the segmenter's string tests ~30-fold (9.9M endswith calls on the 10k
    bench corpus)."""
    indexed = {}
    for name, (rows, after) in table.items():
        by_last = {}
        for row in rows:
            by_last.setdefault(row[0][-1], []).append(row)
        indexed[name] = ({last: tuple(found) for last, found in by_last.items()}, after)
    return indexed


_BY_LAST = _by_last_letter(_TABLE)

# Voiced stem-final consonants that are voiceless in the dictionary form: a vowel
# suffix voices п→б (кітабы), к→г (жүрегі), қ→ғ (аяғы).
DEVOICE = {"б": "п", "г": "к", "ғ": "қ"}
# Verb suffixes whose initial ы/і may belong to the stem (see "open_vowel" in suffixes.py).
_HIGH_VOWEL_ABSORBED = frozenset({"verbal_noun", "converb_p", "voice", "aorist"})
_WORD_END = (frozenset(_TABLE) - frozenset(NOT_WORD_FINAL)) | {NOUN, VERB}
# A stem needs a vowel and at least two letters: су, ел, ас, ал, де.
MIN_STEM = 2


def _is_lone_consonant(form: str) -> bool:
    # A one-letter suffix that must leave a real syllable before it (see _split).
    return len(form) == 1 and form not in "пйу" and form not in VOWEL_LETTERS


class _Slot(dict):
    """What may end a stem at one point of the grammar: which kinds of stem (``noun``,
    ``verb``), and the suffixes allowed there, as a stem's last two letters -> the
    rows whose allomorph they allow: (family name, the slot left of that suffix,
    allomorph, its length, letters allowed before it, its harmony, letters allowed
    before that letter, whether it is a lone consonant).

    Slots point at each other, so the splitter follows rows from slot to slot
    without looking a set of families up. Two last letters leave ~1.7 rows a call
    (the last letter alone ~6, most failing ``endswith``: 850k calls on the 10k bench
    corpus); a pair's rows are picked on its first look."""

    __slots__ = ("_by_last", "noun", "verb")

    def __init__(self, noun: bool, verb: bool):
        super().__init__()
        self._by_last: dict[str, tuple] = {}
        self.noun, self.verb = noun, verb

    def __missing__(self, ending: str) -> tuple:
        rows = self[ending] = tuple(
            row for row in self._by_last.get(ending[-1:], ())
            if (row[2].endswith(ending) if len(row[2]) >= len(ending) else ending.endswith(row[2])))
        return rows


def _link_slots() -> _Slot:
    """The slot at the end of a word, linked to every slot a suffix chain reaches.

    One slot per set of allowed families (_WORD_END and each family's "after"), rows
    in the order the set and the table give them, so analyses come in the same
    order as when each set was searched family by family."""
    allowed_sets = [_WORD_END] + [after for _, after in _BY_LAST.values()]
    slots = {id(allowed): _Slot(NOUN in allowed, VERB in allowed) for allowed in allowed_sets}
    for allowed in allowed_sets:
        by_letter: dict[str, list] = {}
        for name in allowed:
            entry = _BY_LAST.get(name)
            if entry is None:
                continue
            by_last, after = entry
            for last, rows in by_last.items():
                by_letter.setdefault(last, []).extend(
                    (name, slots[id(after)], form, len(form), letters, harmony, before,
                     _is_lone_consonant(form))
                    for form, letters, harmony, before in rows)
        slots[id(allowed)]._by_last = {last: tuple(rows) for last, rows in by_letter.items()}
    return slots[id(_WORD_END)]


_AT_WORD_END = _link_slots()


def analyses(word: str) -> list[Analysis]:
    """Every split of ``word`` allowed by the suffix grammar (the bare word included)."""
    return list(map(Analysis._make, plain_analyses(word)))


def plain_analyses(word: str) -> list[tuple]:
    """:func:`analyses` as plain (stem, kind, chain, first_length) tuples, for the
    stemmer: a named tuple costs ~0.2 us more to make, and the 10k bench corpus's
    new words have ~175k analyses."""
    found = []
    _split(word, len(word), _AT_WORD_END, (), found)
    return found


def _split(word, end, slot, chain, found, first_length=0):
    stem = word[:end]
    if slot.noun:
        found.append((stem, NOUN, chain, first_length))
    if slot.verb:
        found.append((stem, VERB, chain, first_length))
    for name, left, form, size, letters, harmony, before, lone in slot[stem[-2:]]:
        if not stem.endswith(form):
            continue
        rest_end = end - size
        if rest_end < MIN_STEM:
            continue
        # A lone consonant suffix must leave a real syllable: бас is not ба+с,
        # жыл is not жы+л. Converb, present and verbal noun of two-letter verbs
        # (де+п, де+й+ді, ал+у) are the exception.
        if lone and rest_end < 3:
            continue
        rest = word[:rest_end]
        if letters is not None and rest[-1] not in letters:
            continue
        if before is not None and rest[-2] not in before:
            continue
        if harmony:
            rest_harmony = _harmony_of(rest)
            if rest_harmony and rest_harmony != harmony:
                continue
        if VOWEL_LETTERS.isdisjoint(rest):
            continue
        if left[rest[-2:]]:
            _split(word, rest_end, left, (name,) + chain, found, size)
            continue
        # No suffix of the slot ends ``rest`` (7 times in 10 on the 10k bench
        # corpus): its stem readings appended here, without a call.
        if left.noun:
            found.append((rest, NOUN, (name,) + chain, size))
        if left.verb:
            found.append((rest, VERB, (name,) + chain, size))


RESTORED, DEVOICED, CONTRACTED, ALTERNATIVE = "restored", "devoiced", "contracted", "alternative"


def _harmonic_vowel(stem: str) -> str:
    for letter in reversed(stem):
        if letter in VOWEL_LETTERS:
            return "ы" if letter in BACK_VOWELS else "і"
    return "ы"


# A noun's stem is spelled otherwise only before a vowel or у (devoicing, the
# dropped high vowel): dictionary_spellings has nothing for a noun reading whose
# suffix starts with another letter, and the stemmer does not ask.
RESPELLED_BEFORE = VOWEL_LETTERS | {"у"}


def dictionary_spellings(analysis: Analysis | tuple, word: str) -> list[tuple[str, str]]:
    """Other spellings the stem of ``analysis`` may have outside ``word``, each with
    how sure the rule is: RESTORED (the dictionary spelling, if that is seen as a word),
    DEVOICED (б/г/ғ before a vowel suffix: п/к/қ is the dictionary spelling unless the
    voiced one is a word too), CONTRACTED (the stem as read is never a real spelling) or
    ALTERNATIVE (both are possible; the better attested wins).

        >>> dictionary_spellings(Analysis("кітаб", NOUN, ("poss3",)), "кітабы")
        [('кітап', 'devoiced')]

    A list, not a generator: most readings have none, and making a generator cost
    more than the rules (80k calls for the 10k bench corpus's new words).
    """
    stem, kind, chain, _ = analysis
    found = []
    if kind == VERB and len(stem) >= 3 and stem[-1] == "и":
        # ы/і + й is written и: қамтиды = қамты+й+ды, дамиды = дамы+й+ды.
        found.append((stem[:-1] + _harmonic_vowel(stem[:-1]), CONTRACTED))
    if not chain:
        return found
    next_letter = word[len(stem)]
    if stem[-1] in DEVOICE and (next_letter in VOWEL_LETTERS or next_letter == "у"):
        # кітаб+ы → кітап; у voices too: шығу, табу ← шық, тап
        found.append((stem[:-1] + DEVOICE[stem[-1]], DEVOICED))
    if next_letter in VOWEL_LETTERS:
        if len(stem) >= 3 and stem[-1] not in VOWEL_LETTERS and stem[-2] not in VOWEL_LETTERS:
            # the high vowel drops before a vowel suffix: аузы → ауыз, халқы → халық
            found.append((stem[:-1] + _harmonic_vowel(stem) + stem[-1], RESTORED))
    if kind == VERB:
        if (chain[0] == "converb_p" and len(stem) >= 3
                and stem[-1] == "у" and stem[-2] in VOWEL_LETTERS):
            # п-final verbs turn п into у before the converb -ып: тап → тауып, жап → жауып
            found.append((stem[:-1] + "п", ALTERNATIVE))
        if chain[0] in _HIGH_VOWEL_ABSORBED and stem[-1] not in VOWEL_LETTERS:
            # verbs in -ы/-і lose it before -у, and оқы+п is spelled like оқ+ып: оқу,
            # оқып, оқылды ← оқы; but болып is бол+ып, so оқы must be the better attested.
            found.append((stem + _harmonic_vowel(stem), ALTERNATIVE))
    return found
