"""Terms written a batch at a time, their statistics computed by numpy.

Izde's postings writer (:class:`search.storage.codec._PostingsWriter`) writes a
term through ``start_postings``, ``add_postings`` and ``finish_postings``, and
works out each block's statistics in Python: the widest docnum gap, whether its
weights are all 1 or small integers, their sum and maximum, the shortest and
longest field, then packs the gaps and weights and writes. A 10k paragraph build
writes 124k terms, most of a few postings, so these fixed costs were most of
writing a segment. :class:`TermBatchWriter` gathers a few thousand terms, cuts
them into blocks as that writer does (a common word's into several), computes
every statistic and packs every array, block head and term info for all of them
at once (numpy records), and leaves Python only the parts that are a block's own:
cutting its scoring bytes, pickling its values, compressing. The bytes are those
the postings writer writes term by term (compared in tests/test_word_columns.py
and tests/test_codec.py).
"""

import pickle
from itertools import chain, repeat
from typing import NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE
from whoosh.util.numeric import _length_byte_cache, length_to_byte

from search.storage.codec import (_PACKED_HEAD, _PACKED_SCORING_COMPRESSED,
                                  _PACKED_VALUES_COMPRESSED, _TERM_INFO,
                                  _WRITES_PACKED_BLOCKS, BLOCK_PROTOCOL, PACKED_MAGIC,
                                  WEIGHTS_BYTES, WEIGHTS_FLOATS, WEIGHTS_ONES, _PostingsWriter,
                                  write_and_tell)
from search.storage.deflate import compress as deflate

TERMS_PER_BATCH = 4096
# Postings waiting that make the batch be written, whatever its terms: common words
# hold most postings, and a batch's arrays cost ~150 bytes a posting while written.
POSTINGS_PER_BATCH = 1 << 18
_DELTA_DTYPES = (np.dtype("<u1"), np.dtype("<u2"), np.dtype("<u4"))
_LENGTH_BYTES = np.array(_length_byte_cache, np.int64)
_LONGEST_LENGTH = 106374  # length_to_byte's 255 from here on
_NO_LENGTH = np.iinfo(np.int64).max


def writes_batches(postwriter) -> bool:
    """Whether :class:`TermBatchWriter` can write for ``postwriter``: Izde's postings
    writer of packed blocks, not a term vector's (its "docnums" are terms) nor a
    writer of an older block layout (tests of those)."""
    return (isinstance(postwriter, _PostingsWriter) and not postwriter._byteids
            and type(postwriter)._write_block is _WRITES_PACKED_BLOCKS)


