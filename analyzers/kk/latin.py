"""Kazakh typed in the 2021 Latin alphabet, turned into Cyrillic so it can be searched.

    >>> latin_to_cyrillic("Qazaqtelekom")
    'Қазақтелеком'
    >>> latin_to_cyrillic("su tasqyny")
    'су тасқыны'
    >>> latin_to_cyrillic("topyraq eroziiasy, ekonomika, Elorda")
    'топырақ эрозиясы, экономика, Елорда'

The table is data (``latin_alphabet.tsv``). Python's ``"I".lower()`` is ``i``, but in
Kazakh Latin ``I`` is the capital of ``ı`` (І) and ``İ`` of ``i`` (И), so case is
folded here letter by letter, not with ``str.lower``.
"""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_UPPER_TO_LOWER = {"I": "ı", "İ": "i"}
# Letters that exist only in the Kazakh Latin alphabet (not in English).
KAZAKH_LATIN_LETTERS = frozenset("äğıñŋöşūüÄĞİIÑŊÖŞŪÜ") - {"I"}


def _load_table() -> dict[str, str]:
    table = {}
    path = Path(__file__).with_name("latin_alphabet.tsv")
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            latin, cyrillic = line.split("\t")
            table[unicodedata.normalize("NFC", latin)] = cyrillic
    return table


_TABLE = _load_table()
_PATTERN = re.compile("|".join(sorted(map(re.escape, _TABLE), key=len, reverse=True)))
_VOWELS = set("аәеиоөұүыіэюя")


def _lower_kazakh(text: str) -> str:
    return "".join(_UPPER_TO_LOWER.get(c, c.lower()) for c in unicodedata.normalize("NFC", text))


@lru_cache(maxsize=50_000)
def _word_to_cyrillic(word: str) -> str:
    lowered = _lower_kazakh(word)
    out = []
    position = 0
    for match in _PATTERN.finditer(lowered):
        if match.start() > position:
            out.append(lowered[position:match.start()])
        letter = _TABLE[match.group()]
        # i after a vowel closes the syllable: "ai" is ай (Май, тай), not аи.
        if match.group() == "i" and out and out[-1][-1] in _VOWELS:
            letter = "й"
        # ia is я at the start, after a vowel or after и (ұя, Aziia); after a
        # consonant it is и+а (материал, миллиард, медиа: 2.5x more often than
        # consonant+я, Тянь-Шань, in the collection's Kazakh). Not iu: бюджет, абсолют.
        elif match.group() == "ia" and out and out[-1][-1] not in _VOWELS:
            letter = "иа"
        out.append(letter)
        position = match.end()
    out.append(lowered[position:])
    converted = "".join(out)
    if converted.startswith("е") and _loan_initial_e(lowered) and not _native_e(converted):
        converted = "э" + converted[1:]
    if word[:1].isupper():
        converted = converted[:1].upper() + converted[1:]
    return converted


# The 2021 alphabet writes Э as E, but Cyrillic Kazakh keeps Э at the start of Russian
# loans (эрозия, экология, экономика). Their shape tells them from native е-words,
# which are harmonic (ел, екі, есеп, ерте): one or two consonants and then a back
# vowel or и, which native words write ı (эрозия, этап, экипаж, эктодерма); or a
# front vowel with a consonant-led и later (энергия, электрон); or the clusters
# of экспорт, эксперт, эффект, электр. Compounds of ел/ер and names (Елорда, Елбасы, Ерлан)
# have the shape too: an е-spelling attested in the stem lexicon stays е.
_CONSONANT = r"[^aeiouyäöüūı\W]"
_LOAN_E = re.compile(rf"e(?:ks|kz|ff|lektr|{_CONSONANT}{{1,2}}(?:[aouyūi]|e.*{_CONSONANT}i))")


def _loan_initial_e(lowered: str) -> bool:
    return bool(_LOAN_E.match(lowered))


def _native_e(cyrillic: str) -> bool:
    """Whether the е-spelling is an attested Kazakh stem, as compounds of ел/ер are
    (елорда, Елбасы), which the loan shape would take for э."""
    from analyzers.kk.stemmer import stem_kazakh, stem_lexicon
    stem = stem_kazakh(cyrillic.lower())
    return any(stem_lexicon().get((stem, kind)) for kind in ("noun", "verb"))


def latin_to_cyrillic(text: str) -> str:
    """Transliterate the Latin letters of ``text``; everything else is kept."""
    return re.sub(r"[^\W\d_]+", lambda m: _word_to_cyrillic(m.group()), text)


_LATIN_LETTERS = re.compile(r"[^\W\d_а-яёәғқңөұүһі]", re.IGNORECASE)
_CYRILLIC_RUNS = re.compile("[а-яёәғқңөұүһі]+", re.IGNORECASE)  # a string a word, not a letter


def as_cyrillic(text: str) -> str:
    """Kazakh text as the Kazakh fields index it: transliterated when written mostly
    in Latin letters, else unchanged (English names in Cyrillic text stay as they are).

        >>> as_cyrillic("Topyraq eroziiasy")
        'Топырақ эрозиясы'
    """
    cyrillic = sum(map(len, _CYRILLIC_RUNS.findall(text)))
    # Latin letters are at most the other characters: Cyrillic text needs one pass.
    if len(text) - cyrillic <= cyrillic or len(_LATIN_LETTERS.findall(text)) <= cyrillic:
        return text
    return latin_to_cyrillic(text)


def looks_kazakh_latin(text: str) -> bool:
    """True when ``text`` uses letters only the Kazakh Latin alphabet has (ä, ğ, q ...)."""
    return any(c in KAZAKH_LATIN_LETTERS for c in text) or bool(re.search(r"q", text, re.I))


# Cyrillic to the 2021 Latin alphabet, for writing test queries the way users type them.
_TO_LATIN = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ж": "j",
    "з": "z", "и": "i", "й": "i", "і": "ı", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū",
    "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ы": "y", "ш": "ş", "щ": "şş", "ч": "ch",
    "ц": "c", "э": "e", "ю": "iu", "я": "ia", "ё": "io", "ъ": "", "ь": "",
}


def cyrillic_to_latin(text: str) -> str:
    """Kazakh Cyrillic written in the 2021 Latin alphabet (lowercase letters keep case).

    >>> cyrillic_to_latin("Қазақтелеком")
    'Qazaqtelekom'
    """
    out = []
    for char in text:
        lower = char.lower()
        latin = _TO_LATIN.get(lower)
        if latin is None:
            out.append(char)
        elif char != lower:
            out.append({"ı": "I", "i": "İ"}.get(latin[:1], latin[:1].upper()) + latin[1:])
        else:
            out.append(latin)
    return "".join(out)
