import pytest

from analyzers import detect, detect_language


@pytest.mark.parametrize("text, lang", [
    ("Су тасқыны кезеңіне дайындық шеңберінде инженерлік іс-шаралар кешені жүзеге асырылды", "kk"),
    ("Мектептер аппараттық-бағдарламалық кешендермен жабдықталып", "kk"),
    ("Агроценоз деген не және ол қалай жұмыс істейді?", "kk"),
    ("Проект реализуется в рамках международной инициативы KT&G Green Globe", "ru"),
    ("Посол Казахстана Нургали Арыстанов представил Алматы как вице-президента организации", "ru"),
    ("Forest fires destroyed hundreds of hectares in the Abai region", "en"),
])
def test_paragraph_language(text, lang):
    assert detect_language(text) == lang


def test_paragraph_without_evidence_takes_the_file_language():
    assert detect_language("Абай облысы - 872", default="kk") == "kk"
    assert detect_language("2025", default="ru") == "ru"


def test_word_facts_of_a_long_text_are_counted_without_spilling_into_each_other():
    # 105,000 Kazakh words (мен a Kazakh function word): far more than a small field
    # per fact could count; "2024" is no Cyrillic word.
    text = " ".join(["қазақ жері", "мен 2024"] * 35_000)
    lowered, facts = detect._text_facts(text)
    assert detect._words_with(facts, detect._VOTES_KK) == 105_000
    assert detect._words_with(facts, detect._VOTES_RU) == 0
    assert detect._words_with(facts, detect._KEPT) == 105_000
    assert detect._words_with(facts, detect._LETTERS) == 35_000 * (5 + 4 + 3)
    assert detect.language_votes(text) == (105_000, 0, 0)
