"""Terms of one block written a batch at a time, their statistics computed by numpy.

:meth:`search.storage.codec._PostingsWriter.whole_term_writer` writes a term of
at most one block in one call, but each call still works out the term's
statistics in Python: the widest docnum gap, whether its weights are all 1 or
small integers, their sum and maximum, the shortest and longest field, then
packs the gaps and weights and writes. A 10k paragraph build writes 124k terms,
most of a few postings, so these fixed costs were most of writing a segment.
:class:`TermBatchWriter` gathers a few thousand terms, computes every statistic
and packs every array for all of them at once, and leaves Python only the parts
that are a term's own: pickling its values, compressing, the header and the
term info. The bytes are those ``whole_term_writer`` writes (compared in
tests/test_word_columns.py).
"""

from itertools import chain

import numpy as np
from whoosh.util.numeric import _length_byte_cache, length_to_byte

from search.storage.codec import (_PACKED_HEAD, _TERM_INFO, _WRITES_PACKED_BLOCKS,
                                  PACKED_MAGIC, WEIGHTS_BYTES, WEIGHTS_FLOATS, WEIGHTS_ONES,
                                  packed_parts, write_and_tell)

TERMS_PER_BATCH = 4096
_DELTA_DTYPES = (np.dtype("<u1"), np.dtype("<u2"), np.dtype("<u4"))
_LENGTH_BYTES = np.array(_length_byte_cache, np.int64)
_LONGEST_LENGTH = 106374  # length_to_byte's 255 from here on
_NO_LENGTH = np.iinfo(np.int64).max


def batch_writer(postwriter, format_, field_lengths: list, term_table, field_key: bytes):
    """A :class:`TermBatchWriter` for Izde's postings writer, or None where its
    ``whole_term_writer`` would write nothing (term vectors, older block layouts)."""
    if (getattr(postwriter, "whole_term_writer", None) is None or postwriter._byteids
            or type(postwriter)._write_block is not _WRITES_PACKED_BLOCKS):
        return None
    return TermBatchWriter(postwriter, format_, field_lengths, term_table, field_key)


class TermBatchWriter:
    """Writes terms of ``least`` to ``most`` postings (:meth:`fits`) in batches: ``add``,
    then ``flush`` before anything else writes to the postings file or term table."""

    def __init__(self, postwriter, format_, field_lengths: list, term_table, field_key: bytes):
        self.least, self.most = max(1, postwriter._inlinelimit), postwriter._blocklimit
        self._write_bytes, self._tell = write_and_tell(postwriter._postfile)
        self._compression = postwriter._compression
        self._fixedsize = format_.fixed_value_size()
        # Every document's length in the field (None: none), as an array to index.
        self._lengths = np.array([length or 0 for length in field_lengths], np.int64)
        self._table, self._key = term_table, field_key
        self._terms, self._docs, self._weights, self._values = [], [], [], []

    def fits(self, count: int) -> bool:
        return self.least <= count <= self.most

    def add(self, term: bytes, docs, weights, values) -> None:
        self._terms.append(term)
        self._docs.append(docs)
        self._weights.append(weights)
        self._values.append(values)
        if len(self._terms) >= TERMS_PER_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self._terms:
            return
        terms, all_values, all_weights = self._terms, self._values, self._weights
        counts = np.fromiter(map(len, self._docs), np.int64, len(terms))
        total = int(counts.sum())
        docs = np.fromiter(chain.from_iterable(self._docs), np.int64, total)
        weights = np.fromiter(chain.from_iterable(all_weights), np.float64, total)
        values = list(chain.from_iterable(all_values))
        self._terms, self._docs, self._weights, self._values = [], [], [], []
        self._write(terms, counts, docs, weights, values)

    def add_batch(self, terms: list[bytes], counts: np.ndarray, docs: np.ndarray,
                  weights: np.ndarray, values: list) -> None:
        """Write terms that all :meth:`fits`, their postings one after another (docnums
        int64 and weights float64 arrays, values a list), as ``add`` one by one would."""
        self.flush()
        if terms:
            self._write(terms, counts.astype(np.int64, copy=False), docs, weights, values)

    def _write(self, terms, counts, docs, weights, all_values) -> None:
        ends = np.cumsum(counts)
        starts = ends - counts
        stats = _statistics(docs, weights, counts, starts, self._lengths[docs])
        (kinds, widths, sums, maxweights, min_bytes, max_bytes, delta_bytes,
         weight_bytes) = stats
        firsts, lasts = docs[starts].tolist(), docs[ends - 1].tolist()

        compression, fixedsize = self._compression, self._fixedsize
        head_pack, info_pack = _PACKED_HEAD.pack, _TERM_INFO.pack
        head_size = _PACKED_HEAD.size - 4
        key = self._key
        offset = self._tell()
        blocks, rows = [], []
        add_block, add_row = blocks.append, rows.append
        for i, (term, count, start, kind, width) in enumerate(zip(
                terms, counts.tolist(), starts.tolist(), kinds, widths)):
            deltas = delta_bytes[width]
            size = deltas.itemsize
            scoring = deltas.data[(start + 1) * size:(start + count) * size]
            if kind == WEIGHTS_BYTES:
                scoring += weight_bytes[WEIGHTS_BYTES][start:start + count]
            elif kind == WEIGHTS_FLOATS:
                scoring += weight_bytes[WEIGHTS_FLOATS][start * 4:(start + count) * 4]
            weight = sums[i]
            if weight is None:  # float weights: summed as the single-term writer sums them
                weight = sum(weights[start:start + count].astype(np.float32).tolist())
            flags = (width if count > 1 else 0) | kind
            scoring, packed_values, flags = packed_parts(
                scoring, tuple(filter(None, all_values[start:start + count])), fixedsize,
                compression, flags)
            maxweight = maxweights[i]
            block = b"".join((PACKED_MAGIC, head_pack(
                -(head_size + len(scoring) + len(packed_values)), count, firsts[i], lasts[i],
                maxweight, min_bytes[i], max_bytes[i], flags, len(scoring)),
                scoring, packed_values))
            add_block(block)
            add_row((key + term, info_pack(0, weight, count, min_bytes[i], max_bytes[i],
                                           maxweight, firsts[i], lasts[i], offset, len(block))))
            offset += len(block)
        self._write_bytes(b"".join(blocks))
        self._table.add_rows(rows)


