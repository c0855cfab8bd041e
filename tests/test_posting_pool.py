"""Postings pooled by term make the same index, posting for posting, as Whoosh's own pool."""

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from generated_corpus import write_corpus
from search.ingest.indexer import documents_for
from search.storage.posting_pool import (BYTES_PER_POSTING, BYTES_PER_TERM, TermPoolSegmentWriter,
                                         TermPostingPool)
from search.storage.schema import build_schema
from search.storage.shared_analysis import PositionValues


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    paths = write_corpus(folder, files=24, paragraphs_per_file=10, tag="pool")
    return [doc for path in paths for doc in documents_for(path, path.read_text(encoding="utf-8"))]


def _build(folder, writer_class, batches, **writer_args):
    """An index of ``batches`` (lists of documents), one commit each."""
    ix = whoosh_index.create_in(folder, build_schema())
    for batch in batches:
        writer = writer_class(ix, **writer_args)
        for document in batch:
            writer.add_document(**document)
        writer.commit()
    return ix


def _commit_everything_into_one_segment(ix, writer_class):
    writer_class(ix).commit(optimize=True)


def _postings(ix):
    """Every posting with what the scorer reads from it, keyed by paragraph, not docnum
    (the block statistics too: the length bounds come from the pool, not the column)."""
    with ix.reader() as reader:
        where = {docnum: (fields["path"], fields["paragraph"])
                 for docnum, fields in reader.iter_docs()}
        found = {}
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            rows = []
            while matcher.is_active():
                docnum = matcher.id()
                rows.append((where[docnum], matcher.weight(), matcher.value(),
                             reader.doc_field_length(docnum, fieldname),
                             matcher.block_min_length(), matcher.block_max_length()))
                matcher.next()
            found[fieldname, term] = sorted(rows)
        return found, {f: reader.field_length(f) for f in reader.indexed_field_names()}


def test_the_index_matches_whooshs_even_when_the_pool_spills_to_disk(documents, tmp_path):
    (tmp_path / "stock").mkdir()
    (tmp_path / "pooled").mkdir()
    stock = _build(tmp_path / "stock", SegmentWriter, [documents])
    pooled = _build(tmp_path / "pooled", TermPoolSegmentWriter, [documents], limitmb=1)
    postings, lengths = _postings(pooled)
    # The pool counts each term once per run, so this is at most its estimate:
    # past 2 MB, these documents spilled at least two runs.
    assert (len(postings) * BYTES_PER_TERM
            + sum(map(len, postings.values())) * BYTES_PER_POSTING) > 2 * 1024 * 1024
    assert (postings, lengths) == _postings(stock)


def test_common_words_written_between_batches_of_rarer_ones_keep_every_posting(documents,
                                                                              tmp_path):
    # A term of several blocks goes to the postings file as it comes; the batch of rarer
    # terms before it later, yet every term info must point at its own postings.
    (tmp_path / "stock").mkdir()
    (tmp_path / "pooled").mkdir()
    stock = _build(tmp_path / "stock", SegmentWriter, [documents])
    pooled = _build(tmp_path / "pooled", TermPoolSegmentWriter, [documents])
    postings, lengths = _postings(pooled)
    several_blocks = [term for term, rows in postings.items() if len(rows) > 128]
    assert len(several_blocks) >= 5 and len(postings) > 1000
    assert (postings, lengths) == _postings(stock)


def test_merging_segments_keeps_every_posting(documents, tmp_path):
    (tmp_path / "stock").mkdir()
    (tmp_path / "pooled").mkdir()
    batches = [documents[:40], documents[40:80], documents[80:]]
    stock = _build(tmp_path / "stock", SegmentWriter, batches)
    pooled = _build(tmp_path / "pooled", TermPoolSegmentWriter, batches, limitmb=1)
    _commit_everything_into_one_segment(stock, SegmentWriter)
    _commit_everything_into_one_segment(pooled, TermPoolSegmentWriter)
    assert len(pooled._segments()) == 1
    assert _postings(pooled) == _postings(stock)


