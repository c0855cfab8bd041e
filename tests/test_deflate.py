"""Blocks deflated by ISA-L (search.storage.deflate) read as zlib's: same index contents."""

import os
import zlib

import pytest
from whoosh.index import open_dir

from search import Index
from search.storage import codec, deflate


@pytest.mark.parametrize("size", [0, 1, 80, 300, 5_000, 200_000])
def test_deflated_parts_are_zlib_streams(size):
    data = (os.urandom(size // 4) * 4)[:size] + b"lorem ipsum " * (size // 12)
    assert zlib.decompress(deflate.compress(data, 3)) == data


def _contents(folder):
    """Every posting (weight, value, field length) and stored field, by paragraph."""
    index = open_dir(str(folder))
    try:
        with index.searcher() as searcher:
            reader = searcher.reader()
            where = {d: (f["path"], f["paragraph"]) for d, f in reader.iter_docs()}
            postings = set()
            for fieldname, term in reader.all_terms():
                matcher = reader.postings(fieldname, term)
                while matcher.is_active():
                    d = matcher.id()
                    postings.add((fieldname, term, where[d], matcher.weight(), matcher.value(),
                                  reader.doc_field_length(d, fieldname)))
                    matcher.next()
            stored = sorted((where[d], sorted(f.items())) for d, f in reader.iter_docs())
        return postings, stored
    finally:
        index.close()


def test_an_index_deflated_by_isal_holds_what_zlib_would(tmp_path, monkeypatch):
    pytest.importorskip("isal")
    assert codec.deflate is not zlib.compress  # the index below is written by ISA-L
    docs = tmp_path / "docs"
    docs.mkdir()
    words = "орман ормандарды лесные пожары forests steppe"
    for i in range(40):  # terms of many postings: blocks large enough to compress
        (docs / f"f{i}.txt").write_text(
            "\n\n".join(f"{words} {i} {j} " * (1 + j % 5) for j in range(6)), encoding="utf-8")
    Index(tmp_path / "isal").update([docs])
    monkeypatch.setattr(codec, "deflate", zlib.compress)
    Index(tmp_path / "zlib").update([docs])
    assert _contents(tmp_path / "isal") == _contents(tmp_path / "zlib")
    # Written by two compressors: the same contents in other bytes.
    assert _segment_bytes(tmp_path / "isal") != _segment_bytes(tmp_path / "zlib")


def _segment_bytes(folder):
    return sorted(path.read_bytes() for path in folder.glob("*.seg"))


def test_izde_segments_deflate_their_stored_fields_as_their_blocks():
    # search.storage.codec swaps the compressor of Whoosh's stored-fields column (its
    # _colwriters, the pickle column's _child, its _compress and _level): a Whoosh that
    # renames them would leave zlib there silently.
    pytest.importorskip("isal")
    from whoosh.filedb.filestore import RamStorage
    storage = RamStorage()
    izde = codec.IzdeCodec()
    writer = izde.per_document_writer(storage, izde.new_segment(storage, "t"))
    assert writer._colwriters["_stored"]._child._compress is deflate.compress
