"""Updates against searches, other writers and SIGKILL: the index is never broken."""

import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from search import Index, IndexLockedError
from search.cli import main

from generated_corpus import write_corpus

PROJECT = Path(__file__).resolve().parent.parent


def paths_of(hits):
    return {Path(hit.path).name for hit in hits}


@pytest.mark.parametrize("rebuild", [False, True], ids=["update", "rebuild"])
def test_a_search_during_a_large_update_sees_the_old_or_the_new_state(tmp_path, rebuild):
    corpus = tmp_path / "docs"
    old = write_corpus(corpus, files=10, tag="qzxold")
    index = Index(tmp_path / "ix")
    index.update([corpus])
    old_names = {p.name for p in old}
    for path in old[:5]:
        path.unlink()
    new_names = {p.name for p in write_corpus(corpus, files=30, tag="qzxnew")}
    after = (old_names - {p.name for p in old[:5]}) | new_names

    failures, seen = [], set()
    writer = threading.Thread(target=lambda: index.update([corpus], rebuild=rebuild))
    writer.start()
    reused = Index(tmp_path / "ix")
    while writer.is_alive() or not seen:
        for searcher in (reused, Index(tmp_path / "ix")):
            try:
                found = paths_of(searcher.search("qzxold OR qzxnew", limit=1000))
            except Exception as error:  # any error at all is the failure under test
                failures.append(repr(error))
                continue
            if found not in (old_names, after):
                failures.append(f"mixed state: {len(found)} files")
            seen.add("old" if found == old_names else "new")
            if searcher is not reused:
                searcher.close()
    writer.join()
    reused.close()
    assert failures == []
    assert "old" in seen, "the update finished before the first search: nothing was tested"
    assert paths_of(index.search("qzxold OR qzxnew", limit=1000)) == after
    index.close()


def test_a_second_writer_is_told_the_index_is_busy_or_waits(tmp_path, monkeypatch):
    corpus = tmp_path / "docs"
    write_corpus(corpus, files=2)
    Index(tmp_path / "ix").update([corpus])
    busy = whoosh_index.open_dir(str(tmp_path / "ix")).writer()  # another process's update
    try:
        with pytest.raises(IndexLockedError, match="being updated by another process"):
            Index(tmp_path / "ix").update([corpus])
        monkeypatch.chdir(tmp_path)
        result = CliRunner().invoke(main, ["index", "docs", "--index", "ix"])
        assert result.exit_code == 4 and "another process" in result.stderr
        threading.Timer(0.5, busy.cancel).start()
        started = time.monotonic()
        result = CliRunner().invoke(main, ["index", "docs", "--index", "ix", "--wait", "10"])
        assert result.exit_code == 0, result.output
        assert "2 unchanged" in result.stdout and time.monotonic() - started >= 0.4
    finally:
        if not busy.is_closed:
            busy.cancel()


def _writing(lock_file: Path) -> bool:
    """True while some process holds the index's write lock."""
    if not lock_file.exists():
        return False
    with open(lock_file, "rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def test_sigkill_in_the_middle_of_indexing_leaves_the_previous_state(tmp_path):
    corpus = tmp_path / "docs"
    write_corpus(corpus, files=5, tag="qzxold")
    index_dir = tmp_path / "ix"
    with Index(index_dir) as index:
        index.update([corpus])
    write_corpus(corpus, files=200, tag="qzxnew")  # 4,000 paragraphs: seconds of work

    # --wait: the lock probe below may hold the lock for an instant as the writer starts.
    command = [sys.executable, "-m", "search.cli", "index", str(corpus), "--index", str(index_dir),
               "--wait", "10"]
    process = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    # The write lock is held from the start of the update to its commit; the
    # shared flock probe fails only while the writer holds its exclusive one.
    while not _writing(index_dir / "MAIN_WRITELOCK"):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.8)  # well into reading and analyzing, segment files half written
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL

    with Index(index_dir) as index:
        assert len(index.search("qzxold", limit=1000)) == 100  # the previous state
        assert index.search("qzxnew") == []
    rerun = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert "200 added" in rerun.stdout and "5 unchanged" in rerun.stdout
    with Index(index_dir) as index:
        assert index.stats().paragraphs == 205 * 20  # complete, and nothing twice
        assert len(index.search("qzxnew", limit=10_000)) == 4000
        assert len(index.search("uniq7p3")) == 1


def test_hits_are_read_from_the_state_they_were_ranked_in(tmp_path, monkeypatch):
    # A commit by another writer between ranking and reading the hits' paths
    # once gave the old ranking the new index's paragraphs (same numbers, other files).
    old = {p.name for p in write_corpus(tmp_path / "old", files=3, tag="qzxold")}
    write_corpus(tmp_path / "new", files=3, tag="qzxnew")
    Index(tmp_path / "ix").update([tmp_path / "old"])
    reader = Index(tmp_path / "ix")
    rank = Index._results

    def rank_then_another_process_rebuilds(self, *args):
        ranked = rank(self, *args)
        if self is reader:
            Index(tmp_path / "ix").update([tmp_path / "new"], rebuild=True)
        return ranked

    monkeypatch.setattr(Index, "_results", rank_then_another_process_rebuilds)
    assert paths_of(reader.search("qzxold OR qzxnew", limit=100)) == old
    reader.close()
