"""Incremental updates: what changed is reindexed, nothing is lost or duplicated."""

import json
from pathlib import Path

import pytest

from search import CorruptIndexError, Index
from search.ingest import indexer as indexer_module
from search.ingest.manifest import MANIFEST_NAME, PENDING_NAME, FileEntry, Manifest

FOREST = "Лесные пожары в области Абай уничтожили сотни гектаров леса.\n"
FLOOD = "Су тасқыны кезеңіне дайындық шеңберінде жұмыстар жүргізілуде.\n"
FLIGHTS = "Прямые рейсы из Сеула в Алматы откроются весной.\n"


def names(hits):
    return sorted(Path(hit.path).name for hit in hits)


@pytest.fixture
def index(tmp_path):
    ix = Index(tmp_path / "ix")
    yield ix
    ix.close()


def test_a_renamed_file_is_removed_under_its_old_name_and_added_under_the_new(corpus, index):
    (corpus / "old.txt").write_text(FOREST, encoding="utf-8")
    index.update([corpus])
    (corpus / "old.txt").rename(corpus / "new.txt")
    report = index.update([corpus])
    assert (report.added, report.changed, report.removed) == (1, 0, 1)
    assert names(index.search("пожары")) == ["new.txt"]


def test_a_file_changed_back_and_forth_is_reindexed_each_time(corpus, index):
    path = corpus / "a.txt"
    path.write_text(FOREST, encoding="utf-8")
    index.update([corpus])
    path.write_text(FOREST + FLIGHTS, encoding="utf-8")
    assert index.update([corpus]).changed == 1
    assert names(index.search("рейсы")) == ["a.txt"]
    path.write_text(FOREST, encoding="utf-8")
    assert index.update([corpus]).changed == 1
    assert index.search("рейсы") == [] and index.stats().paragraphs == 1


def test_unchanged_files_are_only_stat_ed(corpus, index, monkeypatch):
    (corpus / "a.txt").write_text(FOREST, encoding="utf-8")
    index.update([corpus])
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"re-read {self}"))
    assert index.update([corpus]).unchanged == 1


def test_files_outside_the_folders_given_are_kept(corpus, tmp_path, index):
    other = tmp_path / "other"
    other.mkdir()
    (corpus / "a.txt").write_text(FOREST, encoding="utf-8")
    (other / "b.txt").write_text(FLOOD, encoding="utf-8")
    index.update([corpus, other])
    report = index.update([other])
    assert report.removed == 0 and names(index.search("пожары")) == ["a.txt"]


def test_killed_after_the_commit_before_the_manifest_the_next_update_agrees(
        corpus, index, monkeypatch):
    (corpus / "a.txt").write_text(FOREST, encoding="utf-8")
    index.update([corpus])
    (corpus / "b.txt").write_text(FLOOD, encoding="utf-8")

    def killed(index_dir):
        raise KeyboardInterrupt  # stands in for SIGKILL between commit and rename
    monkeypatch.setattr(Manifest, "promote_pending", staticmethod(killed))
    with pytest.raises(KeyboardInterrupt):
        index.update([corpus])
    monkeypatch.undo()
    assert (index.path / PENDING_NAME).exists()
    assert names(index.search("тасқыны")) == ["b.txt"]  # the commit landed

    report = index.update([corpus])
    assert (report.added, report.unchanged) == (0, 2)  # the pending manifest was promoted
    assert not (index.path / PENDING_NAME).exists()
    assert index.stats().paragraphs == 2


