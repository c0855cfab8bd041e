from pathlib import Path

import pytest

from search import QuerySyntaxError

from conftest import KAZAKH_SEED


def names(hits):
    return {Path(h.path).name for h in hits}


def test_a_question_does_not_need_every_word(seeds_index):
    hits = seeds_index.search("какие рейсы летают из Сеула в Алматы", limit=3)
    assert "рейс" in hits[0].text


def test_matching_more_query_words_ranks_higher(seeds_index):
    hits = seeds_index.search("лесные пожары", limit=10)
    both = [h for h in hits if "лесн" in h.text.lower() and "пожар" in h.text.lower()]
    assert both and hits[0] in both


def test_phrase_requires_words_together(seeds_index):
    phrase = seeds_index.search('"прямые рейсы"', limit=50)
    assert phrase and all("прям" in h.text.lower() for h in phrase)
    loose = seeds_index.search("прямые рейсы", limit=50)
    assert len(loose) > len(phrase)


def test_and_requires_both_words(seeds_index):
    hits = seeds_index.search("Сеул AND рейс", limit=50)
    assert hits and all("Сеул" in h.text and "рейс" in h.text for h in hits)


def test_not_and_minus_exclude(seeds_index):
    for query in ("Алматы NOT Сеул", "Алматы -Сеул"):
        hits = seeds_index.search(query, limit=100)
        assert hits and not any("Сеул" in h.text for h in hits), query
    assert len(seeds_index.search("Алматы", limit=100)) > len(hits)


def test_or_and_parentheses(seeds_index):
    hits = seeds_index.search("(Сеул OR ООН-Хабитат) AND Алматы", limit=50)
    assert hits and all("Алматы" in h.text for h in hits)


def test_hyphenated_word_is_one_word_not_an_exclusion(seeds_index):
    hits = seeds_index.search("вице-министр", limit=3)
    assert hits and "Вице-министр" in hits[0].text


def test_lang_filter(seeds_index):
    hits = seeds_index.search("Абай lang:kk", limit=50)
    assert hits and {h.lang for h in hits} == {"kk"}
    assert {h.lang for h in seeds_index.search("Абай", limit=50, lang="ru")} == {"ru"}


def test_file_filter_by_name_prefix_or_glob(seeds_index):
    assert names(seeds_index.search("Абай file:003", limit=50)) == {KAZAKH_SEED}
    assert names(seeds_index.search("Абай file:003_*.txt", limit=50)) == {KAZAKH_SEED}


def test_filter_alone_lists_paragraphs(seeds_index):
    hits = seeds_index.search("file:004", limit=100)
    assert names(hits) == {"004_d1f5b6aece9da487.txt"}


def test_guillemets_quote_a_phrase(seeds_index):
    hits = seeds_index.search("«Зелёный щит»", limit=5)
    assert hits and "Зелёный щит" in hits[0].text


@pytest.mark.parametrize("query, message", [
    ('"лесные пожары AND лес', "unbalanced quote"),
    ("(лес OR пожар", "parentheses"),
    ("!!! ... ???", "no words"),
    ("", "no words"),
])
def test_malformed_queries_get_a_clear_error(seeds_index, query, message):
    with pytest.raises(QuerySyntaxError, match=message):
        seeds_index.search(query)


def test_a_phrase_left_one_word_by_stop_words_keeps_each_fields_boost(seeds_index):
    # "в" is a Russian stop word: in the Russian fields the phrase is just "область",
    # and a title match must still count double, as it does for the word unquoted.
    from whoosh.query import Term
    quoted = {(t.fieldname, t.text): t.boost
              for t in seeds_index.parse('"в области"').query.leaves() if isinstance(t, Term)}
    plain = {(t.fieldname, t.text): t.boost
             for t in seeds_index.parse("области").query.leaves() if isinstance(t, Term)}
    for field in ("text_ru", "title_ru", "stem_ru"):
        key = next(key for key in plain if key[0] == field)
        assert quoted[key] == plain[key], field
