"""What analyzers.ru.dictionary relies on in pymorphy3 beyond its public API.

Its loader repeats pymorphy3's private load_dict with a lazily built tag table.
On a pymorphy3 whose loading differs it falls back to pymorphy3's own (slower)
load; these tests fail instead, so the fallback is never silent.
"""

import pymorphy3
import pymorphy3_dicts_ru
from pymorphy3.opencorpora_dict import storage, wrapper

from analyzers.ru import dictionary
from analyzers.ru.morphology import lemmas, morph_analyzer

PATH = pymorphy3_dicts_ru.get_path()


def test_this_pymorphy3_loads_the_way_the_lazy_loader_repeats():
    assert dictionary.lazy_tags_supported(), (
        f"pymorphy3 {pymorphy3.__version__} loads its dictionary differently: "
        "update analyzers/ru/dictionary.py")


def test_the_lazy_load_gives_pymorphy3s_dictionary_tag_by_tag():
    ours, theirs = dictionary._load_dictionary(PATH), storage.load_dict(PATH)
    assert isinstance(ours.gramtab, dictionary.LazyTags)
    assert list(ours.gramtab) == list(theirs.gramtab)
    assert [str(tag) for tag in ours.gramtab] == [str(tag) for tag in theirs.gramtab]
    for field in ("meta", "suffixes", "paradigms", "paradigm_prefixes", "Tag"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.words.keys("лес") == theirs.words.keys("лес")
    assert len(ours.prediction_suffixes_dawgs) == len(theirs.prediction_suffixes_dawgs)


def test_the_shared_analyzer_parses_as_pymorphy3_and_leaves_its_loader_alone():
    stock = pymorphy3.MorphAnalyzer(path=PATH, lang="ru")
    ours = morph_analyzer()
    assert isinstance(ours.dictionary.gramtab, dictionary.LazyTags)
    assert wrapper.load_dict is storage.load_dict  # swapped back after loading
    words = ["лесов", "стою", "есть", "его", "орман", "алматинская", "шёл", "зимой",
             "пугачевой", "крупнейших", "длинношеее", "псевдонаучный"]
    for word in words:
        assert [(p.normal_form, str(p.tag), p.score) for p in ours.parse(word)] == \
            [(p.normal_form, str(p.tag), p.score) for p in stock.parse(word)], word
    assert ours.parse("лес")[0].inflect({"plur", "gent"}).word == "лесов"
    assert lemmas("лесных") == ("лесной",)
