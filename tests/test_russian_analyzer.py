"""The Russian analyzer: what a user searching Russian text should see.

A query finds a paragraph when the query's analyzed terms are among the
paragraph's analyzed terms; phrases also need consecutive positions.
"""

import pickle
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.fields import Schema, TEXT
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from analyzers import analyzer_for
from analyzers.ru import index_terms
from analyzers.ru.morphology import lemmas

RU = analyzer_for("ru")


def terms(text: str, mode: str = "") -> set[str]:
    return {t.text for t in RU(text, mode=mode)}


def finds(query: str, paragraph: str) -> bool:
    return terms(query, mode="query") <= terms(paragraph)


@pytest.mark.parametrize("query, paragraph", [
    ("лесной пожар", "Тушение лесных пожаров продолжается"),
    ("лесной пожар", "борьба с лесными пожарами"),
    ("прямой рейс", "откроют двух прямых рейса из Алматы"),
    ("зеленый щит", "проект «Зелёный щит»"),
    ("Зелёный щит", "проект «зеленый щит»"),
])
def test_the_issues_examples_find_their_inflected_forms(query, paragraph):
    assert finds(query, paragraph)


def test_inflected_forms_meet_in_one_lemma():
    assert terms("лесных пожаров") == terms("лесными пожарами") == {"лесной", "пожар"}


def test_words_that_only_share_a_stem_stay_apart():
    # Snowball stems мир, мира and мирный alike; lemmas keep мирный apart.
    assert terms("мира") == {"мир"}
    assert terms("мирный") == {"мирный"}


def test_ambiguous_form_is_indexed_under_each_likely_lemma_at_one_position():
    tokens = [(t.text, t.pos) for t in RU("я стою", positions=True)]
    assert tokens == [("я", 0), ("стоить", 1), ("стоять", 1)]
    assert finds("стоял", "я стою") and finds("стоит", "я стою")


def test_a_query_keeps_one_term_per_position_so_phrases_stay_consecutive():
    query_tokens = [(t.text, t.pos) for t in RU("я стою", positions=True, mode="query")]
    assert query_tokens == [("я", 0), ("стоить", 1)]


def test_adjectivized_participles_and_superlatives_keep_their_own_lemma():
    assert terms("данная") == {"данный"}
    assert terms("лучших") == {"лучший"}
    assert not finds("хороший", "лучший результат")


def test_archaic_reading_does_not_join_a_modern_word_to_another():
    # суть is also an archaic "they are" (быть); in modern text it is the noun.
    assert terms("суть дела") == {"суть", "дело"}
    assert not finds("быть", "в этом вся суть")


def test_ambiguous_pronouns_are_indexed_under_each_pronoun():
    # им is он (instrumental) as well as они (dative); все is весь as well as всё.
    assert finds("он", "я говорил с ним вчера")
    assert finds("они", "я говорил с ним вчера")
    assert finds("весь", "все пришли")


def test_oblique_forms_shared_by_he_and_it_are_filed_under_he():
    # его, ему, ним: the same letters for он and оно; only оно's nominative is оно.
    assert terms("ему") == {"он"}
    assert not finds("оно", "я дал ему книгу")
    assert finds("оно", "оно работает")


def test_est_is_to_eat_and_the_present_tense_of_to_be():
    # "у нас есть вода": есть is быть's only living present-tense form; a query
    # "есть" still means what the user typed first (to eat), not every был/будет.
    assert finds("быть", "у нас есть вода")
    assert finds("ест", "что есть на завтрак")
    assert not finds("есть", "он был дома")


def test_feminine_surnames_and_patronymics_keep_the_feminine_name():
    assert finds("Пугачёва", "концерт Аллы Пугачёвой")
    assert not finds("Пугачёв", "концерт Аллы Пугачёвой")
    assert terms("Анны Петровны") == {"анна", "петровна"}


def test_hyphenated_compound_is_one_term_and_its_parts():
    assert finds("вице-министр", "встреча с вице-министром экологии")
    assert finds("министр", "встреча с вице-министром экологии")
    assert finds("ООН-Хабитат", "программа ООН-Хабитат")
    assert finds("Хабитат", "программа ООН-Хабитат")
    assert finds("РЭС-2026", "на саммите РЭС-2026")
    assert finds("2026", "на саммите РЭС-2026")


@pytest.mark.parametrize("word", ["кто-то", "что-нибудь", "какой-либо", "кое-где", "по-русски",
                                  "черно-белый", "давным-давно", "ха-ха", "м-да"])
def test_particles_interjections_and_hyphenated_adjectives_are_not_split(word):
    assert len(list(RU(word))) == 1


def test_compound_led_by_a_combining_stem_is_one_word():
    # северо- is not a word: the north-east is not a kind of east.
    assert finds("северо-восток", "на северо-востоке страны")
    assert not finds("восток", "на северо-востоке страны")
    assert finds("министр", "вице-министр")


def test_an_ordinal_ending_is_not_a_part_but_the_number_is():
    assert terms("в 1980-х годах") == {"1980-й", "1980", "год"}