class TermBatchWriter:
    """Writes terms of at least ``least`` postings (:meth:`fits`) in batches: ``add``
    or ``add_batch`` them in term order, then ``flush`` before the field ends.

    A term the batches do not take (too few postings: inlined in its term info) is
    written by the general path between them, and its row given to
    :meth:`add_written`: rows reach the term table in term order, while the blocks
    of a batch go to the postings file when it is written, wherever the file then
    ends (a term info holds its postings' offset). Writing the batch before each
    such term would cut batches short, and numpy's fixed costs per batch grow with
    their number (with common words so written, a 10k build's batches were ~110
    terms, those costs half of writing them).
    """

    def __init__(self, postwriter, format_, field_lengths: list, term_table, field_key: bytes):
        self.least = max(1, postwriter._inlinelimit)
        self._block_postings = postwriter._blocklimit
        self._write_bytes, self._tell = write_and_tell(postwriter._postfile)
        self._compression = postwriter._compression
        self._fixedsize = format_.fixed_value_size()
        # Every document's length in the field (None: none), as an array to index.
        self._lengths = np.array([length or 0 for length in field_lengths], np.int64)
        self._table, self._key = term_table, field_key
        # Terms added one by one, not yet gathered into _batches.
        self._terms, self._docs, self._weights, self._values = [], [], [], []
        self._batches = []  # (terms, counts, docs, weights, values) waiting, in term order
        self._waiting = self._waiting_postings = 0  # terms and postings in both
        # Rows of terms written elsewhere: (terms waiting before it, key, term info).
        self._written_rows = []

    def fits(self, count: int) -> bool:
        """Whether a term of ``count`` postings is written here (fewer than ``least``
        are inlined in their term info, by the general path)."""
        return self.least <= count

    def add(self, term: bytes, docs, weights, values) -> None:
        self._terms.append(term)
        self._docs.append(docs)
        self._weights.append(weights)
        self._values.append(values)
        self._added(1, len(docs))

    def add_batch(self, terms: list[bytes], counts: np.ndarray, docs: np.ndarray,
                  weights: np.ndarray, values: list) -> None:
        """Add terms that all :meth:`fits`, their postings one after another (docnums
        int64 and weights float64 arrays, values a list), as ``add`` one by one would."""
        if terms:
            self._gather_added()
            self._batches.append((terms, counts.astype(np.int64, copy=False), docs, weights,
                                  values))
            self._added(len(terms), len(docs))

    def add_written(self, key: bytes, info: bytes) -> None:
        """The term table row of a term written without this writer, which comes after
        the terms added so far."""
        if self._waiting:
            self._written_rows.append((self._waiting, key, info))
        else:
            self._table.add(key, info)

    def flush(self) -> None:
        """Write the terms waiting, and give the term table their rows and the rows
        :meth:`add_written` took, in term order."""
        self._gather_added()
        if not self._batches:
            return
        batches, written = self._batches, self._written_rows
        self._batches, self._written_rows = [], []
        self._waiting = self._waiting_postings = 0
        if len(batches) == 1:
            terms, counts, docs, weights, values = batches[0]
        else:
            terms, counts, docs, weights, values = zip(*batches)
            terms, values = list(chain.from_iterable(terms)), list(chain.from_iterable(values))
            counts, docs, weights = map(np.concatenate, (counts, docs, weights))
        rows = self._write(terms, counts, docs, weights, values)
        for place, key, info in reversed(written):  # the last first: places stay right
            rows.insert(place, (key, info))
        self._table.add_rows(rows)

    def _added(self, terms: int, postings: int) -> None:
        self._waiting += terms
        self._waiting_postings += postings
        if self._waiting >= TERMS_PER_BATCH or self._waiting_postings >= POSTINGS_PER_BATCH:
            self.flush()

    def _gather_added(self) -> None:
        # The terms added one by one, as one batch of arrays.
        if not self._terms:
            return
        counts = np.fromiter(map(len, self._docs), np.int64, len(self._terms))
        total = int(counts.sum())
        self._batches.append((
            self._terms, counts, np.fromiter(chain.from_iterable(self._docs), np.int64, total),
            np.fromiter(chain.from_iterable(self._weights), np.float64, total),
            list(chain.from_iterable(self._values))))
        self._terms, self._docs, self._weights, self._values = [], [], [], []

    def _write(self, terms, counts, docs, weights, all_values) -> list[tuple[bytes, bytes]]:
        """Write the terms' blocks; their term table rows."""
        # Python runs once per block only for what is a block's own (its scoring bytes
        # sliced, its values pickled, a part compressed); heads and term infos are
        # numpy records, so a block costs no struct call, no branch and no join.
        blocks = _Blocks(counts, self._block_postings)
        stats = _statistics(docs, weights, blocks.counts, blocks.starts, self._lengths[docs])
        scoring = _scoring_parts(stats, blocks.counts, blocks.starts)
        values = _values_parts(all_values, blocks.starts.tolist(), blocks.ends.tolist(),
                               self._fixedsize)
        flags = np.where(blocks.counts > 1, stats.widths, 0) | stats.kinds
        if self._compression:
            flags |= _compress_large(scoring, self._compression, _PACKED_SCORING_COMPRESSED)
            flags |= _compress_large(values, self._compression, _PACKED_VALUES_COMPRESSED)
        scoring_lengths = np.fromiter(map(len, scoring), np.int64, len(scoring))
        block_lengths = (_BLOCK_HEAD.itemsize + scoring_lengths
                         + np.fromiter(map(len, values), np.int64, len(values)))

        heads = np.empty(len(scoring), _BLOCK_HEAD)
        # The length after this field; negative on a term's last block.
        heads["length"] = np.where(blocks.last, -1, 1) * (block_lengths - 4)
        heads["postings"] = blocks.counts
        heads["first"], heads["last"] = docs[blocks.starts], docs[blocks.ends - 1]
        heads["maxweight"], heads["flags"] = stats.maxweights, flags
        heads["min_length"], heads["max_length"] = stats.min_bytes, stats.max_bytes
        heads["scoring_length"] = scoring_lengths
        # A term's blocks follow one PACKED_MAGIC.
        magics = list(map(_MAGIC_BEFORE.__getitem__, blocks.first.tolist()))
        offset = self._tell()
        self._write_bytes(b"".join(chain.from_iterable(zip(magics, _records(heads), scoring,
                                                           values))))

        term_lengths = len(PACKED_MAGIC) + blocks.of_terms(np.add, block_lengths)
        infos = np.zeros(len(terms), _TERM_INFO_RECORD)  # flags 0: not inlined
        infos["weight"] = _term_weights(blocks, stats)
        infos["postings"] = counts
        infos["min_length"], infos["max_length"] = _term_length_bytes(blocks, stats)
        infos["maxweight"] = blocks.of_terms(np.maximum, stats.maxweights)
        infos["first"], infos["last"] = docs[blocks.term_starts], docs[blocks.term_ends - 1]
        infos["offset"] = offset + np.cumsum(term_lengths) - term_lengths
        infos["length"] = term_lengths
        return list(zip(map(self._key.__add__, terms), _records(infos)))


