"""Telling Kazakh, Russian and English paragraphs apart, and setting the rest aside.

Each word votes: a word with a Kazakh-only letter (ә ғ қ ң ө ұ ү һ і) or a
frequent Kazakh function word votes Kazakh; a frequent Russian function word or
a typically Russian inflection (-ого, -ых, -ение, -ться ...) votes Russian.
Text written mostly in Latin letters is English, unless its words carry the
2021 Kazakh Latin alphabet (ä ñ ū q, or Kazakh function words: jäne, men,
bolyp), which makes it Kazakh. Words that vote neither way (names, numbers)
leave the decision to ``default``, which callers set to the language of the
surrounding file.

Cyrillic text in a neighbouring language is ``other`` (indexed without stemming),
not Kazakh: Ukrainian and Belarusian share і with Kazakh, Kyrgyz, Tatar, Bashkir
and Uzbek share ә ғ қ ң ө ү. Letters Kazakh never uses decide (ї є ґ ў җ ҡ ҙ ҫ
ҳ), with the Ukrainian/Belarusian conjunction і and Turkic text lacking all of
қ ұ і, which no Kazakh paragraph of a few words does without.

    >>> detect_language("Су тасқыны кезеңіне дайындық")
    'kk'
    >>> detect_language("Лесные пожары в области Абай")
    'ru'
    >>> detect_language("Forest fires in the Abai region")
    'en'
"""

import re

from analyzers.cache import word_table

LANGUAGES = ("kk", "ru", "en")
# Paragraphs in none of LANGUAGES (Ukrainian, Kyrgyz ...): indexed as written, not stemmed.
OTHER = "other"

_KAZAKH_LETTERS = re.compile("[әғқңөұүһі]")
_CYRILLIC_WORD = re.compile(r"[а-яёәғқңөұүһіїєґўјҗҡҙҫҳӣӯ]+")
_LATIN_LETTER = re.compile(r"[a-zäğıñŋöşūü]")
# Runs of them: their lengths sum to the letters, with a string per run, not per letter.
_LATIN_LETTERS = re.compile(_LATIN_LETTER.pattern + "+")
_LATIN_WORD = re.compile(r"[a-zäğıñŋöşūüі̇]+")

# Letters of Cyrillic alphabets near Kazakh that Kazakh does not use: Ukrainian
# ї є ґ, Belarusian and Uzbek ў, Tatar җ, Bashkir ҡ ҙ ҫ, Uzbek and Tajik ҳ, Tajik ӣ ӯ.
_NEIGHBOUR_LETTERS = re.compile("[їєґўҗҡҙҫҳӣӯ]")
# Frequent Ukrainian and Belarusian words spelt with letters Kazakh has (і, й).
_NEIGHBOUR_WORDS = frozenset("і й що це від він вона які який яка його її був була було "
                             "також після року між ці цей ця гэта што ад ён яны".split())
# Kazakh letters Russian lacks (many shared with Kyrgyz, Tatar, Bashkir, Uzbek), and
# the ones of them only Kazakh writes among its Turkic neighbours (қ ұ і; Uzbek қ
# comes with ў ҳ, caught above).
_TURKIC_LETTERS = re.compile("[әғқңөұүһ]")
_KAZAKH_ONLY = re.compile("[құі]")
# A paragraph of at least this many words lacking letters every Kazakh text has
# is not Kazakh (Kyrgyz жана, үчүн without қ ұ і; Ukrainian і without ә ғ қ ң ө ұ ү).
_MIN_WORDS_WITHOUT = 6
# Share of words that must vote for a neighbour language to set a paragraph aside.
_NEIGHBOUR_SHARE = 0.1

