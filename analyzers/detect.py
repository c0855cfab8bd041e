"""Telling Kazakh, Russian and English paragraphs apart.

Each word votes: a word with a Kazakh-only letter (ә ғ қ ң ө ұ ү һ і) or a
frequent Kazakh function word votes Kazakh; a frequent Russian function word or
a typically Russian inflection (-ого, -ых, -ение, -ться ...) votes Russian.
Text written mostly in Latin letters is English. Words that vote neither way
(names, numbers) leave the decision to ``default``, which callers set to the
language of the surrounding file.

    >>> detect_language("Су тасқыны кезеңіне дайындық")
    'kk'
    >>> detect_language("Лесные пожары в области Абай")
    'ru'
    >>> detect_language("Forest fires in the Abai region")
    'en'
"""

import re

LANGUAGES = ("kk", "ru", "en")

_KAZAKH_LETTERS = re.compile("[әғқңөұүһі]")
_CYRILLIC_WORD = re.compile(r"[а-яёәғқңөұүһі]+")
_LATIN_LETTER = re.compile(r"[a-z]")

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
    lowered = text.lower()
    kazakh = russian = 0
    for word in _CYRILLIC_WORD.findall(lowered):
        if _KAZAKH_LETTERS.search(word) or word in _KAZAKH_WORDS:
            kazakh += 1
        elif word in _RUSSIAN_WORDS or _RUSSIAN_ENDING.search(word):
            russian += 1
    cyrillic_letters = sum(len(w) for w in _CYRILLIC_WORD.findall(lowered))
    latin_letters = len(_LATIN_LETTER.findall(lowered))
    english = 1 if latin_letters > 2 * cyrillic_letters else 0
    return kazakh, russian, english


def detect_language(text: str, default: str = "ru") -> str:
    """Return "kk", "ru" or "en" for a paragraph; ``default`` when there is no evidence."""
    kazakh, russian, english = language_votes(text)
    if english:
        return "en"
    if kazakh > russian:
        return "kk"
    if russian > kazakh:
        return "ru"
    return default