class _Blocks:
    """A batch's terms cut into blocks of at most ``size`` postings, as Whoosh's
    postings writer cuts them: per block its first posting, postings, term, and
    whether it is its term's first and last; per term its first block."""

    def __init__(self, counts: np.ndarray, size: int):
        self.term_ends = np.cumsum(counts)
        self.term_starts = self.term_ends - counts
        self.per_term = (counts + size - 1) // size
        self.term = np.repeat(np.arange(len(counts)), self.per_term)
        self.term_first_block = np.cumsum(self.per_term) - self.per_term
        place = np.arange(len(self.term)) - self.term_first_block[self.term]
        self.starts = self.term_starts[self.term] + place * size
        self.ends = np.minimum(self.starts + size, self.term_ends[self.term])
        self.counts = self.ends - self.starts
        self.first = place == 0
        self.last = self.ends == self.term_ends[self.term]
        self.single = len(self.term) == len(counts)  # every term of one block

    def of_terms(self, ufunc, per_block: np.ndarray) -> np.ndarray:
        """``per_block`` reduced over each term's blocks by ``ufunc`` (np.add ...)."""
        return per_block if self.single else ufunc.reduceat(per_block, self.term_first_block)


def _term_weights(blocks: _Blocks, stats: "_Statistics") -> np.ndarray:
    """Each term's weight as W3TermInfo.add_block sums it: its blocks' sums added in
    order (exact in any order for integer weights, so only float ones in Python)."""
    weights = blocks.of_terms(np.add, stats.sums)
    if blocks.single:
        return weights
    floats = np.zeros(len(weights), bool)
    floats[blocks.term[stats.kinds == WEIGHTS_FLOATS]] = True
    sums, firsts, counts = (stats.sums.tolist(), blocks.term_first_block.tolist(),
                            blocks.per_term.tolist())
    for term in np.flatnonzero(floats).tolist():
        total = 0
        for block_sum in sums[firsts[term]:firsts[term] + counts[term]]:
            total += block_sum
        weights[term] = total
    return weights


def _term_length_bytes(blocks: _Blocks, stats: "_Statistics"):
    """Each term's shortest and longest length bytes over its blocks (0 and 0 when no
    posting has a length): W3TermInfo keeps the blocks' lengths, and length_to_byte
    keeps their order."""
    if blocks.single:
        return stats.min_bytes, stats.max_bytes
    shortest = blocks.of_terms(np.minimum, np.where(stats.measured, stats.min_bytes, 256))
    return np.where(shortest == 256, 0, shortest), blocks.of_terms(np.maximum, stats.max_bytes)