def test_killed_before_the_commit_the_pending_manifest_is_dropped(corpus, index, monkeypatch):
    (corpus / "a.txt").write_text(FOREST, encoding="utf-8")
    index.update([corpus])
    (corpus / "b.txt").write_text(FLOOD, encoding="utf-8")
    real_save = Manifest.save_pending

    def save_then_die(self, index_dir, generation):
        real_save(self, index_dir, generation)
        raise KeyboardInterrupt
    monkeypatch.setattr(Manifest, "save_pending", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        index.update([corpus])
    monkeypatch.undo()
    assert index.search("тасқыны") == []
    # A stale pending manifest (as SIGKILL would leave it) must not be promoted.
    real_save(Manifest(1, {str(corpus / "b.txt"): FileEntry(1, 1, "x", 1)}), index.path, 999)
    report = index.update([corpus])
    assert (report.added, report.unchanged) == (1, 1)
    assert index.stats().paragraphs == 2


def test_a_manifest_that_disagrees_with_the_index_is_repaired_without_duplicates(corpus, index):
    for name, text in (("a.txt", FOREST), ("b.txt", FLOOD), ("c.txt", FLIGHTS)):
        (corpus / name).write_text(text, encoding="utf-8")
    index.update([corpus])
    # An older manifest: forgets b.txt, has the wrong paragraph count for c.txt,
    # and no generation (as written by Izde before generations were recorded).
    manifest_path = index.path / MANIFEST_NAME
    raw = json.loads(manifest_path.read_text(encoding="utf-8"))
    del raw["generation"], raw["files"][str(corpus / "b.txt")]
    raw["files"][str(corpus / "c.txt")]["paragraphs"] = 5
    manifest_path.write_text(json.dumps(raw), encoding="utf-8")

    report = index.update([corpus])
    assert report.repaired == 2
    assert index.stats().paragraphs == 3
    assert names(index.search("тасқыны")) == ["b.txt"]
    assert index.update([corpus]).unchanged == 3


def test_rebuild_keeps_the_old_index_searchable_until_it_commits(corpus, index, monkeypatch):
    (corpus / "a.txt").write_text(FOREST, encoding="utf-8")
    index.update([corpus])

    def failing(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(indexer_module, "update_index", failing)
    with pytest.raises(OSError):
        index.update([corpus], rebuild=True)
    monkeypatch.undo()
    assert names(index.search("пожары")) == ["a.txt"]
    report = index.update([corpus], rebuild=True)
    assert report.added == 1 and index.stats().paragraphs == 1


def test_an_index_of_another_version_is_rebuilt_by_the_next_update(corpus, index):
    (corpus / "a.txt").write_text(FOREST, encoding="utf-8")
    index.update([corpus])
    index.close()
    manifest_path = index.path / MANIFEST_NAME
    raw = json.loads(manifest_path.read_text(encoding="utf-8"))
    raw["schema_version"] = 0
    manifest_path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CorruptIndexError, match="another version"):
        Index(index.path).search("пожары")
    assert index.update([]).added == 1  # files known to the manifest come back
    assert names(index.search("пожары")) == ["a.txt"] and index.stats().paragraphs == 1


def test_rebuild_refuses_a_foreign_folder_and_deletes_nothing(tmp_path, corpus):
    (corpus / "a.txt").write_text(FOREST, encoding="utf-8")
    foreign = tmp_path / "work"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("мой диплом", encoding="utf-8")
    (foreign / "_MAIN_1.toc").write_bytes(b"looks like Whoosh")
    for rebuild in (False, True):
        with pytest.raises(CorruptIndexError, match="not an Izde index"):
            Index(foreign).update([corpus], rebuild=rebuild)
    assert sorted(p.name for p in foreign.iterdir()) == ["_MAIN_1.toc", "thesis.txt"]


def test_rebuild_forgets_folders_no_longer_given(corpus, tmp_path, index):
    other = tmp_path / "other"
    other.mkdir()
    (corpus / "a.txt").write_text(FOREST, encoding="utf-8")
    (other / "b.txt").write_text(FLOOD, encoding="utf-8")
    index.update([corpus, other])
    report = index.update([corpus], rebuild=True)
    assert report.added == 1 and index.search("тасқыны") == []
    assert index.indexed_roots() == [str(corpus.resolve())]
    assert index.check().healthy


def test_words_only_a_deleted_file_held_do_not_break_a_search(corpus, index):
    (corpus / "fires.txt").write_text("Forest fires in the Abai region were put out.\n",
                                      encoding="utf-8")
    (corpus / "rivers.txt").write_text("Rivers and fires: the ministry reports.\n",
                                       encoding="utf-8")
    index.update([corpus])
    (corpus / "fires.txt").unlink()
    (corpus / "flood.txt").write_text(FLOOD, encoding="utf-8")
    index.update([corpus])  # a second segment; the first keeps fires.txt as deleted
    assert names(index.search("forest fires Abai region")) == ["rivers.txt"]