class _MemoryStore:
    """Just enough of a Whoosh storage for the pool's run files."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path

    def create_file(self, name):
        return open(self.tmp_path / name, "wb")

    def open_file(self, name):
        store = self

        class _Opened:
            def raw_file(self):
                return open(store.tmp_path / name, "rb")
        return _Opened()

    def delete_file(self, name):
        (self.tmp_path / name).unlink()


def test_a_terms_postings_from_several_runs_come_back_in_document_order(tmp_path, monkeypatch):
    monkeypatch.setattr("search.storage.posting_pool.BYTES_PER_TERM", 0)
    pool = TermPostingPool(_MemoryStore(tmp_path), limitmb=1)
    pool.max_bytes = 3 * BYTES_PER_POSTING  # a run every three postings
    for docnum in range(10):
        pool.add(("text_ru", b"\xd0\xbb\xd0\xb5\xd1\x81", docnum, 1.0, b""))
        if docnum % 2:
            pool.add(("exact", b"odd", docnum, 2.0, b"v"))
    assert len(pool.runs) == 5
    terms = list(pool.terms())
    assert [(f, t) for f, t, _ in terms] == [("exact", b"odd"), ("text_ru", "лес".encode())]
    assert [doc for doc, _w, _v in terms[0][2]] == [1, 3, 5, 7, 9]
    assert [doc for doc, _w, _v in terms[1][2]] == list(range(10))
    pool.cleanup()
    assert list(tmp_path.iterdir()) == []


def test_pools_of_two_processes_at_one_address_spill_to_different_files(tmp_path, monkeypatch):
    # A parallel build's forked workers share the temporary folder and may hold their
    # pools at the same address; one worker's runs must not overwrite the other's.
    pool = TermPostingPool(_MemoryStore(tmp_path), limitmb=1)
    first = pool._run_name()
    monkeypatch.setattr("os.getpid", lambda: -1)
    assert pool._run_name() != first


class _ReprFormat:
    encode = staticmethod(lambda where: repr(where).encode())


def test_terms_added_as_text_and_as_bytes_sort_and_merge_as_bytes(tmp_path):
    # Shared analysis adds a document's terms as text (encoded when written); Whoosh's
    # own path adds bytes. Both land in one term list, in byte order and docnum order.
    pool = TermPostingPool(_MemoryStore(tmp_path), limitmb=1)
    encode = PositionValues(_ReprFormat())
    pool.add_document_positions("f", 0, {"лес": [0, 2], "z": [1]}, encode)
    pool.add(("f", "лес".encode(), 1, 1.0, b"b"))
    pool.add_document_positions("f", 2, {"лес": [4]}, encode, boost=2.0)
    terms = [(f, t, list(p)) for f, t, p in pool.terms()]
    assert terms == [("f", b"z", [(0, 1.0, b"[1]")]),
                     ("f", "лес".encode(), [(0, 2.0, b"[0, 2]"), (1, 1.0, b"b"),
                                            (2, 2.0, b"[4]")])]


def test_scoring_reads_a_blocks_docnums_and_weights_without_its_positions(documents, tmp_path):
    from search.storage.codec import is_packed
    ix = _build(tmp_path, TermPoolSegmentWriter, [documents[:30]])
    with ix.reader() as reader:
        matcher = reader.postings("exact", "pool")
        matcher = getattr(matcher, "child", matcher)
        assert is_packed(matcher)
        matcher._read_data()
        ids, weights, values = matcher._data
        assert len(ids) == matcher._blocklength and not isinstance(values, tuple)
        assert matcher.value()  # the positions, read only now
        assert isinstance(matcher._data[2], tuple)


def _write_one_part_blocks(monkeypatch):
    from whoosh.codec.whoosh3 import W3Codec
    from search.storage.codec import IzdeCodec
    monkeypatch.setattr(IzdeCodec, "postings_writer", W3Codec.postings_writer)


def _write_split_blocks(monkeypatch):
    from search.storage.codec import _PostingsWriter
    monkeypatch.setattr(_PostingsWriter, "_write_block", _PostingsWriter._write_split_block)


@pytest.mark.parametrize("write_old_layout", [_write_one_part_blocks, _write_split_blocks],
                         ids=["one-part", "split"])
def test_blocks_written_in_an_earlier_layout_are_still_read(documents, tmp_path, monkeypatch,
                                                            write_old_layout):
    # Indexes written before blocks were split, then packed, keep working without a
    # rebuild, and their segments are rewritten packed as they merge.
    from search.storage.codec import is_packed
    for name in ("stock", "old", "stock2"):
        (tmp_path / name).mkdir()
    write_old_layout(monkeypatch)
    old = _build(tmp_path / "old", TermPoolSegmentWriter, [documents[:40]])
    monkeypatch.undo()
    with old.reader() as reader:
        assert not is_packed(reader.postings("exact", "pool"))
    assert _postings(old) == _postings(_build(tmp_path / "stock", SegmentWriter, [documents[:40]]))

    _assert_phrases_match_whooshs(old)

    writer = TermPoolSegmentWriter(old)  # a new segment beside the old one, then one of both
    for document in documents[40:]:
        writer.add_document(**document)
    writer.commit()
    _commit_everything_into_one_segment(old, TermPoolSegmentWriter)
    stock = _build(tmp_path / "stock2", SegmentWriter, [documents[:40], documents[40:]])
    _commit_everything_into_one_segment(stock, SegmentWriter)
    assert _postings(old) == _postings(stock)
    with old.reader() as reader:
        assert is_packed(reader.postings("exact", "pool"))
    _assert_phrases_match_whooshs(old)



def _assert_phrases_match_whooshs(ix):
    """Phrases (positions read through the blocks' values) score as Whoosh scores them."""
    from whoosh import query as q
    from search.ranking.bm25 import WEIGHTING as _WEIGHTING
    from search.ranking.term_scoring import scored_clauses, top_documents
    phrase = q.Phrase("exact", ["uniq0p1", "pool"])  # one paragraph; every one has "pool"
    with ix.searcher(weighting=_WEIGHTING) as searcher:
        for query in (phrase, q.Or([q.Term("exact", "pool"), phrase])):
            terms, phrases = scored_clauses(query)
            ours = top_documents(searcher, _WEIGHTING, terms, 500, phrases=phrases)
            theirs = [(hit.docnum, hit.score) for hit in searcher.search(query, limit=500)]
            assert [doc for doc, _ in ours] == [doc for doc, _ in theirs]
            assert [score for _, score in ours] == pytest.approx([score for _, score in theirs])
            assert len(ours) == (1 if query is phrase else searcher.doc_count())


def test_the_pool_counts_its_memory_by_term_and_by_posting(tmp_path):
    # A frequent term's postings are a few bytes each in its columns; a new term costs
    # its own containers. 20,000 postings of one term stay in 1 MB of pool; 3,000
    # terms of one posting each do not.
    encode = PositionValues(_ReprFormat())
    frequent = TermPostingPool(_MemoryStore(tmp_path), limitmb=1)
    for docnum in range(20_000):
        frequent.add_document_positions("f", docnum, {"лес": [0]}, encode)
    assert frequent.runs == []
    rare = TermPostingPool(_MemoryStore(tmp_path), limitmb=1)
    for docnum in range(3_000):
        rare.add_document_positions("f", docnum, {f"t{docnum}": [0]}, encode)
    assert len(rare.runs) == 1
    terms = [(f, t, list(p)) for f, t, p in rare.terms()]
    assert len(terms) == 3_000 and terms[0] == ("f", b"t0", [(0, 1.0, b"[0]")])
    rare.cleanup()


def test_document_and_field_boosts_and_stored_values_as_whoosh_gives_them(documents, tmp_path):
    # add_document reads each field's boost keyword and stored override (_text_kk_boost,
    # _stored_path) as Whoosh's SegmentWriter does, with or without a document boost.
    boosted = []
    for i, document in enumerate(documents[:60]):
        document = dict(document)
        if i % 3 == 0:
            document["_boost"] = 2.0
        for name in list(document):
            if name.startswith("text_") and i % 2 == 0:
                document[f"_{name}_boost"] = 1.5
        if i % 4 == 0:
            document["_stored_path"] = document["path"].upper()
        boosted.append(document)
    (tmp_path / "stock").mkdir()
    (tmp_path / "pooled").mkdir()
    stock = _build(tmp_path / "stock", SegmentWriter, [boosted])
    pooled = _build(tmp_path / "pooled", TermPoolSegmentWriter, [boosted])
    assert _postings(pooled) == _postings(stock)
    with stock.reader() as theirs, pooled.reader() as ours:
        assert list(ours.iter_docs()) == list(theirs.iter_docs())
        assert any(fields["path"].isupper() for _d, fields in ours.iter_docs())
