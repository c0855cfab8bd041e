import pytest

from analyzers.kk.keyboard import fold_keyboard, has_kazakh_letters
from analyzers.kk.latin import latin_to_cyrillic, looks_kazakh_latin


@pytest.mark.parametrize("latin, cyrillic", [
    ("Qazaqtelekom", "Қазақтелеком"),
    ("su tasqyny", "су тасқыны"),
    ("jasandy intellekt", "жасанды интеллект"),
    ("Qyzyl kıtap", "Қызыл кітап"),
    ("mūnai öñdeu", "мұнай өңдеу"),       # i after a vowel is й
    ("Ormandardy küzetu", "Ормандарды күзету"),
    ("Şymkent", "Шымкент"),
    ("ıs-şaralar", "іс-шаралар"),
    ("İnstitut", "Институт"),            # İ is И, not i + combining dot
    ("Qañtar 2022", "Қаңтар 2022"),
])
def test_2021_latin_alphabet_to_cyrillic(latin, cyrillic):
    assert latin_to_cyrillic(latin) == cyrillic


def test_kazakh_latin_is_told_from_english():
    assert looks_kazakh_latin("Qazaqtelekom") and looks_kazakh_latin("öñdeu")
    assert not looks_kazakh_latin("forest fires")


def test_keyboard_folding_replaces_the_nine_kazakh_letters():
    assert fold_keyboard("Қазақтелеком") == "Казактелеком"
    assert fold_keyboard("әғқңөұүһі") == "агкноуухи"
    assert has_kazakh_letters("тасқыны") and not has_kazakh_letters("таскыны")
