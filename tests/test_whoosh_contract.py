"""What search.storage relies on in whoosh3 beyond its public API, checked against the
installed Whoosh. A release that renames one of these privates would otherwise
make the fast paths fall back silently (search 2-3x slower, every other test
green); this file fails instead, naming what changed."""

import subprocess
import sys
from pathlib import Path

import pytest
from whoosh.codec.whoosh3 import W3LeafMatcher, W3PostingsWriter
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile
from whoosh.multiproc import MpWriter
from whoosh.writing import SegmentWriter

from search import Index
from search.storage.codec import _BLOCK_MATCHER_API, is_packed, reads_blocks
from search.storage.postings import length_bytes
from search.storage.segment_files import MappedBufferFile

PROJECT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("owner, names", [
    # search.storage.codec: the packed block writer and matcher
    (W3PostingsWriter, ["_write_block", "_new_block"]),
    (W3LeafMatcher, ["_read_header", "_goto", "_read_data", "_read_values", "_next_block"]),
    # search.storage.posting_pool and .parallel: writers that commit pooled postings
    (SegmentWriter, ["_flush_segment", "_finalize_segment", "_close_segment", "_commit_toc",
                     "_finish"]),
    (MpWriter, ["_enqueue", "_merge_segments", "_commit"]),
])
def test_the_private_methods_storage_overrides_or_calls_exist(owner, names):
    missing = [name for name in names if not hasattr(owner, name)]
    assert not missing, f"whoosh {owner.__name__} lost {missing}: update search/storage"


def test_compound_segments_hand_out_buffer_files_storage_can_replace():
    # search.storage.segment_files swaps compound.BufferFile for MappedBufferFile.
    assert compound.BufferFile in (BufferFile, MappedBufferFile)
    assert issubclass(MappedBufferFile, BufferFile)


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    folder = tmp_path_factory.mktemp("contract")
    index = Index(folder / "index")
    # Enough paragraphs with one word that its postings span several blocks.
    index.add_paragraphs([{"id": f"p{i}", "text": f"Орман шаруашылығы туралы есеп {i}"}
                          for i in range(600)])
    yield index
    index.close()


def test_block_postings_are_read_through_the_fast_path(opened):
    searcher = opened.searcher()
    (leaf, _), = searcher.leaf_searchers()
    reader = leaf.reader()
    term = next(t for t in reader.lexicon("text_kk") if reader.doc_frequency("text_kk", t) == 600)
    matcher = reader.postings("text_kk", term)
    matcher = getattr(matcher, "child", matcher)
    assert all(hasattr(matcher, name) for name in _BLOCK_MATCHER_API), \
        [name for name in _BLOCK_MATCHER_API if not hasattr(matcher, name)]
    assert reads_blocks(matcher) and is_packed(matcher)


def test_field_lengths_are_read_as_one_column(opened):
    (leaf, _), = opened.searcher().leaf_searchers()
    # The fallback asks Whoosh per document; the column read returns bytes.
    assert isinstance(length_bytes(leaf.reader(), "text_kk"), bytes)


def test_the_memory_map_patch_is_installed_by_opening_an_index_not_by_importing(opened):
    code = ("import search, search.errors, search.index\n"
            "from whoosh.filedb import compound\n"
            "from search.storage.segment_files import MappedBufferFile\n"
            "before = compound.BufferFile is MappedBufferFile\n"
            f"search.Index({str(opened.path)!r}).search('орман')\n"
            "print(before, compound.BufferFile is MappedBufferFile)")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.split() == ["False", "True"], done.stderr
