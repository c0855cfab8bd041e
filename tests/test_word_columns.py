"""Words pooled as term-number columns give the postings the per-document path gives."""

import io
from array import array

import pytest
from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Positions

from analyzers import analyzer_for
from analyzers.word_terms import FIRST_KEPT, index_plan
from search.storage.posting_pool import TermPostingPool
from search.storage.schema import build_schema
from search.storage.shared_analysis import PositionValues
from search.storage.term_table import TermTable

PARAGRAPHS = [
    "Ормандарды күзету еді, ал іс-шаралар жоспары бекітілді.",
    "Лесные пожары в области: вице-министр экологии и кто-то ещё.",
    "The forests of the steppe and the rivers of the steppe.",
    "еді еді ал",  # stop words only, in Kazakh
    "",
    "Ормандарды ормандарды орман. Лес лес, лесные пожары; the the steppe.",
]


class _Store:
    """A temporary store for the pool's spilled runs, in memory."""

    def __init__(self):
        self.files = {}

    def create_file(self, name):
        store = self

        class _File(io.BytesIO):
            def close(self):
                store.files[name] = self.getvalue()
                super().close()
        return _File()

    def open_file(self, name):
        data = self.files[name]

        class _Opened:
            def raw_file(self):
                return io.BytesIO(data)
        return _Opened()

    def delete_file(self, name):
        del self.files[name]


def _fields():
    schema = build_schema()
    for name in ("text_kk", "folded_kk", "exact", "text_ru", "stem_ru", "text_en"):
        yield name, index_plan(schema[name].analyzer), PositionValues(schema[name].format)


def _by_positions(documents):
    pool = TermPostingPool(_Store(), limitmb=64)
    lengths = []
    for docnum, (text, fieldboost) in enumerate(documents):
        for name, plan, values in _fields():
            positions = plan.positions(plan.tokenizer.words(text))
            pool.add_document_positions(name, docnum, positions, values, 1.0, fieldboost)
            lengths.append(sum(map(len, positions.values())))
    return [(f, t, list(p)) for f, t, p in pool.terms()], lengths


def _by_columns(documents, spill_every=None, forms=False):
    pool = TermPostingPool(_Store(), limitmb=64)
    if spill_every:
        pool.max_bytes = spill_every
    lengths = []
    for docnum, (text, fieldboost) in enumerate(documents):
        for name, plan, values in _fields():
            words = plan.tokenizer.words(text)
            if forms and plan.term_of is not None:
                length = pool.add_document_forms(name, docnum, words, plan.term_of, values,
                                                 1.0, fieldboost,
                                                 first_kept=plan.numbering == FIRST_KEPT)
            elif forms:
                length = pool.add_document_form_terms(name, docnum, words, plan.terms_of,
                                                      values, 1.0, fieldboost)
            elif plan.term_of is not None:
                length = pool.add_document_words(name, docnum, list(map(plan.term_of, words)),
                                                 values, 1.0, fieldboost,
                                                 first_kept=plan.numbering == FIRST_KEPT)
            else:
                length = pool.add_document_word_terms(name, docnum,
                                                      list(map(plan.terms_of, words)),
                                                      values, 1.0, fieldboost)
            lengths.append(length)
    terms = [(f, t, list(p)) for f, t, p in pool.terms()]
    runs = len(pool.runs)
    pool.cleanup()
    return terms, lengths, runs


@pytest.mark.parametrize("forms", [False, True])
@pytest.mark.parametrize("spill_every", [None, 2000])
def test_columns_give_the_postings_and_lengths_of_the_positions_path(spill_every, forms):
    # Kazakh and exact fields close up over stop words, English keeps the first kept
    # word's place, Russian gives a word several lemmas at one position; a document
    # with a field boost weighs its postings by it; spilled runs join in docnum order.
    documents = [(text, 2.0 if i == 1 else 1.0) for i, text in enumerate(PARAGRAPHS * 3)]
    expected_terms, expected_lengths = _by_positions(documents)
    terms, lengths, runs = _by_columns(documents, spill_every, forms)
    assert (runs > 1) == bool(spill_every)
    assert lengths == expected_lengths
    assert terms == expected_terms


def test_a_repeated_word_keeps_every_position_and_weighs_its_frequency():
    pool = TermPostingPool(_Store(), limitmb=1)
    values = PositionValues(Positions())
    plan = index_plan(analyzer_for("kk"))
    words = plan.tokenizer.words("Ормандарды еді ормандарды күзету орман")
    length = pool.add_document_words("text_kk", 7, list(map(plan.term_of, words)), values)
    assert length == 4  # еді is a stop word: positions close up over it
    terms = {t.decode(): list(p) for _f, t, p in pool.terms()}
    assert terms["орман"] == [(7, 3.0, Positions().encode([0, 1, 3]))]
    assert terms["күзет"] == [(7, 1.0, Positions().encode([2]))]