_MAGIC_BEFORE = {True: PACKED_MAGIC, False: b""}  # a term's first block, the others
# _PACKED_HEAD's fields as one record.
_BLOCK_HEAD = np.dtype([
    ("length", "<i4"), ("postings", "<u2"), ("first", "<u4"), ("last", "<u4"),
    ("maxweight", "<f8"), ("min_length", "u1"), ("max_length", "u1"), ("flags", "u1"),
    ("scoring_length", "<u4")])
assert _BLOCK_HEAD.itemsize == _PACKED_HEAD.size
# _TERM_INFO's fields (W3TermInfo.to_bytes with the postings' offset and length).
_TERM_INFO_RECORD = np.dtype([
    ("flags", "u1"), ("weight", ">f4"), ("postings", ">u4"), ("min_length", "u1"),
    ("max_length", "u1"), ("maxweight", ">f4"), ("first", ">u4"), ("last", ">u4"),
    ("offset", ">i8"), ("length", ">i4")])
assert _TERM_INFO_RECORD.itemsize == _TERM_INFO.size


def _records(records: np.ndarray) -> list[bytes]:
    """Each record's bytes."""
    return records.view(np.dtype((np.void, records.dtype.itemsize))).tolist()


class _Statistics(NamedTuple):
    """Per block of a batch (arrays): weights kind, delta width, sum of weights, maximum
    weight, whether any posting has a length, length bytes; and the packed deltas (per
    width) and weights (per kind) of all the batch's postings."""
    kinds: np.ndarray
    widths: np.ndarray
    sums: np.ndarray
    maxweights: np.ndarray
    measured: np.ndarray
    min_bytes: np.ndarray
    max_bytes: np.ndarray
    delta_bytes: dict
    weight_bytes: dict


def _statistics(docs, weights, counts, starts, lengths) -> _Statistics:
    as_float32 = weights.astype(np.float32)  # what array("f", weights) holds
    not_one = np.add.reduceat((as_float32 != 1.0).astype(np.int64), starts)
    small_integer = ((as_float32 >= 0) & (as_float32 < 256)
                     & (as_float32 == np.floor(as_float32)))
    not_small = np.add.reduceat((~small_integer).astype(np.int64), starts)
    kinds = np.where(not_one == 0, WEIGHTS_ONES,
                     np.where(not_small == 0, WEIGHTS_BYTES, WEIGHTS_FLOATS))
    # Integer weights sum exactly in any order (a lone one is its float32); float
    # ones are summed in Python, in the order W3TermInfo sums a block's.
    sums = np.add.reduceat(as_float32.astype(np.float64), starts)
    for i in np.flatnonzero((kinds == WEIGHTS_FLOATS) & (counts > 1)).tolist():
        sums[i] = sum(as_float32[starts[i]:starts[i] + counts[i]].tolist())
    maxweights = np.maximum.reduceat(weights, starts)
    maxweights = np.where(maxweights > 0, maxweights, 0.0)

    gaps = np.zeros(len(docs), np.int64)
    gaps[1:] = docs[1:] - docs[:-1]
    gaps[starts] = 0  # a term's first posting has no gap
    widest = np.maximum.reduceat(gaps, starts)
    widths = np.where(widest < 1 << 8, 0, np.where(widest < 1 << 16, 1, 2))
    delta_bytes = {}
    for width in set(widths.tolist()):  # wider gaps wrap here, sliced only for narrower terms
        delta_bytes[width] = gaps.astype(_DELTA_DTYPES[width]).view(np.uint8)
    weight_bytes = {}
    if (kinds == WEIGHTS_BYTES).any():
        with np.errstate(invalid="ignore", over="ignore"):
            weight_bytes[WEIGHTS_BYTES] = np.clip(as_float32, 0, 255).astype(np.uint8)
    if (kinds == WEIGHTS_FLOATS).any():
        weight_bytes[WEIGHTS_FLOATS] = as_float32.astype("<f4").view(np.uint8)

    has_length = lengths > 0
    shortest = np.minimum.reduceat(np.where(has_length, lengths, _NO_LENGTH), starts)
    longest = np.maximum.reduceat(lengths, starts)
    measured = shortest != _NO_LENGTH
    min_bytes = np.where(measured, _length_bytes(shortest), 0)
    max_bytes = np.where(measured, _length_bytes(longest), length_to_byte(0))
    return _Statistics(kinds, widths, sums, maxweights, measured, min_bytes, max_bytes,
                       delta_bytes, weight_bytes)


