"""Queries as people really type them: no Kazakh letters, the 2021 Latin alphabet, typos."""

import json

import pytest
from click.testing import CliRunner

from search import Index
from search.cli import main
from search.evaluation.typed_queries import typed_query, with_typo

from conftest import KAZAKH_SEED, FOREST_SEED


def test_kazakh_typed_on_a_russian_keyboard_finds_the_kazakh_paragraph(seeds_index):
    hits = seeds_index.search("казактелеком", limit=3)
    assert hits and hits[0].path.endswith(KAZAKH_SEED) and hits[0].lang == "kk"
    assert "Қазақтелеком" in hits[0].snippet
    assert hits.searched_for == ["казактелеком", "қазақтелеком"]


def test_folded_phrase_is_found_in_the_folded_field_and_not_rewritten(seeds_index):
    hits = seeds_index.search('"су таскыны"', limit=5)
    assert hits.searched_for == ['"су таскыны"'] and hits.did_you_mean is None
    assert any("тасқын" in hit.text.lower() for hit in hits)


def test_kazakh_in_the_2021_latin_alphabet_finds_the_cyrillic_paragraph(seeds_index):
    hits = seeds_index.search("Qazaqtelekom", limit=3)
    assert hits and hits[0].path.endswith(KAZAKH_SEED)
    assert hits.searched_for == ["Qazaqtelekom", "Қазақтелеком"]


def test_latin_kazakh_without_special_letters_is_transliterated_on_evidence(seeds_index):
    # No letter says Kazakh, but "tasqyny" is no word of the index and тасқыны is.
    hits = seeds_index.search("su tasqyny", limit=3)
    assert "су тасқыны" in hits.searched_for
    assert hits[0].lang == "kk"


def test_plain_english_is_searched_as_english_only(seeds_index):
    hits = seeds_index.search("forest fires", limit=3)
    assert hits.searched_for == ["forest fires"] and hits.did_you_mean is None


def test_a_typo_is_corrected_and_reported(seeds_index):
    hits = seeds_index.search("лесных пожпров", limit=3)
    assert hits.did_you_mean == "лесных пожаров"
    assert hits.searched_for == ["лесных пожаров"]
    assert hits[0].path.endswith(FOREST_SEED)
    assert "пожаров" in hits[0].snippet


def test_a_russian_typo_two_edits_from_every_form_is_corrected_through_its_lemma(seeds_index):
    # пажары is two edits from пожаров and пожарами, one from пожар once lemmatized;
    # the correction is shown in the case and number typed, not as the bare lemma.
    hits = seeds_index.search("лесные пажары", limit=3)
    assert hits.did_you_mean == "лесные пожары"
    assert hits[0].path.endswith(FOREST_SEED) and "**пожаров**" in hits[0].snippet


def test_an_existing_word_is_never_corrected(seeds_index):
    hits = seeds_index.search("пожарами", limit=3)
    assert hits.did_you_mean is None and hits.searched_for == ["пожарами"]


def test_a_quoted_phrase_with_a_typo_is_searched_as_written(seeds_index):
    hits = seeds_index.search('"лесных пожпров"', limit=3)
    assert hits.did_you_mean is None and hits.searched_for == ['"лесных пожпров"']
    assert list(hits) == []


def test_the_paragraph_spelt_as_typed_ranks_above_a_folded_match(tmp_path):
    index = Index(tmp_path / "index")
    index.add_paragraphs([
        {"id": "proper", "text": "Қазақтелеком компаниясы ауылдарға интернет жеткізді."},
        {"id": "folded", "text": "Казактелеком компаниясы ауылдарға интернет жеткізді."},
    ])
    with index:
        assert index.ranked_ids("казактелеком") == ["folded", "proper"]
        # Typed with its Kazakh letters, the query is not folded at all.
        assert index.ranked_ids("Қазақтелеком") == ["proper"]


def test_a_folded_form_the_index_never_saw_is_restored_through_its_stem(tmp_path):
    # Only мектеп and мектептер are indexed; мектептерінде is read as мектеп + suffixes,
    # the suffixes written by the stem's front harmony (і, not и).
    index = Index(tmp_path / "index")
    index.add_paragraphs([
        {"id": "school", "text": "Мектептер жаңа оқу жылына дайын. Мектеп ауласы кең."},
        {"id": "other", "text": "Қала көшелері тазартылды."},
    ])
    with index:
        hits = index.search("мектептеринде", limit=3)
        assert hits.searched_for == ["мектептеринде", "мектептерінде"]
        assert [hit.path for hit in hits] == ["school"]


