"""Snippets mark the words that made a paragraph a hit, read from the index's positions."""

import pytest

from search import Index
from search.highlight.marked_words import snippet_fields

LONG = ("Проект реализуется в рамках международной инициативы и включает три направления. " * 4
        + "Профилактика лесных пожаров и восстановление лесов в области Абай. "
        + "Завершение проекта намечено на конец 2027 года. " * 4)

RECORDS = {
    "forest": "Опыт специалистов Кореи применят при восстановлении лесов в области Абай",
    "flood": "Су тасқыны кезеңіне дайындық шеңберінде іс-шаралар жүргізілді.",
    "long": LONG,
    "stops": "И вот в этом году в лесах и на полях области снова было сухо.",
    "minister": "Вице-министр экологии посетил питомник, где выращивают саженцы сосны.",
    "english": "The fires in the forests of the region were put out by the rangers.",
    "playoff": "Команда уверенно победила в дивизионном раунде плей-офф.",
    "healer": "Я лечу людей травами уже двадцать лет.",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    ix = Index(tmp_path_factory.mktemp("snippets") / "ix")
    ix.add_paragraphs({"id": key, "text": text} for key, text in RECORDS.items())
    yield ix
    ix.close()


def _hit(index, query, record):
    return next(hit for hit in index.search(query, limit=10) if hit.path == record)


def test_matched_word_forms_are_marked_through_morphology(index):
    snippet = _hit(index, "лес", "forest").highlighted
    assert snippet.matches == ["лесов"]
    assert "**лесов**" in snippet.render()


def test_short_paragraph_is_shown_whole(index):
    hit = _hit(index, "су", "flood")
    assert hit.highlighted.render("", "") == RECORDS["flood"]
    assert hit.highlighted.matches == ["Су"]


def test_long_paragraph_shows_the_passage_with_the_matches(index):
    snippet = _hit(index, "пожар", "long").highlighted
    plain = snippet.render("", "")
    assert snippet.matches == ["пожаров"]
    assert len(plain) < len(LONG) and "…" in plain


def test_words_after_stop_words_are_marked_where_they_stand(index):
    # The index numbers words without its stop words (в, и, на ...): the marks
    # must land on лесах and области all the same, not on their neighbours.
    assert _hit(index, "лес область", "stops").highlighted.matches == ["лесах", "области"]
    assert _hit(index, "forest region", "english").highlighted.matches == ["forests", "region"]


def test_a_compound_and_its_parts_are_marked(index):
    assert _hit(index, "министр", "minister").highlighted.matches == ["министр"]
    assert _hit(index, "вице-министр", "minister").highlighted.matches == ["Вице-министр"]


def test_a_word_matched_only_by_its_stem_or_typed_without_kazakh_letters_is_marked(index):
    assert _hit(index, "дивизионе", "playoff").highlighted.matches == ["дивизионном"]
    assert _hit(index, "таскыны", "flood").highlighted.matches == ["тасқыны"]


def test_a_word_found_by_its_second_reading_is_marked(index):
    # лечу is лететь or лечить; the paragraph was found by лечить, so лечу is marked.
    assert _hit(index, "лечить", "healer").highlighted.matches == ["лечу"]


@pytest.mark.parametrize("query", ["лесные пожары", "орман өрттері", "орман өрті",
                                   "Алматы әуежайы", "прямые рейсы", "Қазақтелеком",
                                   "казактелеком", "мұнай өңдеу", "экология области"])
def test_marks_are_the_words_whose_index_terms_the_query_matched(seeds_index, query):
    # The oracle analyzes each hit's paragraph in full, as the index did.
    searcher, parsed, _, _ = seeds_index._results(query, 10, None)
    hits = seeds_index.search(query, limit=10)
    assert hits
    for hit in hits:
        matched = set()
        for fieldname in snippet_fields(hit.lang):
            terms = set(parsed.terms.get(fieldname, ()))
            analyzer = searcher.schema[fieldname].analyzer
            matched |= {hit.text[t.startchar:t.endchar]
                        for t in analyzer(hit.text, chars=True, positions=True) if t.text in terms}
        shown = set(hit.highlighted.matches)
        assert shown <= matched  # nothing else is marked
        if len(hit.text) <= 240:  # shown whole: every matched word is marked
            assert shown == matched


def test_snippet_without_matches_is_the_start_of_the_paragraph():
    from search.highlight.snippets import snippet_of_spans
    from analyzers import analyzer_for
    snippet = snippet_of_spans(LONG, set(), analyzer_for("ru").items[0])
    assert snippet.matches == [] and snippet.render().startswith("Проект реализуется")