def _scoring_parts(stats: _Statistics, counts: np.ndarray, starts: np.ndarray) -> list[bytes]:
    """Each block's scoring part: its postings' docnum deltas after the first, at its
    width, then its weights as its kind packs them (none when all are 1.0).

    The parts are gathered from the batch's packed arrays by one index, then cut."""
    sources, source_starts = [], {}
    for key, packed in (*stats.delta_bytes.items(),
                        *((("weights", kind), packed)
                          for kind, packed in stats.weight_bytes.items())):
        source_starts[key] = sum(map(len, sources))
        sources.append(packed)
    source = np.concatenate(sources)
    # Two pieces per block, deltas then weights: where each starts in source, its size.
    delta_size = 1 << stats.widths  # one, two or four bytes a delta
    piece_starts = np.empty((len(counts), 2), np.int64)
    piece_sizes = np.empty((len(counts), 2), np.int64)
    delta_base = np.zeros(len(counts), np.int64)
    for width in stats.delta_bytes:
        delta_base[stats.widths == width] = source_starts[width]
    piece_starts[:, 0] = delta_base + (starts + 1) * delta_size
    piece_sizes[:, 0] = (counts - 1) * delta_size
    weight_size = np.where(stats.kinds == WEIGHTS_FLOATS, 4,
                           np.where(stats.kinds == WEIGHTS_BYTES, 1, 0))
    weight_base = np.zeros(len(counts), np.int64)
    for kind in stats.weight_bytes:
        weight_base[stats.kinds == kind] = source_starts["weights", kind]
    piece_starts[:, 1] = weight_base + starts * weight_size
    piece_sizes[:, 1] = counts * weight_size
    piece_starts, piece_sizes = piece_starts.ravel(), piece_sizes.ravel()
    ends = np.cumsum(piece_sizes)
    gathered = source[np.repeat(piece_starts - (ends - piece_sizes), piece_sizes)
                      + np.arange(int(ends[-1]) if len(ends) else 0)].tobytes()
    block_ends = ends[1::2].tolist()
    return list(map(gathered.__getitem__, map(slice, [0, *block_ends[:-1]], block_ends)))


def _values_parts(all_values: list, starts: list[int], ends: list[int],
                  fixedsize) -> list[bytes]:
    """Each block's values pickled as Whoosh's ``_mini_values`` gives them: a tuple of
    the values (empty ones left out), or none or all joined for a format of a fixed
    value size."""
    if all(all_values):  # none to leave out (positions never are): tuples sliced in C
        kept = map(tuple, map(all_values.__getitem__, map(slice, starts, ends)))
    else:
        kept = (tuple(filter(None, all_values[start:end])) for start, end in zip(starts, ends))
    if fixedsize is None or fixedsize < 0:
        mini = kept
    elif fixedsize:
        mini = map(b"".join, kept)
    else:
        mini = (None for _ in kept)
    return list(map(pickle.dumps, mini, repeat(BLOCK_PROTOCOL)))


def _compress_large(parts: list[bytes], level: int, flag: int) -> np.ndarray:
    """Compress in place the parts that compression is tried on; their flags."""
    flags = np.zeros(len(parts), np.uint8)
    for i, part in enumerate(parts):
        if len(part) >= COMPRESSION_MIN_SIZE:
            parts[i] = deflate(part, level)
            flags[i] = flag
    return flags


def _length_bytes(lengths: np.ndarray) -> np.ndarray:
    # length_to_byte for every length: a bisect into Whoosh's table, 255 past its end.
    found = np.searchsorted(_LENGTH_BYTES, np.minimum(lengths, _LONGEST_LENGTH), side="left")
    return np.where(lengths >= _LONGEST_LENGTH, 255, found)