# Kazakh Latin (2021): letters English does not use; ı ğ ş ö ü are Turkish too, so
# they count only beside a Kazakh-only one.
_KAZAKH_LATIN_LETTERS = re.compile("[äñŋū]|q(?!u)")
_TURKIC_LATIN_LETTERS = re.compile("[ığşöü]")
# (Not men, da, de, bar, sol: English, Turkish or Spanish words too.)
_KAZAKH_LATIN_WORDS = frozenset(
    "pen jäne dep boiynşa arasynda turaly jyly osy joq boldy bolyp bolsa edı emes bır "
    "ony onyñ üşın".split())
# Share of Latin words with Kazakh evidence that makes Latin text Kazakh, not English.
_KAZAKH_LATIN_SHARE = 0.15
# English function words, none of them a Kazakh word in Latin letters (unlike on, at,
# it, men): English prose is a third these, Kazakh text has none.
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the and of to is was were are with for that this from by has have had which its their"
    .split())
# A capitalized word inside a sentence is as often a foreign name (Iraq, Qatar,
# Niño, Müller) as a Kazakh name: its letters count for half.
_NAME_WEIGHT = 0.5
_SENTENCE_END = ".!?:;\n"
_LATIN_WORD_ANY_CASE = re.compile(_LATIN_WORD.pattern, re.IGNORECASE)

# Frequent Kazakh words spelt only with letters shared with Russian.
_KAZAKH_WORDS = frozenset(
    "мен бен пен және да де та те деп бойынша арасында туралы жылы жыл осы бар жоқ "
    "болды болып болса еді емес бір оны оның олар сол тиіс сурет барысында арналған "
    "кезде жерде тарапынан айту сондай сияқты дейін кейін бола бойы".split()
)
_RUSSIAN_WORDS = frozenset(
    "и в во на с со что по не для это как от из за к о об а но или также был была были "
    "его ее её их при до который которые которая которого года году он она они же бы "
    "то все только уже так этом этой между после более".split()
)
# Inflections that Russian words end in and Kazakh words (almost) never do.
_RUSSIAN_ENDING = re.compile(
    r"(?:ого|его|ому|ему|ыми|ими|ых|ий|ый|ая|яя|ое|ее|ые|ие|ение|ание|ости|ться|тся|ют|ет|ит)$"
)


def language_votes(text: str) -> tuple[int, int, int]:
    """(kazakh, russian, english) evidence counted over the words of ``text``."""
    return _votes(*_text_facts(text))


def _text_facts(text: str) -> tuple[str, int]:
    """``text`` lowered once, and the :func:`_word_facts` of its Cyrillic words summed."""
    lowered = text.lower()
    return lowered, sum(map(_word_facts, _CYRILLIC_WORD.findall(lowered)))


def _votes(lowered: str, facts: int) -> tuple[int, int, int]:
    cyrillic_letters = _words_with(facts, _LETTERS)
    # Latin letters are at most the text's other characters: a mostly Cyrillic
    # paragraph (most of them) needs no second pass over its letters.
    if len(lowered) - cyrillic_letters <= 2 * cyrillic_letters:
        english = 0
    else:
        english = 1 if _latin_letters(lowered) > 2 * cyrillic_letters else 0
    return _words_with(facts, _VOTES_KK), _words_with(facts, _VOTES_RU), english


def _latin_letters(lowered: str) -> int:
    return sum(map(len, _LATIN_LETTERS.findall(lowered)))


# What a Cyrillic word says, as counts packed into one integer, a field of _FIELD_BITS
# bits each: its vote, what _neighbour_language counts, and its letters. A text's
# words' integers summed (one C call) count each of them over the whole text; with a
# Counter of the words' facts per paragraph, then summed per fact, detecting the 10k
# bench corpus' paragraphs took a third more (0.58 against 0.43 CPU-s).
_VOTES_KK, _VOTES_RU, _KEPT, _NEIGHBOUR, _TURKIC, _WITH_I, _KAZAKH_ONLY_LETTER, _LETTERS = (
    range(8))
_FIELD_BITS = 32  # more words and letters than any text held in memory has
_FIELD_MASK = (1 << _FIELD_BITS) - 1
_ONE = tuple(1 << (fact * _FIELD_BITS) for fact in range(_LETTERS + 1))  # one of a fact
# The few distinct packed integers, kept once rather than once per word form.
_PACKED: dict[int, int] = {}