def _table_bytes(add_rows):
    raw = io.BytesIO()
    writer = OrderedHashWriter(StructFile(raw))
    add_rows(writer)
    data = {}
    close = raw.close
    raw.close = lambda: data.setdefault("bytes", raw.getvalue())
    writer.close()
    raw.close = close
    return data["bytes"]


def test_term_table_rows_written_in_batches_make_whooshs_file():
    rows = [(b"\x00\x01" + f"term{i:05d}".encode(), f"info{i}".encode() * (i % 4 + 1))
            for i in range(10_000)]

    def one_by_one(writer):
        for key, value in rows:
            writer.add(key, value)

    def batched(writer):
        table = TermTable(writer)
        for key, value in rows:
            table.add(key, value)
        table.flush()
    ours = _table_bytes(batched)
    assert ours == _table_bytes(one_by_one)
    reader = OrderedHashReader(StructFile(io.BytesIO(ours)), len(ours))
    assert reader[rows[1234][0]] == rows[1234][1]


def test_term_table_refuses_keys_out_of_order():
    writer = OrderedHashWriter(StructFile(io.BytesIO()))
    table = TermTable(writer)
    table.add(b"b", b"1")
    table.add(b"a", b"2")
    with pytest.raises(ValueError):
        table.flush()


class _Rows:
    def __init__(self):
        self.rows = []
        self.batches = 0

    def add(self, key, value):
        self.rows.append((key, value))

    def add_rows(self, rows):
        self.rows += rows
        self.batches += 1


def _synthetic_terms(counts=(1, 1, 2, 3, 5, 40), gaps=(1, 300, 70_000), spread=200):
    """Terms of one to 40 postings (or ``counts``) with gaps of every width, weights of
    every kind (all 1, small integers, fractions, too large for a byte), missing and
    huge lengths."""
    import random
    rng = random.Random(7)
    terms = []
    for number in range(600):
        count = rng.choice(counts)
        gap = rng.choice(gaps)
        docs = sorted(rng.sample(range(0, spread * gap), count))
        kind = number % 4
        weights = [1.0 if kind == 0 else float(rng.randint(1, 5)) if kind == 1
                   else rng.choice([0.1, 1.3, 2.0]) if kind == 2 else 300.0
                   for _ in docs]
        values = [Positions().encode(list(range(rng.randint(1, 4)))) for _ in docs]
        terms.append((f"t{number:04d}".encode(), docs, weights, values))
    return terms


def _general_path_rows(postwriter, terms, lengths) -> list[tuple[bytes, bytes]]:
    """Write ``terms`` term by term (start_postings, add_postings, finish_postings), as
    a field's writer does without batches; their term table rows."""
    from whoosh.codec.whoosh3 import W3TermInfo
    rows = []
    for term, docs, weights, values in terms:
        postwriter.start_postings(Positions(), W3TermInfo())
        postwriter.add_postings(array("I", docs), array("d", weights), values,
                                [lengths[d] for d in docs])
        rows.append((term, postwriter.finish_postings().to_bytes()))
    return rows


def test_term_batches_write_the_bytes_of_the_general_path():
    from whoosh.codec.whoosh3 import W3Codec
    from search.storage.codec import IzdeCodec
    from search.storage.term_batches import TermBatchWriter
    terms = _synthetic_terms()
    doc_count = max(max(docs) for _t, docs, _w, _v in terms) + 1
    lengths = [None if doc % 7 == 0 else doc % 300 + (200_000 if doc % 11 == 0 else 0)
               for doc in range(doc_count)]
    codec = IzdeCodec()
    assert isinstance(codec, W3Codec)

    def writer():
        raw = io.BytesIO()
        postwriter = codec.postings_writer(StructFile(raw))
        return raw, postwriter

    raw_one, one = writer()
    rows_one = _general_path_rows(one, terms, lengths)
    raw_batch, postwriter = writer()
    rows = _Rows()
    batch = TermBatchWriter(postwriter, Positions(), lengths, rows, b"")
    for term, docs, weights, values in terms:
        assert batch.fits(len(docs))
        batch.add(term, docs, weights, values)
    batch.flush()
    assert rows.rows == rows_one
    assert raw_batch.getvalue() == raw_one.getvalue()


