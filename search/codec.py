"""Whoosh's W3 codec with postings blocks that scoring reads without their positions.

A W3 postings block is one pickled, compressed ``(docnum deltas, weights,
values)`` tuple, and for a field with positions the values are most of it: each
is a ``bytes`` of the posting's pickled positions. Ranking plain words needs
only docnums and weights, yet every block read decompressed and unpickled all
its positions: at a million paragraphs that was half the time of a common-word
query.

:class:`IzdeCodec` writes each block in two parts, docnums and weights first,
values after, each compressed on its own, and its matchers read the values only
when asked for them (phrases, merging segments). Both parts are pickled in
protocol 5: protocol 2, Whoosh's, has no opcode for ``bytes``, so each value
became a ``_codecs.encode`` call when read (~100 µs a block against ~10 µs).

The block header is Whoosh's; its compression level, which only the reader
uses, says which layout the block has (:data:`SPLIT_BLOCK`), so segments
written before keep being read as they were.
"""

import pickle
import struct
import zlib
from itertools import accumulate, repeat

from whoosh.codec.whoosh3 import (COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3Codec,
                                  W3LeafMatcher, W3PostingsWriter)
from whoosh.util.numeric import length_to_byte

BLOCK_PROTOCOL = 5
# A split block's header says compression -1 (Whoosh writes 0 to 9); its data
# starts with the first part's length and which parts are compressed.
SPLIT_BLOCK = -1
_SPLIT_HEAD = struct.Struct("<IB")
_SCORING_COMPRESSED, _VALUES_COMPRESSED = 1, 2
_VALUES_NOT_READ = object()


class IzdeCodec(W3Codec):
    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():  # a term of one posting, kept in its term info
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return _LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class _PostingsWriter(W3PostingsWriter):
    def _write_block(self, last=False):
        # W3PostingsWriter._write_block with the data in two parts (see the module);
        # the header magic, statistics and block info are Whoosh's.
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)

        scoring, scoring_flag = self._packed((self._mini_ids(), self._mini_weights()),
                                             _SCORING_COMPRESSED)
        values, values_flag = self._packed(self._mini_values(), _VALUES_COMPRESSED)
        databytes = _SPLIT_HEAD.pack(len(scoring), scoring_flag | values_flag) + scoring + values

        ids = self._ids
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, SPLIT_BLOCK,
                                  length_to_byte(self._minlength),
                                  length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)

        self._blockcount += 1
        self._new_block()

    def _packed(self, data, flag: int) -> tuple[bytes, int]:
        packed = pickle.dumps(data, BLOCK_PROTOCOL)
        if self._compression and len(packed) >= COMPRESSION_MIN_SIZE:
            return zlib.compress(packed, self._compression), flag
        return packed, 0


class _LeafMatcher(W3LeafMatcher):
    """W3's block matcher that leaves a split block's values unread until asked."""

    def _read_data(self):
        if self._compression != SPLIT_BLOCK:
            return super()._read_data()
        start = self._dataoffset + _SPLIT_HEAD.size
        length, flags = _SPLIT_HEAD.unpack(self._postfile.get(self._dataoffset, _SPLIT_HEAD.size))
        scoring = self._postfile.get(start, length)
        if flags & _SCORING_COMPRESSED:
            scoring = zlib.decompress(scoring)
        ids, weights = pickle.loads(scoring)
        self._data = (ids, weights, _VALUES_NOT_READ)
        self._values_at, self._values_flags = start + length, flags

    def _read_values(self):
        if self._data is None:
            self._read_data()
        if self._data[2] is _VALUES_NOT_READ:
            values = _values_part(self._postfile, self._values_at, self._nextoffset,
                                  self._values_flags)
            self._data = (self._data[0], self._data[1], values)
        super()._read_values()

    def values_reader(self):
        """A function that returns the current block's values, as ``_values`` holds them,
        reading them on its first call: after the matcher has moved on, too."""
        if self._data is None:
            self._read_data()
        fixedsize = self._fixedsize
        if self._data[2] is not _VALUES_NOT_READ or not (fixedsize is None or fixedsize < 0):
            self._read_values()  # already read, or values W3 post-processes: read now
            values = self._values
            return lambda: values
        where = (self._postfile, self._values_at, self._nextoffset, self._values_flags)
        read = []

        def values():
            if not read:
                read.append(_values_part(*where))
            return read[0]
        return values


def _values_part(postfile, start: int, end: int, flags: int):
    values = postfile.get(start, end - start)
    if flags & _VALUES_COMPRESSED:
        values = zlib.decompress(values)
    return pickle.loads(values)


# What of W3's block matcher (Whoosh's or ours) the functions below and the
# readers of blocks (search.term_scoring, .array_scoring, .phrase_matching) use.
_BLOCK_MATCHER_API = ("_atend", "_maxid", "_next_block", "_read_data", "_data", "_read_values",
                      "_values", "_blocklength")


def reads_blocks(matcher) -> bool:
    """Whether ``matcher`` is W3's block matcher; else (inlined postings, another
    codec) it is walked posting by posting."""
    return all(hasattr(matcher, name) for name in _BLOCK_MATCHER_API)


def block_docnums(matcher) -> list[int]:
    """The docnums of the matcher's current block (stored as deltas, summed here in C
    rather than by Whoosh's generator)."""
    matcher._read_data()
    return list(accumulate(matcher._data[0]))


def block_weights(matcher):
    """The term frequencies of the current block, after :func:`block_docnums`: stored
    as None when all are 1 and one float when all are equal, which Whoosh expands
    through a generator."""
    weights = matcher._data[1]
    if weights is None or isinstance(weights, float):
        return repeat(1.0 if weights is None else weights, matcher._blocklength)
    return weights
