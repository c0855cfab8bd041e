"""Segments are read from their memory map: opening an index copies nothing."""

import io
import pickle
import tracemalloc

import pytest

from generated_corpus import write_corpus
from search import Index
from search.storage.segment_files import _MappedReader


def test_opening_an_index_does_not_copy_its_segments_into_memory(tmp_path):
    write_corpus(tmp_path / "docs", files=40)
    with Index(tmp_path / "ix") as index:
        index.update([tmp_path / "docs"])
    segments = sum(f.stat().st_size for f in (tmp_path / "ix").glob("*.seg"))
    assert segments > 1_000_000

    tracemalloc.start()
    try:
        with Index(tmp_path / "ix") as index:
            hits = index.search("лесные пожары")
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert hits
    # whoosh3 alone copied every segment into a BytesIO on open (peak > segments)
    assert peak < segments / 2


def _reader(data: bytes) -> _MappedReader:
    return _MappedReader(memoryview(data))


def test_the_reader_reads_seeks_and_tells_as_a_file_does():
    data = b"first line\nsecond line\nend"
    ours, theirs = _reader(data), io.BytesIO(data)
    for step in (lambda f: f.read(5), lambda f: f.readline(), lambda f: f.tell(),
                 lambda f: f.seek(-3, io.SEEK_END), lambda f: f.read(), lambda f: f.read(4),
                 lambda f: f.seek(2), lambda f: f.seek(4, io.SEEK_CUR), lambda f: f.readline(3),
                 lambda f: list(f)):
        assert step(ours) == step(theirs)


@pytest.mark.parametrize("value", [(3, 120, 1.5, 0, 1, 9), "x" * 5000, list(range(2000))])
def test_a_pickle_is_read_whole_and_the_cursor_moves_past_it(value):
    data = b"head" + pickle.dumps(value) + b"tail"
    reader = _reader(data)
    reader.seek(4)
    assert reader.read_pickle() == value
    assert reader.read() == b"tail"


def test_a_damaged_pickle_raises():
    with pytest.raises(Exception):
        _reader(b"\x80\x04garbage").read_pickle()