def test_capitalized_abbreviation_matches_lowercase():
    assert terms("ООН") == terms("оон") == {"оон"}
    assert finds("ООН", "доклад оон")


def test_written_abbreviations_meet_their_word():
    assert finds("тысяча", "более 5 тыс. человек")
    assert finds("млн", "три миллиона")


def test_yo_and_stress_marks_fold():
    assert terms("Зелёный") == terms("зеленый") == {"зеленый"}
    assert terms("ёжика") == {"ежик"}  # pymorphy3's lemma ёжик, folded after lemmatizing
    assert terms("ру\u0301сский") == terms("русский")


def test_latin_words_inside_russian_text_are_english_stems():
    assert terms("пишите в Telegram о forests") == {"писать", "telegram", "forest"}


def test_latin_lookalike_letters_in_a_cyrillic_word_read_as_cyrillic():
    assert terms("bаpвapа") == terms("Варвара")  # b, p, a are Latin here


@pytest.mark.parametrize("form", ["Алматы", "в Алматы"])
def test_indeclinable_city_name_keeps_its_name(form):
    assert "алматы" in terms(form)


def test_unknown_proper_adjective_is_lemmatized_by_guess():
    assert terms("Алматинская") == terms("алматинской") == {"алматинский"}
    assert finds("Алматинская область", "в Алматинской области")


def test_stop_words_close_up_positions_so_phrases_with_them_match():
    tokens = [(t.text, t.pos) for t in RU("Министерство по чрезвычайным делам", positions=True)]
    assert tokens == [("министерство", 0), ("чрезвычайный", 1), ("дело", 2)]
    assert index_terms("по") == ()
    assert index_terms("не") == ("не",)  # не turns a phrase's meaning round: kept


def test_handles_are_one_term():
    assert terms("пишите @screened-14") == {"писать", "@screened-14"}
    assert terms("mail@yandex.ru") == {"mail", "yandex", "ru"}


def test_offsets_slice_back_to_the_original_words():
    text = "Вице-министр посетил «Зелёный щит» в 1980-х, стою."
    for t in RU(text, chars=True):
        original = text[t.startchar:t.endchar]
        assert original and not any(c in original for c in " «»,.")


def test_analyzer_survives_the_index_schema_pickle():
    assert pickle.loads(pickle.dumps(RU)) == RU


def test_whoosh_phrase_query_finds_inflected_phrase():
    schema = Schema(body=TEXT(analyzer=analyzer_for("ru"), stored=True))
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        writer.add_document(body="Авиакомпания откроет два прямых рейса в Алматы.")
        writer.add_document(body="Прямо сейчас рейс задерживается.")
        writer.add_document(body="Министерство по чрезвычайным делам сообщило о лесных пожарах.")
    parser = QueryParser("body", index.schema)
    with index.searcher() as searcher:
        def hits(q):
            return [hit["body"][:12] for hit in searcher.search(parser.parse(q))]
        assert hits('"прямой рейс"') == ["Авиакомпания"]
        assert hits('"министерство по делам"') == []  # чрезвычайным sits between
        assert hits('"министерство по чрезвычайным делам"') == ["Министерство"]
        assert hits("лесной пожар") == ["Министерство"]


_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
                "АБВЁЖЯ -‐‑—.,@#\u0301\u0300", max_size=40)


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_never_an_empty_term_and_offsets_inside_the_text(text):
    for t in RU(text, positions=True, chars=True):
        assert t.text
        assert 0 <= t.startchar < t.endchar <= len(text)


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_query_terms_of_a_text_are_among_its_index_terms(text):
    assert terms(text, mode="query") <= terms(text)


def test_lemmas_are_never_empty_for_odd_words():
    for word in ["ъ", "ь", "ы", "й", "ё", "-", "2026", "x", "ааааа"]:
        assert all(lemmas(word)) and lemmas(word)


def test_highlights_mark_the_surface_form_for_any_reading():
    schema = Schema(body=TEXT(analyzer=analyzer_for("ru"), stored=True))
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        writer.add_document(body="Я долго стою у окна. Вице-министр посетил Алматы.")
    parser = QueryParser("body", index.schema)
    with index.searcher() as searcher:
        def marked(q):
            [hit] = searcher.search(parser.parse(q))
            return hit.highlights("body")
        assert '">стою</b>' in marked("стоять")
        assert '">стою</b>' in marked("стоит")
        assert 'Вице-<b class="match term0">министр</b>' in marked("министр")


def test_seasonal_adverbs_find_their_noun():
    assert finds("зима", "зимой было холодно")
    assert finds("ночь", "работали ночью")


def test_kept_stop_words_do_not_shift_the_other_positions():
    text = "Министерство по чрезвычайным делам"
    indexed = [(t.text, t.pos) for t in RU(text, positions=True)]
    kept = [(t.text, t.pos) for t in RU(text, positions=True, removestops=False) if not t.stopped]
    assert kept == indexed
