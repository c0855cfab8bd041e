"""Kazakh typed on a Russian keyboard: the nine Kazakh-only letters replaced by look-alikes.

People without a Kazakh layout write ``казактелеком`` for ``Қазақтелеком`` and
``су таскыны`` for ``су тасқыны``. Folding both the text and the query the same
way lets them meet.

    >>> fold_keyboard("қызыл кітап")
    'кызыл китап'
"""

# What each letter is typed as on a Russian keyboard. і has two habits (и and ы);
# и is the more common one (KazNLP's normalizer, informal writing).
KEYBOARD_FOLD = str.maketrans({
    "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о",
    "ұ": "у", "ү": "у", "һ": "х", "і": "и",
    "Ә": "А", "Ғ": "Г", "Қ": "К", "Ң": "Н", "Ө": "О",
    "Ұ": "У", "Ү": "У", "Һ": "Х", "І": "И",
})
KAZAKH_ONLY_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


# The other way: which letters a Russian-keyboard letter may stand for. ы is here
# for the other habit for і (кытап for кітап): the folded field cannot serve both
# habits, so query-side restoration (search/rewrite.py) does.
UNFOLD = {"а": "аә", "г": "гғ", "к": "кқ", "н": "нң", "о": "оө", "у": "уұү", "х": "хһ",
          "и": "иі", "ы": "ыі"}


def fold_keyboard(text: str) -> str:
    return text.translate(KEYBOARD_FOLD)


def has_kazakh_letters(text: str) -> bool:
    return any(c in KAZAKH_ONLY_LETTERS for c in text)