@word_table(maxsize=200_000)
def _word_facts(word: str) -> int:
    # A pure function of the word, and paragraphs repeat words: one look-up each
    # instead of up to seven regular expression searches.
    facts = len(word) * _ONE[_LETTERS]
    if _KAZAKH_LETTERS.search(word) or word in _KAZAKH_WORDS:
        facts += _ONE[_VOTES_KK]
    elif word in _RUSSIAN_WORDS or _RUSSIAN_ENDING.search(word):
        facts += _ONE[_VOTES_RU]
    if len(word) > 1 or word == "і":  # not abbreviations (ғ. for ғасыр)
        facts += _ONE[_KEPT]
        if word in _NEIGHBOUR_WORDS or _NEIGHBOUR_LETTERS.search(word):
            facts += _ONE[_NEIGHBOUR]
        if _TURKIC_LETTERS.search(word):
            facts += _ONE[_TURKIC]
        if "і" in word:
            facts += _ONE[_WITH_I]
        if _KAZAKH_ONLY.search(word):
            facts += _ONE[_KAZAKH_ONLY_LETTER]
    return _PACKED.setdefault(facts, facts)


def _words_with(facts: int, fact: int) -> int:
    """How many words of ``facts`` (their :func:`_word_facts` summed) have ``fact``;
    for ``_LETTERS``, how many letters they have."""
    return (facts >> (fact * _FIELD_BITS)) & _FIELD_MASK


def is_latin_kazakh(text: str) -> bool:
    """Whether Latin-letter text is Kazakh in the 2021 alphabet rather than English.

        >>> is_latin_kazakh("Topyraq eroziiasy auyl şaruaşylyğyna zian keltıredı")
        True
        >>> is_latin_kazakh("Qatar Airways flights to Astana resume")
        False
        >>> is_latin_kazakh("Iraq and Qatar signed the deal")
        False
    """
    words = _LATIN_WORD_ANY_CASE.findall(text)
    kinds = list(map(_latin_word_kind, words))
    english = kinds.count(_ENGLISH_WORD)
    kazakh = kinds.count(_KAZAKH_WORD)
    turkic = 0.0
    if _KAZAKH_LETTERS_WORD in kinds or _TURKIC_LETTERS_WORD in kinds:
        # Letters weigh by where the word stands (a capital inside a sentence: a name).
        for match, kind in zip(_LATIN_WORD_ANY_CASE.finditer(text), kinds):
            if kind == _KAZAKH_LETTERS_WORD:
                kazakh += _letter_weight(text, match)
            elif kind == _TURKIC_LETTERS_WORD:
                turkic += _letter_weight(text, match)
    votes = kazakh + turkic if kazakh else 0
    return (votes >= 2 and votes >= _KAZAKH_LATIN_SHARE * len(words)
            and votes > 2 * english)


_ENGLISH_WORD, _KAZAKH_WORD, _KAZAKH_LETTERS_WORD, _TURKIC_LETTERS_WORD, _OTHER_WORD = range(5)


@word_table(maxsize=200_000)
def _latin_word_kind(word: str) -> int:
    # What a Latin word says, whatever its place: a pure function of the word, and
    # English paragraphs repeat words (one look-up each instead of up to four tests).
    lowered = word.lower()
    if lowered in _ENGLISH_FUNCTION_WORDS:
        return _ENGLISH_WORD
    if lowered in _KAZAKH_LATIN_WORDS:
        return _KAZAKH_WORD
    if _KAZAKH_LATIN_LETTERS.search(lowered):
        return _KAZAKH_LETTERS_WORD
    if _TURKIC_LATIN_LETTERS.search(lowered):
        return _TURKIC_LETTERS_WORD
    return _OTHER_WORD


