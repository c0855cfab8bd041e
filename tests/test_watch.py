"""`izde watch`: the index follows the folder, one line per burst of changes."""

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from search import Index
from search.ingest.watch import Batch, EventBatcher, Watcher, process_batch

PROJECT = Path(__file__).resolve().parent.parent
FOREST = "Лесные пожары в области Абай уничтожили сотни гектаров леса.\n"
FLOOD = "Су тасқыны кезеңіне дайындық шеңберінде жұмыстар жүргізілуде.\n"


def eventually(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_one_batch_adds_changes_and_removes_and_prints_one_line(corpus, tmp_path):
    (corpus / "a.txt").write_text(FOREST, encoding="utf-8")
    (corpus / "b.txt").write_text(FLOOD, encoding="utf-8")
    (corpus / "bad.txt").write_bytes(bytes(range(256)) * 4)
    reported = set()
    with Index(tmp_path / "ix") as index:
        first = process_batch(index, [corpus], reported=reported)
        assert first.line() == "+2 ~0 -0 !1" and len(first.new_skips) == 1
        (corpus / "a.txt").write_text(FLOOD, encoding="utf-8")
        (corpus / "b.txt").unlink()
        (corpus / "c.md").write_text(FOREST, encoding="utf-8")
        second = process_batch(index, [corpus], {str(corpus / "a.txt")}, reported=reported)
        assert second.line() == "+1 ~1 -1 !1"
        assert second.new_skips == []  # the bad file was reported once already


class _Event:
    def __init__(self, path, kind="modified", is_directory=False, dest=""):
        self.src_path, self.dest_path = path, dest
        self.event_type, self.is_directory = kind, is_directory


def test_a_burst_of_events_becomes_one_batch_of_relevant_paths(tmp_path):
    batcher = EventBatcher(ignore=tmp_path / "ix", debounce=0.2)
    for i in range(20):
        batcher.on_any_event(_Event(str(tmp_path / f"doc{i}.txt")))
    batcher.on_any_event(_Event(str(tmp_path / "ix" / "MAIN_1.seg"), "created"))
    batcher.on_any_event(_Event(str(tmp_path / "photo.jpg"), "created"))
    batcher.on_any_event(_Event(str(tmp_path / ".hidden.txt"), "created"))
    batcher.on_any_event(_Event(str(tmp_path / "doc0.txt"), "opened"))
    batcher.on_any_event(_Event(str(tmp_path / "report.pdf"), "created"))
    batcher.on_any_event(_Event(str(tmp_path / ".gitignore"), "modified"))  # may change the set
    batcher.on_any_event(_Event(str(tmp_path / "old"), "moved", True, str(tmp_path / "new")))
    started = time.monotonic()
    batch = batcher.next_batch(threading.Event())
    assert 0.15 <= time.monotonic() - started < 2
    assert len(batch) == 24 and str(tmp_path / "new") in batch
    assert str(tmp_path / ".gitignore") in batch and str(tmp_path / "report.pdf") in batch
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    assert batcher.next_batch(stop) == set()  # nothing more came


def test_a_trickle_of_events_is_still_indexed_after_max_delay(tmp_path):
    batcher = EventBatcher(debounce=10, max_delay=0.3)
    batcher.add(str(tmp_path / "a.txt"))
    started = time.monotonic()
    assert batcher.next_batch(threading.Event()) == {str(tmp_path / "a.txt")}
    assert time.monotonic() - started < 2


def test_the_watcher_indexes_a_new_file_and_drops_a_deleted_one(corpus, tmp_path):
    (corpus / "a.txt").write_text(FOREST, encoding="utf-8")
    lines: list[str] = []
    index = Index(tmp_path / "ix")
    watcher = Watcher(index, [corpus], debounce=0.2, on_batch=lambda b: lines.append(b.line()))
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert watcher.ready.wait(10)
        searcher = Index(tmp_path / "ix")
        assert [Path(h.path).name for h in searcher.search("пожары")] == ["a.txt"]
        (corpus / "sub").mkdir()
        (corpus / "sub" / "b.txt").write_text(FLOOD, encoding="utf-8")
        assert eventually(lambda: len(searcher.search("тасқыны")) == 1)
        (corpus / "a.txt").unlink()
        assert eventually(lambda: searcher.search("пожары") == [])
        assert eventually(lambda: lines[-1] == "+0 ~0 -1")  # printed after the commit
        searcher.close()
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert lines[0] == "+1 ~0 -0" and "+1 ~0 -0" in lines[1:]
    index.close()


def test_watch_command_stops_cleanly_on_ctrl_c(corpus, tmp_path):
    (corpus / "a.txt").write_text(FOREST, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "search.cli", "watch", str(corpus), "--index",
         str(tmp_path / "ix"), "--debounce", "0.2"],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().endswith(" +1 ~0 -0\n")  # the first round
        (corpus / "b.txt").write_text(FLOOD, encoding="utf-8")
        assert process.stdout.readline().endswith(" +1 ~0 -0\n")
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "stopped watching" in stderr and "Traceback" not in stderr
