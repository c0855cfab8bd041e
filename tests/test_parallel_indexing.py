"""Indexing on several processes finds what one process finds, and never loses a paragraph quietly."""

import multiprocessing

import pytest
import whoosh.multiproc

import search.storage.parallel
from generated_corpus import write_corpus
from search import Index
from search.storage.parallel import WorkerFailedError


@pytest.fixture
def many_files(tmp_path):
    # 30 files x 12 paragraphs: more than one 100-document batch per worker.
    folder = tmp_path / "docs"
    write_corpus(folder, files=30, paragraphs_per_file=12, tag="parallel")
    return folder


def _everything(index):
    return sorted(index.ranked_ids("parallel", limit=1000))


def test_two_processes_index_every_paragraph_one_process_does(many_files, tmp_path):
    with Index(tmp_path / "one") as one, Index(tmp_path / "two") as two:
        serial = one.update([many_files], procs=1)
        parallel = two.update([many_files], procs=2)
        assert parallel.paragraphs_added == serial.paragraphs_added == 360
        assert two.stats().paragraphs == 360
        assert _everything(two) == _everything(one)
        for query in ("uniq7p3", "лесные пожары", '"uniq29p11 parallel"'):
            # The seed paragraphs repeat, so equal scores may come in another order.
            assert sorted(two.ranked_ids(query, limit=1000)) == sorted(one.ranked_ids(query, limit=1000))
    assert multiprocessing.active_children() == []


def test_a_parallel_update_after_a_serial_one_replaces_changed_files(many_files, tmp_path):
    with Index(tmp_path / "index") as index:
        index.update([many_files])
        write_corpus(many_files, files=30, paragraphs_per_file=12, tag="parallel", start=0)
        (many_files / "parallel00003.txt").write_text("Новый абзац про ветер.\n", encoding="utf-8")
        report = index.update([many_files], procs=2)
        assert report.changed == 1
        assert index.stats().paragraphs == 29 * 12 + 1
        assert index.ranked_ids("ветер") == [str((many_files / "parallel00003.txt").resolve())]


def _die(*args):
    raise SystemExit(1)  # a worker killed halfway, as by the OOM killer


def test_a_worker_that_dies_fails_the_update_and_keeps_the_old_index(many_files, tmp_path,
                                                                     monkeypatch):
    with Index(tmp_path / "index") as index:
        index.update([many_files])
        (many_files / "extra.txt").write_text("Новый абзац про ветер.\n", encoding="utf-8")
        monkeypatch.setattr(search.storage.parallel, "start_method", lambda: "fork")
        monkeypatch.setattr(search.storage.parallel, "_write_segment", _die)
        with pytest.raises(WorkerFailedError, match="nothing was committed"):
            index.update([many_files], procs=2)
        assert index.stats().paragraphs == 360
        assert index.ranked_ids("ветер") == []
    assert multiprocessing.active_children() == []


def test_an_update_that_fails_midway_stops_its_workers(many_files, tmp_path):
    def progress(done, total, path):
        if done == 25:
            raise KeyboardInterrupt

    with Index(tmp_path / "index") as index:
        with pytest.raises(KeyboardInterrupt):
            index.update([many_files], procs=2, progress=progress)
        assert multiprocessing.active_children() == []
        assert index.update([many_files], procs=2).paragraphs_added == 360
