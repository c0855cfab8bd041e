import os
from pathlib import Path

import pytest

from search import CorruptIndexError, Index, IndexNotFoundError, PathNotFoundError

from conftest import FOREST_SEED, KAZAKH_SEED


def test_hits_carry_path_paragraph_language_score_text_and_snippet(seeds_index):
    hit = seeds_index.search("лесные пожары", limit=1)[0]
    assert Path(hit.path).name == FOREST_SEED
    assert hit.paragraph >= 1 and hit.lang == "ru" and hit.score > 0
    assert "лесных пожаров" in hit.text
    assert "**лесных**" in hit.snippet


def test_kazakh_query_finds_the_flood_article_first(seeds_index):
    hit = seeds_index.search("су тасқыны", limit=1)[0]
    assert Path(hit.path).name == KAZAKH_SEED and hit.lang == "kk"
    assert "тасқын" in hit.text.lower()


def test_hits_come_best_first(seeds_index):
    scores = [hit.score for hit in seeds_index.search("встреча экологии", limit=10)]
    assert scores == sorted(scores, reverse=True) and len(scores) > 3


def test_limit_caps_the_number_of_hits(seeds_index):
    assert len(seeds_index.search("Казахстан", limit=2)) == 2


def test_debris_is_not_searchable(seeds_index):
    assert seeds_index.search("WhatsApp Telegram") == []
    assert seeds_index.search("Нравится") == []


def test_stats_count_files_paragraphs_and_languages(seeds_index):
    stats = seeds_index.stats()
    assert stats.files == 5
    assert stats.paragraphs == sum(stats.languages.values())
    assert stats.languages["kk"] > 50 and stats.languages["ru"] > 20
    assert stats.size_bytes > 0


def test_update_adds_changes_and_removes_files(corpus, tmp_path):
    (corpus / "a.txt").write_text("Лесные пожары в области Абай.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("Су тасқыны кезеңіне дайындық.\n", encoding="utf-8")
    index = Index(tmp_path / "ix")
    first = index.update([corpus])
    assert (first.added, first.changed, first.removed) == (2, 0, 0)

    (corpus / "a.txt").write_text("Прямые рейсы из Сеула в Алматы.\n", encoding="utf-8")
    (corpus / "b.txt").unlink()
    (corpus / "c.md").write_text("Forest fires in the Abai region.\n", encoding="utf-8")
    second = index.update([corpus])
    assert (second.added, second.changed, second.removed, second.unchanged) == (1, 1, 1, 0)
    assert "(2 paragraphs indexed in" in second.summary()
    assert index.search("пожары") == []
    assert index.search("тасқыны") == []
    assert [Path(h.path).name for h in index.search("рейсы")] == ["a.txt"]
    assert [h.lang for h in index.search("forest")] == ["en"]

    third = index.update([corpus])
    assert (third.added, third.changed, third.removed, third.unchanged) == (0, 0, 0, 2)
    (corpus / "d.txt").write_text("Ещё один абзац.\n", encoding="utf-8")
    assert "(1 paragraph indexed in" in index.update([corpus]).summary()
    index.close()


def test_touching_a_file_without_changing_it_does_not_reindex_it(corpus, tmp_path):
    path = corpus / "a.txt"
    path.write_text("Лесные пожары в области Абай.\n", encoding="utf-8")
    index = Index(tmp_path / "ix")
    index.update([corpus])
    os.utime(path, ns=(1, 1))
    report = index.update([corpus])
    assert (report.changed, report.unchanged) == (0, 1)
    assert len(index.search("пожары")) == 1
    index.close()


def test_bad_files_are_skipped_and_the_rest_indexed(corpus, tmp_path):
    (corpus / "good.txt").write_text("Лесные пожары в области Абай.\n", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "cp1251.txt").write_bytes("Прямые рейсы из Сеула в Алматы.".encode("cp1251"))
    (corpus / "dangling.txt").symlink_to(corpus / "nowhere.txt")
    index = Index(tmp_path / "ix")
    report = index.update([corpus])
    reasons = {Path(path).name: reason for path, reason in report.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "dangling.txt"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert report.added == 2
    assert len(index.search("рейсы")) == 1
    index.close()


def test_missing_path_is_an_error_before_anything_changes(tmp_path):
    with pytest.raises(PathNotFoundError, match="no such file"):
        Index(tmp_path / "ix").update([tmp_path / "missing"])


def test_searching_without_an_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexNotFoundError, match="izde index"):
        Index(tmp_path / "nothing").search("лес")


def test_a_foreign_folder_is_neither_read_nor_overwritten(tmp_path):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(CorruptIndexError, match="not an Izde index"):
        Index(foreign).search("лес")
    with pytest.raises(CorruptIndexError):
        Index(foreign).update([tmp_path], rebuild=True)
    assert (foreign / "holiday.jpg").exists()


def test_a_damaged_index_gets_a_clear_error(corpus, tmp_path):
    (corpus / "a.txt").write_text("Лесные пожары.\n", encoding="utf-8")
    Index(tmp_path / "ix").update([corpus])
    for toc in (tmp_path / "ix").glob("*.toc"):
        toc.write_bytes(b"garbage")
    with pytest.raises(CorruptIndexError, match="rebuild"):
        Index(tmp_path / "ix").search("пожары")