def _letter_weight(text: str, match) -> float:
    """How much a word's Kazakh Latin letters count: half inside a sentence if capitalized."""
    if match.group()[0].isupper() and not _starts_sentence(text, match.start()):
        return _NAME_WEIGHT
    return 1.0


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 8):start].rstrip(" \t\"'«(")  # a few letters back, not a copy
    return start < 8 and not before or bool(before) and before[-1] in _SENTENCE_END


def _neighbour_language(facts: int) -> bool:
    """Cyrillic words (their :func:`_word_facts` summed) that read as Ukrainian,
    Belarusian, Kyrgyz, Tatar, Bashkir or Uzbek."""
    kept = _words_with(facts, _KEPT)
    neighbour = _words_with(facts, _NEIGHBOUR)
    if neighbour >= 2 and neighbour >= _NEIGHBOUR_SHARE * kept:
        return True  # one word is a quoted name (Київ in a Russian paragraph)
    if kept < _MIN_WORDS_WITHOUT:
        return False
    turkic = _words_with(facts, _TURKIC)
    with_i = _words_with(facts, _WITH_I)
    # Ukrainian/Belarusian: і without any Turkic letter; Kyrgyz, Tatar ...: Turkic
    # letters without қ ұ і. A Kazakh paragraph of several words has both.
    return (with_i >= 2 and not turkic) or (
        turkic >= 2 and not _words_with(facts, _KAZAKH_ONLY_LETTER))


def detect_language(text: str, default: str = "ru", evidence: dict | None = None) -> str:
    """Return "kk", "ru", "en" or "other" for a paragraph; ``default`` when there is
    no evidence. ``evidence`` holds texts' word facts as :func:`sample_language` leaves them."""
    found = evidence.get(text) if evidence else None
    # The votes and the neighbour test share the words.
    lowered, facts = found if found is not None else _text_facts(text)
    kazakh, russian, english = _votes(lowered, facts)
    if english:
        return "kk" if is_latin_kazakh(text) else "en"
    return _decided(kazakh, russian, facts, default)


def sample_language(texts: list[str], max_chars: int, evidence: dict, default: str = "ru") -> str:
    """``detect_language(" ".join(texts)[:max_chars], default)``, from each text's words,
    which ``evidence`` keeps (text -> their facts) for ``detect_language(text, evidence=...)``:
    a file's language is that of its first paragraphs, each then detected on its own,
    and their words need finding and counting only once.

        >>> found = {}
        >>> sample_language(["Су тасқыны", "кезеңіне дайындық"], 1000, found), len(found)
        ('kk', 2)
    """
    joined_length = sum(map(len, texts)) + max(len(texts) - 1, 0)
    if joined_length > max_chars:  # a cut sample: its words are not the texts' words
        return detect_language(" ".join(texts)[:max_chars], default)
    facts, lowered_length = 0, max(len(texts) - 1, 0)
    parts = []
    for text in texts:
        part = evidence.get(text)
        if part is None:
            part = evidence[text] = _text_facts(text)
        parts.append(part)
        # Lowercasing is per letter here (the texts are joined by spaces), and words
        # never span the joins: the sample's words and counts are the texts' together.
        facts += part[1]
        lowered_length += len(part[0])
    kazakh = _words_with(facts, _VOTES_KK)
    russian = _words_with(facts, _VOTES_RU)
    cyrillic_letters = _words_with(facts, _LETTERS)
    english = False
    if lowered_length - cyrillic_letters > 2 * cyrillic_letters:  # as in _votes
        latin_letters = sum(_latin_letters(part[0]) for part in parts)
        english = latin_letters > 2 * cyrillic_letters
    if english:
        return "kk" if is_latin_kazakh(" ".join(texts)) else "en"
    return _decided(kazakh, russian, facts, default)


def _decided(kazakh: int, russian: int, facts: int, default: str) -> str:
    if _neighbour_language(facts):
        return OTHER
    if kazakh > russian:
        return "kk"
    if russian > kazakh:
        return "ru"
    return default
