"""Packed postings blocks give back every docnum, weight and value written, on each read path."""

from array import array
from io import BytesIO

import pytest
from whoosh import formats
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.system import pack_uint

from search.storage.posting_arrays import packed_arrays
from search.storage.codec import _LeafMatcher, _PostingsWriter, is_packed, packed_blocks

POSITIONS = formats.Positions()

# Gaps of one, two and four bytes; weights all 1, small integers, and fractions
# (a field boost); a term of one block, and of several with a short last one.
CASES = {
    "one-byte gaps, weights 1": ([3, 4, 9, 200, 201], [1.0] * 5),
    "two-byte gaps": ([0, 300, 70_000, 70_001], [1.0, 2.0, 1.0, 7.0]),
    "four-byte gaps": ([5, 100_000, 5_000_000, 5_000_002, 9_000_000], [1.0, 1.0, 3.0, 1.0, 255.0]),
    "fractional weights": ([1, 2, 3, 40, 41, 900], [1.5, 0.25, 3.0, 1.0, 2.5, 300.0]),
    "many blocks": (list(range(7, 7 + 3 * 50, 3)), [float(1 + n % 4) for n in range(50)]),
}


def _written(ids, weights, blocklimit=4):
    """(postings file, matcher factory) of one term's postings written by Izde's codec."""
    out = StructFile(BytesIO())
    writer = _PostingsWriter(out, blocklimit=blocklimit, compression=3)
    writer.start_postings(POSITIONS, W3TermInfo())
    for docnum, weight in zip(ids, weights):
        positions = list(range(int(weight))) or [0]
        writer.add_posting(docnum, weight, POSITIONS.encode(positions), length=docnum % 50 + 1)
    info = writer.finish_postings()
    data = out.file.getvalue()
    offset, length = info.extent()
    return lambda: _LeafMatcher(BufferFile(memoryview(data)), offset, length, POSITIONS)


@pytest.mark.parametrize("ids, weights", CASES.values(), ids=CASES.keys())
def test_a_matcher_reads_back_every_posting(ids, weights):
    matcher = _written(ids, weights)()
    assert is_packed(matcher)
    read = []
    while matcher.is_active():
        read.append((matcher.id(), matcher.weight(), len(matcher.value_as("positions"))))
        matcher.next()
    assert read == [(doc, weight, max(int(weight), 1)) for doc, weight in zip(ids, weights)]


@pytest.mark.parametrize("ids, weights", CASES.values(), ids=CASES.keys())
def test_arrays_of_the_packed_blocks_hold_every_posting(ids, weights):
    docs, frequencies = packed_arrays(packed_blocks(_written(ids, weights)()))
    assert docs.tolist() == ids
    assert frequencies.tolist() == weights


@pytest.mark.parametrize("target", [0, 8, 10, 100, 151, 155])
def test_skipping_reads_headers_to_the_block_that_holds_the_target(target):
    ids, weights = CASES["many blocks"]
    matcher = _written(ids, weights)()
    matcher.skip_to(target)
    if target > ids[-1]:
        assert not matcher.is_active()
        return
    assert matcher.id() == min(doc for doc in ids if doc >= target)
    assert matcher.block_max_id() == max(ids[(ids.index(matcher.id()) // 4) * 4:][:4])


def test_block_statistics_are_kept_for_pruning():
    ids, weights = CASES["fractional weights"]
    matcher = _written(ids, weights)()
    assert matcher.block_max_weight() == max(weights[:4])
    assert matcher.block_min_length() <= min(doc % 50 + 1 for doc in ids[:4])
    assert matcher.block_max_length() >= max(doc % 50 + 1 for doc in ids[:4])


BATCHED_TERM_CASES = {
    **CASES,
    "one posting": ([42], [1.0]),
    "one posting, frequency 3": ([7], [3.0]),
    "one posting, fractional weight": ([7], [0.5]),
    "one posting without a length": ([0], [1.0]),
}


class _TermRows(list):
    """A term table that keeps the rows it is given."""

    def add_rows(self, rows):
        self.extend(rows)


def _general_and_batched(ids, weights, format_, blocklimit=128):
    """(postings bytes, term info bytes) of one term by the general path and by the
    batch writer (search.storage.term_batches)."""
    from search.storage.term_batches import TermBatchWriter
    if format_ is POSITIONS:
        values = [format_.encode(list(range(int(weight))) or [0]) for weight in weights]
    else:  # a frequency's fixed four bytes; an existence has none
        values = [pack_uint(int(weight)) if format_.posting_size else b"" for weight in weights]
    lengths = [None if doc == 0 else doc % 50 + 1 for doc in ids]
    general, batched = StructFile(BytesIO()), StructFile(BytesIO())
    writer = _PostingsWriter(general, blocklimit=blocklimit, compression=3)
    writer.start_postings(format_, W3TermInfo())
    writer.add_postings(array("i", ids), array("d", weights), values, lengths)
    info = writer.finish_postings().to_bytes()
    rows = _TermRows()
    field_lengths = [None] * (max(ids) + 1)
    for doc, length in zip(ids, lengths):
        field_lengths[doc] = length
    batch = TermBatchWriter(_PostingsWriter(batched, blocklimit=blocklimit, compression=3),
                            format_, field_lengths, rows, b"")
    batch.add(b"term", array("i", ids), array("d", weights), values)
    batch.flush()
    [(_key, batched_info)] = rows
    return (general.file.getvalue(), info), (batched.file.getvalue(), batched_info)


@pytest.mark.parametrize("ids, weights", BATCHED_TERM_CASES.values(),
                         ids=BATCHED_TERM_CASES.keys())
@pytest.mark.parametrize("format_", [POSITIONS, formats.Frequency(), formats.Existence()],
                         ids=["positions", "frequency", "existence"])
def test_a_term_written_in_a_batch_is_the_same_bytes_as_block_by_block(ids, weights, format_):
    general, batched = _general_and_batched(ids, weights, format_)
    assert batched == general


def test_field_length_columns_are_the_bytes_whooshs_per_document_writer_writes():
    # A field in every document, one in a few (a heading's title), one never measured,
    # lengths past a byte's exact range, and a document cancelled half-way.
    from whoosh.codec.whoosh3 import W3Codec
    from whoosh.fields import TEXT
    from whoosh.filedb.filestore import RamStorage
    from search.storage.codec import IzdeCodec
    field = TEXT()
    documents = [{"text": (n * 37) % 900 + 1, "title": 5 if n % 97 == 3 else 0,
                  "empty": 0} for n in range(1000)]

    def written(codec):
        storage = RamStorage()
        segment = codec.new_segment(storage, "t")
        writer = codec.per_document_writer(storage, segment)
        for docnum, lengths in enumerate(documents):
            writer.start_doc(docnum)
            for name, length in lengths.items():
                writer.add_field(name, field, None, length)
            if docnum == 500:
                writer.cancel_doc()
                writer.start_doc(docnum)
                writer.add_field("text", field, None, 3)
            writer.finish_doc()
        writer.close()
        # Named by the segment's random id, then the column's.
        return ({name.split(".", 1)[1]: bytes(data) for name, data in storage.files.items()
                 if "_len" in name},
                dict(segment._fieldlengths))
    ours, whooshs = written(IzdeCodec()), written(W3Codec())
    assert ours == whooshs
    assert len(ours[0]) == 2 and max(map(len, ours[0].values())) >= 1000