def _statistics(docs, weights, counts, starts, lengths):
    """Per term: weights kind, delta width, sum of weights (None: left to Python),
    maximum weight, length bytes; and the packed deltas and weights of all terms."""
    as_float32 = weights.astype(np.float32)  # what array("f", weights) holds
    not_one = np.add.reduceat((as_float32 != 1.0).astype(np.int64), starts)
    small_integer = ((as_float32 >= 0) & (as_float32 < 256)
                     & (as_float32 == np.floor(as_float32)))
    not_small = np.add.reduceat((~small_integer).astype(np.int64), starts)
    kinds = np.where(not_one == 0, WEIGHTS_ONES,
                     np.where(not_small == 0, WEIGHTS_BYTES, WEIGHTS_FLOATS))
    # Integer weights sum exactly in any order; float ones are summed in Python.
    sums = np.add.reduceat(as_float32.astype(np.float64), starts).tolist()
    lone = (counts == 1).tolist()
    firsts32 = as_float32[starts].astype(np.float64).tolist()
    kinds_list = kinds.tolist()
    for i, kind in enumerate(kinds_list):
        if lone[i]:
            sums[i] = firsts32[i]
        elif kind == WEIGHTS_FLOATS:
            sums[i] = None
    maxweights = np.maximum.reduceat(weights, starts)
    maxweights = [weight if weight > 0 else 0 for weight in maxweights.tolist()]

    gaps = np.zeros(len(docs), np.int64)
    gaps[1:] = docs[1:] - docs[:-1]
    gaps[starts] = 0  # a term's first posting has no gap
    widest = np.maximum.reduceat(gaps, starts)
    widths = np.where(widest < 1 << 8, 0, np.where(widest < 1 << 16, 1, 2))
    delta_bytes = {}
    for width in set(widths.tolist()):  # wider gaps wrap here, sliced only for narrower terms
        delta_bytes[width] = _WidthBuffer(gaps.astype(_DELTA_DTYPES[width]))
    weight_bytes = {}
    if (kinds == WEIGHTS_BYTES).any():
        with np.errstate(invalid="ignore", over="ignore"):
            weight_bytes[WEIGHTS_BYTES] = np.clip(as_float32, 0, 255).astype(np.uint8).tobytes()
    if (kinds == WEIGHTS_FLOATS).any():
        weight_bytes[WEIGHTS_FLOATS] = as_float32.astype("<f4").tobytes()

    has_length = lengths > 0
    shortest = np.minimum.reduceat(np.where(has_length, lengths, _NO_LENGTH), starts)
    longest = np.maximum.reduceat(lengths, starts)
    measured = shortest != _NO_LENGTH
    min_bytes = np.where(measured, _length_bytes(shortest), 0).tolist()
    max_bytes = np.where(measured, _length_bytes(longest), length_to_byte(0)).tolist()
    return (kinds_list, widths.tolist(), sums, maxweights, min_bytes, max_bytes, delta_bytes,
            weight_bytes)


class _WidthBuffer:
    """The gaps of every posting at one width: ``data`` to slice, ``itemsize`` bytes each."""

    __slots__ = ("data", "itemsize")

    def __init__(self, gaps: np.ndarray):
        self.data, self.itemsize = gaps.tobytes(), gaps.itemsize


def _length_bytes(lengths: np.ndarray) -> np.ndarray:
    # length_to_byte for every length: a bisect into Whoosh's table, 255 past its end.
    found = np.searchsorted(_LENGTH_BYTES, np.minimum(lengths, _LONGEST_LENGTH), side="left")
    return np.where(lengths >= _LONGEST_LENGTH, 255, found)
