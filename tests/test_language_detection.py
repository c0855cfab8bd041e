import pytest

from analyzers import detect_language


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
