from hypothesis import given, strategies as st

from analyzers import analyzer_for
from analyzers.tokenize import WordTokenizer


def test_hyphenated_word_is_indexed_whole_and_by_its_parts():
    tokens = [(t.text, t.pos) for t in WordTokenizer()("ООН-Хабитат и РЭС-2026", positions=True)]
    assert tokens == [("ООН-Хабитат", 0), ("ООН", 1), ("Хабитат", 2), ("и", 3),
                      ("РЭС-2026", 4), ("РЭС", 5), ("2026", 6)]


def test_stress_marks_stay_inside_the_word_and_are_dropped_by_analysis():
    assert [t.text for t in analyzer_for("kk")("ада\u0301м")] == ["адам"]


@given(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі ABCxyz-–,.«»0123\u0301\n",
               max_size=80))
def test_offsets_always_slice_back_to_the_token(text):
    for token in WordTokenizer()(text, chars=True):
        assert text[token.startchar:token.endchar] == token.text