def test_kazakh_typed_with_y_for_i_is_restored_too(seeds_index):
    # Some type і as ы rather than и: былым for білім.
    hits = seeds_index.search("былым", limit=3)
    assert hits.searched_for == ["былым", "білім"]
    assert hits and hits[0].path.endswith(KAZAKH_SEED)


def test_a_russian_word_is_not_restored_to_kazakh(seeds_index):
    hits = seeds_index.search("он", limit=3)
    assert hits.searched_for == ["он"]


def test_cli_says_what_it_searched_for(seeds_index):
    result = CliRunner().invoke(main, ["search", "Qazaqtelekom", "--index",
                                       str(seeds_index.path), "-n", "1"])
    assert result.exit_code == 0
    assert "searched for: Qazaqtelekom | Қазақтелеком" in result.stderr
    assert KAZAKH_SEED in result.stdout


def test_cli_json_carries_did_you_mean(seeds_index):
    result = CliRunner().invoke(main, ["search", "лесных пожпров", "--index",
                                       str(seeds_index.path), "--json"])
    report = json.loads(result.stdout)
    assert report["did_you_mean"] == "лесных пожаров"
    assert report["searched_for"] == ["лесных пожаров"]


@pytest.mark.parametrize("rewrite, typed", [
    ("folded", "Ишеккуыстыларга кандай касиет тан?"),
    ("folded-y", "Ышеккуыстыларга кандай касиет тан?"),
    ("latin", "Işekquystylarğa qandai qasiet tän?"),
])
def test_eval_types_kazakh_queries_as_people_do(rewrite, typed):
    query = {"lang": "kk", "text": "Ішекқуыстыларға қандай қасиет тән?"}
    assert typed_query(query, rewrite) == typed


def test_eval_typo_changes_each_long_word_once_and_never_its_first_letter():
    for word in ["пожары", "восстановление", "surrender", "Ішекқуыстыларға"]:
        typo = with_typo(word)
        assert typo != word and typo[0] == word[0] and abs(len(typo) - len(word)) <= 1
    assert with_typo("лес") == "лес"


def test_eval_typo1_puts_exactly_one_typo_in_a_query():
    query = {"lang": "ru", "text": "Когда начались лесные пожары?"}
    typed = typed_query(query, "typo1")
    changed = [(a, b) for a, b in zip(query["text"].split(), typed.split()) if a != b]
    assert len(changed) == 1 and typed == typed_query(query, "typo1")
    assert typed_query({"lang": "ru", "text": "Где лес?"}, "typo1") == "Где лес?"


@pytest.mark.parametrize("lemma, typed, shown", [
    ("пожар", "пажары", "пожары"),   # plural nominative, as typed
    ("вода", "вадой", "водой"),      # instrumental singular
    ("рейс", "рейсав", "рейс"),      # pymorphy3 reads no case in it: the lemma
])
def test_a_correction_through_the_lemma_is_shown_in_the_form_typed(lemma, typed, shown):
    from analyzers.ru.morphology import inflect_like
    assert inflect_like(lemma, typed) == shown


@pytest.mark.parametrize("word", ["казактелеком", "мектептеринде", "таскыны", "кызмет", "он"])
def test_restoring_letters_reads_the_same_by_seeking_prefixes_or_from_loaded_forms(
        seeds_index, word, monkeypatch):
    import search.query.rewrite as rewrite
    reader = seeds_index.searcher().reader()
    monkeypatch.setattr(rewrite, "_PREFIX_SEEKS", type(rewrite._PREFIX_SEEKS)())
    by_seeking = rewrite.restore_kazakh_letters(reader, word)
    monkeypatch.setattr(rewrite, "SEEKS_BEFORE_LOADING_FORMS", 0)
    assert rewrite.restore_kazakh_letters(reader, word) == by_seeking


def test_a_first_query_typed_without_kazakh_letters_does_not_load_a_letters_forms(tmp_path):
    # Loading every word form under a letter was a tenth of a second of a new
    # process's first query at 100k paragraphs; a dozen seeks do instead.
    import search.query.spelling as spelling
    index = Index(tmp_path / "ix")
    index.add_paragraphs([{"id": "kk", "text": "Қазақтелеком мектептерінде интернет жылдам."}])
    hits = index.search("казактелеком мектептеринде", limit=3)
    assert hits and hits[0].path == "kk"
    assert not spelling._FORMS.get(index.searcher().reader())