@pytest.mark.parametrize("postings_per_batch", [1 << 18, 1000])
def test_terms_of_several_blocks_in_batches_are_the_bytes_of_the_general_path(
        postings_per_batch, monkeypatch):
    # A common word's postings fill several blocks of 128, the last one short. (Every
    # posting has a length: Whoosh's term info fails on a block without any after one
    # with some, which a field's postings never give it.) Batches cut by their
    # postings, not only their terms, write the same bytes.
    from search.storage import term_batches
    from search.storage.codec import IzdeCodec
    from search.storage.term_batches import TermBatchWriter
    monkeypatch.setattr(term_batches, "POSTINGS_PER_BATCH", postings_per_batch)
    terms = _synthetic_terms(counts=(1, 3, 128, 129, 300, 700), gaps=(1, 300), spread=1000)
    doc_count = max(max(docs) for _t, docs, _w, _v in terms) + 1
    lengths = [doc % 300 + 1 + (200_000 if doc % 11 == 0 else 0) for doc in range(doc_count)]

    def writer():
        raw = io.BytesIO()
        return raw, IzdeCodec().postings_writer(StructFile(raw))

    raw_general, general = writer()
    rows_general = _general_path_rows(general, terms, lengths)
    raw_batch, postwriter = writer()
    rows = _Rows()
    batch = TermBatchWriter(postwriter, Positions(), lengths, rows, b"")
    for term, docs, weights, values in terms:
        batch.add(term, docs, weights, values)
    batch.flush()
    assert max(len(docs) for _t, docs, _w, _v in terms) > 5 * 128
    assert rows.batches == 1 if postings_per_batch > 10_000 else rows.batches > 50
    assert rows.rows == rows_general
    assert raw_batch.getvalue() == raw_general.getvalue()


def test_a_batch_of_terms_given_as_arrays_writes_the_bytes_of_terms_added_one_by_one():
    import numpy as np
    from search.storage.codec import IzdeCodec
    from search.storage.term_batches import TermBatchWriter
    terms = _synthetic_terms()
    doc_count = max(max(docs) for _t, docs, _w, _v in terms) + 1
    lengths = [None if doc % 7 == 0 else doc % 300 for doc in range(doc_count)]

    def written(add_terms):
        raw = io.BytesIO()
        rows = _Rows()
        batch = TermBatchWriter(IzdeCodec().postings_writer(StructFile(raw)), Positions(),
                                lengths, rows, b"")
        add_terms(batch)
        batch.flush()
        return rows.rows, raw.getvalue()

    def one_by_one(batch):
        for term, docs, weights, values in terms:
            batch.add(term, docs, weights, values)

    def as_arrays(batch):
        batch.add(*terms[0])  # pending terms are written first
        for part in (terms[1:250], terms[250:]):
            batch.add_batch([t for t, *_ in part], np.array([len(d) for _t, d, *_ in part]),
                            np.array([doc for _t, d, *_ in part for doc in d], np.int64),
                            np.array([w for *_, ws, _v in part for w in ws], np.float64),
                            [v for *_, vs in part for v in vs])
    assert written(as_arrays) == written(one_by_one)


def test_a_segment_written_from_columns_a_batch_at_a_time_has_the_bytes_of_one_written_term_by_term():
    # A word in 300 paragraphs has postings of several blocks (the general path) between
    # terms of one block (the batches); a spilled pool is written term by term.
    from whoosh.filedb.filestore import RamStorage
    from search.storage.codec import IzdeCodec
    from search.storage.posting_pool import write_fields, write_postings
    schema = build_schema()
    documents = [f"орман {i} ормандарды лес {i % 7} the steppe {i * 13}" for i in range(300)]

    def pool():
        pool = TermPostingPool(_Store(), limitmb=64)
        for docnum, text in enumerate(documents):
            for name, plan, values in _fields():
                words = plan.tokenizer.words(text)
                if plan.term_of is not None:
                    pool.add_document_forms(name, docnum, words, plan.term_of, values,
                                            first_kept=plan.numbering == FIRST_KEPT)
                else:
                    pool.add_document_form_terms(name, docnum, words, plan.terms_of, values)
        return pool

    def written(write):
        codec, storage = IzdeCodec(), RamStorage()
        fieldwriter = codec.field_writer(storage, codec.new_segment(storage, "t"))
        write(fieldwriter)
        fieldwriter.close()
        return sorted((name.rsplit(".", 1)[-1], bytes(data)) for name, data in storage.files.items())

    by_terms = written(lambda fw: write_postings(fw, schema, None, len(documents), pool().terms()))
    by_batches = written(lambda fw: write_fields(fw, schema, None, len(documents),
                                                 pool().field_terms()))
    assert by_batches == by_terms
    assert max(len(data) for _ext, data in by_terms) > 1000
