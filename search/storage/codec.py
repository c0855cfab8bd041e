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

Since then blocks are *packed* (:data:`PACKED_MAGIC` opens the term's
postings): the header is a fixed struct rather than a pickled tuple, and the
scoring part is two arrays, docnum deltas and term frequencies, in the fewest
bytes that hold them. A common word's blocks were walked at ~25 µs each, most
of it unpickling headers and lists of small ints; packed, a block is one
``struct`` call to skip and one ``frombuffer`` to score (see
:func:`packed_blocks`). Blocks of the earlier layouts, one-part (Whoosh's) and
split (a pickled header with compression :data:`SPLIT_BLOCK`), are read as they
were, so indexes written before keep working and are rewritten as their
segments merge.
"""

import pickle
import struct
import sys
import zlib
from array import array
from itertools import accumulate, repeat
from operator import sub
from typing import Iterator, NamedTuple

from whoosh.codec.whoosh3 import (COMPRESSION_MIN_SIZE, LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC,
                                  W3Codec, W3LeafMatcher, W3PerDocWriter, W3PostingsWriter,
                                  W3TermInfo, _lenfield)
from whoosh.columns import CompressedBytesColumn
from whoosh.filedb.structfile import StructFile
from whoosh.reading import CorruptIndexError
from whoosh.util.numeric import byte_to_length, length_to_byte

from search.storage.deflate import compress as deflate
from search.storage.safe_pickle import safe_loads

BLOCK_PROTOCOL = 5
# A split block's header says compression -1 (Whoosh writes 0 to 9); its data
# starts with the first part's length and which parts are compressed.
SPLIT_BLOCK = -1
_SPLIT_HEAD = struct.Struct("<IB")
_SCORING_COMPRESSED, _VALUES_COMPRESSED = 1, 2
_VALUES_NOT_READ = object()

# A term's packed blocks follow this tag (Whoosh's blocks follow WHOOSH3_HEADER_MAGIC).
PACKED_MAGIC = b"IzP1"
# Block length after this field (negative: the term's last block), postings,
# first and last docnum, max weight, min and max length byte, flags, scoring
# part's length. The scoring part holds postings − 1 docnum deltas, then the
# weights; the values part follows it to the end of the block.
_PACKED_HEAD = struct.Struct("<iHIIdBBBI")
_DELTA_TYPECODES = ("B", "H", "I")  # flags & _DELTA_WIDTH: one, two or four bytes a delta
_DELTA_WIDTH = 3
_WEIGHTS_KIND = 12
WEIGHTS_ONES, WEIGHTS_BYTES, WEIGHTS_FLOATS = 0, 4, 8  # all 1.0; integers < 256; float32
_PACKED_SCORING_COMPRESSED, _PACKED_VALUES_COMPRESSED = 16, 32
_BIG_ENDIAN = sys.byteorder == "big"  # packed arrays are little-endian on disk
# W3TermInfo.to_bytes of a term whose postings are in the postings file: its struct
# (flags, total weight, doc freq, min and max length byte, max weight, first and last
# docnum), then the postings' offset and length (pack_long, pack_int).
_TERM_INFO = struct.Struct("!BfIBBfIIqi")
assert _TERM_INFO.size == W3TermInfo._struct.size + 8 + 4


class IzdeCodec(W3Codec):
    def per_document_writer(self, storage, segment):
        return _PerDocWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():  # a term of one posting, kept in its term info
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return _LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class _PerDocWriter(W3PerDocWriter):
    """Whoosh's per-document writer, its stored fields deflated by search.storage.deflate
    (a zlib stream, which Whoosh's reader decompresses as before), and its field length
    columns written when it closes."""

    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        stored = getattr(self._colwriters.get("_stored"), "_child", None)
        if (type(stored) is CompressedBytesColumn.Writer and stored._compress is zlib.compress
                and stored._level):
            stored._compress = deflate
        # Field -> its length column's bytes: a byte per document up to the last one
        # with a length, 0 for the others (what NumericColumn("B")'s writer writes).
        self._length_columns: dict[str, bytearray] = {}

    def add_field(self, fieldname, fieldobj, value, length):
        # W3PerDocWriter.add_field, its length byte appended to a bytearray: Whoosh's
        # column writer took four Python calls per field and document (39k at 10k
        # paragraphs) and one write per document without the field.
        if value is not None:
            self._storedfields[fieldname] = value
        if length:
            column = self._length_columns.get(fieldname)
            if column is None:
                column = self._length_columns[fieldname] = bytearray()
            byte = _LENGTH_BYTES[length]
            if byte:  # the column's default is not written
                if len(column) < self._docnum:
                    column.extend(bytes(self._docnum - len(column)))
                column.append(byte)
            self._fieldlengths[fieldname] += length

    def close(self):
        for fieldname, column in self._length_columns.items():
            lenfield = _lenfield(fieldname)
            self._create_column(lenfield, LENGTHS_COLUMN)
            writer = self._colwriters[lenfield]
            writer._dbfile.write(bytes(column))
            writer._count = len(column)
        self._length_columns = {}
        super().close()


class _PostingsWriter(W3PostingsWriter):
    def add_postings(self, ids, weights, values, lengths) -> None:
        """All of a term's postings at once, right after ``start_postings``: the blocks
        and statistics :meth:`add_posting` one by one would make, filled by slicing.

        ``ids`` and ``weights`` are arrays, ``values`` bytes and ``lengths`` ints or None.
        """
        if self._ids:
            raise ValueError("add_postings takes a whole term, after start_postings")
        limit = self._blocklimit
        count = len(ids)
        for start in range(0, count, limit):
            if start:
                self._write_block()  # a full block: the next posting starts another
            end = start + limit
            self._ids = array("I", ids[start:end])
            block_weights = weights[start:end]
            self._weights = array("f", block_weights)
            self._maxweight = max(0, max(block_weights))
            self._values = [value for value in values[start:end] if value]
            block_lengths = [length for length in lengths[start:end] if length]
            if block_lengths:
                self._minlength, self._maxlength = min(block_lengths), max(block_lengths)

    def _write_block(self, last=False):
        if self._byteids:  # a term vector's "docnums" are terms: no deltas to pack
            self._write_split_block(last)
        else:
            self._write_packed_block(last)

    def _write_packed_block(self, last: bool) -> None:
        if not self._blockcount:
            self._postfile.write(PACKED_MAGIC)
        self._terminfo.add_block(self)  # the term's statistics, as Whoosh keeps them

        ids = self._ids
        deltas = list(map(sub, ids[1:], ids))
        width = _narrowest_width(max(deltas, default=0))
        deltas = array(_DELTA_TYPECODES[width], deltas)
        weights_kind, weights = _packed_weights(self._weights)
        scoring = _little_endian(deltas) + weights
        flags = width | weights_kind
        scoring, compressed = self._compressed(scoring)
        flags |= _PACKED_SCORING_COMPRESSED if compressed else 0
        values, compressed = self._compressed(pickle.dumps(self._mini_values(), BLOCK_PROTOCOL))
        flags |= _PACKED_VALUES_COMPRESSED if compressed else 0

        blocklength = _PACKED_HEAD.size - 4 + len(scoring) + len(values)
        self._postfile.write(_PACKED_HEAD.pack(
            -blocklength if last else blocklength, len(ids), ids[0], ids[-1], self._maxweight,
            length_to_byte(self._minlength), length_to_byte(self._maxlength), flags,
            len(scoring)))
        self._postfile.write(scoring)
        self._postfile.write(values)

        self._blockcount += 1
        self._new_block()

    def _compressed(self, data: bytes) -> tuple[bytes, bool]:
        if self._compression and len(data) >= COMPRESSION_MIN_SIZE:
            return deflate(data, self._compression), True
        return data, False

    def _write_split_block(self, last=False):
        # W3PostingsWriter._write_block with the data in two parts (see the module);
        # the header magic, statistics and block info are Whoosh's.
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)

        scoring, scoring_flag = self._split_part((self._mini_ids(), self._mini_weights()),
                                             _SCORING_COMPRESSED)
        values, values_flag = self._split_part(self._mini_values(), _VALUES_COMPRESSED)
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

    def _split_part(self, data, flag: int) -> tuple[bytes, int]:
        part, compressed = self._compressed(pickle.dumps(data, BLOCK_PROTOCOL))
        return part, flag if compressed else 0


_WRITES_PACKED_BLOCKS = _PostingsWriter._write_block


class _LengthBytes(dict):
    """length_to_byte(length), computed once per length (a bisect in Python)."""

    def __missing__(self, length: int) -> int:
        byte = self[length] = length_to_byte(length)
        return byte


_LENGTH_BYTES = _LengthBytes()


def write_and_tell(postfile):
    """The ``write`` and ``tell`` of a postings file; of the file underneath when a
    plain StructFile wraps it, whose methods only pass the calls on."""
    if type(postfile).write is StructFile.write and type(postfile).tell is StructFile.tell:
        postfile = postfile.file
    return postfile.write, postfile.tell


def _narrowest_width(largest: int) -> int:
    return 0 if largest < 1 << 8 else 1 if largest < 1 << 16 else 2


def _packed_weights(weights: array) -> tuple[int, bytes]:
    # Whoosh's weights are float32 term frequencies (times a field boost, 1 here).
    if weights.count(1.0) == len(weights):
        return WEIGHTS_ONES, b""
    if 0 <= min(weights) and max(weights) < 256 and all(map(float.is_integer, weights)):
        return WEIGHTS_BYTES, bytes(map(int, weights))
    return WEIGHTS_FLOATS, _little_endian(array("f", weights))


def _little_endian(numbers: array) -> bytes:
    if _BIG_ENDIAN:
        numbers = array(numbers.typecode, numbers)
        numbers.byteswap()
    return numbers.tobytes()


def _from_little_endian(typecode: str, data) -> array:
    numbers = array(typecode)
    numbers.frombytes(data)
    if _BIG_ENDIAN:
        numbers.byteswap()
    return numbers


class PackedBlock(NamedTuple):
    """A packed block's scoring part, as :func:`packed_blocks` yields it."""
    postings: int
    first: int  # docnum
    last: int
    delta_bytes: int  # 1, 2 or 4: the width of each of the postings - 1 deltas
    weights_kind: int  # WEIGHTS_ONES, WEIGHTS_BYTES or WEIGHTS_FLOATS
    scoring: bytes  # the deltas, then the weights (none when all are 1.0)


def is_packed(matcher) -> bool:
    """Whether ``matcher`` reads a term whose blocks are packed (see the module)."""
    return getattr(matcher, "_packed", False)


def packed_blocks(matcher) -> Iterator[PackedBlock]:
    """The scoring parts of a packed matcher's blocks, from its current one to the
    last, read by their fixed headers without the matcher's per-block calls; the
    matcher is left where it was."""
    postfile, position = matcher._postfile, matcher._current_offset
    get, unpack, head = postfile.get, _PACKED_HEAD.unpack, _PACKED_HEAD.size
    decompress = zlib.decompress
    while True:
        length, postings, first, last, _, _, _, flags, scoring_length = unpack(get(position, head))
        scoring = get(position + head, scoring_length)
        if flags & _PACKED_SCORING_COMPRESSED:
            scoring = decompress(scoring)
        yield PackedBlock(postings, first, last, 1 << (flags & _DELTA_WIDTH),
                          flags & _WEIGHTS_KIND, scoring)
        if length < 0:
            return
        position += 4 + length


class _LeafMatcher(W3LeafMatcher):
    """W3's block matcher for packed blocks, which leaves split and packed blocks'
    values unread until asked."""

    def _read_header(self):
        self._packed = self._postfile.get(self._startoffset, 4) == PACKED_MAGIC
        if not self._packed:
            return super()._read_header()
        self._baseoffset = self._startoffset + 4

    def _goto(self, position):
        if not self._packed:
            return super()._goto(position)
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        self._current_offset = position
        try:
            (length, postings, self._first, self._maxid, self._maxweight, min_length,
             max_length, self._flags, scoring_length) = _PACKED_HEAD.unpack(
                self._postfile.get(position, _PACKED_HEAD.size))
        except struct.error as error:
            raise CorruptIndexError(f"Damaged postings block at offset {position} in "
                                    f"{getattr(self._postfile, '_name', None) or 'postings'!r}: "
                                    f"{error}. Rebuilding the index should fix it.") from error
        if length < 0:
            self._lastblock = True
            length = -length
        self._blocklength = postings
        self._nextoffset = position + 4 + length
        self._dataoffset = position + _PACKED_HEAD.size
        self._values_at = self._dataoffset + scoring_length
        self._values_compressed = bool(self._flags & _PACKED_VALUES_COMPRESSED)
        self._minlength, self._maxlength = byte_to_length(min_length), byte_to_length(max_length)

    def _read_data(self):
        if self._packed:
            return self._read_packed_data()
        if self._compression != SPLIT_BLOCK:
            return super()._read_data()
        start = self._dataoffset + _SPLIT_HEAD.size
        length, flags = _SPLIT_HEAD.unpack(self._postfile.get(self._dataoffset, _SPLIT_HEAD.size))
        scoring = self._postfile.get(start, length)
        if flags & _SCORING_COMPRESSED:
            scoring = zlib.decompress(scoring)
        ids, weights = safe_loads(scoring)
        self._data = (ids, weights, _VALUES_NOT_READ)
        self._values_at, self._values_compressed = start + length, bool(flags & _VALUES_COMPRESSED)

    def _read_packed_data(self):
        # Into W3's forms: (first docnum, deltas...), and weights None when all are 1.0.
        flags, postings = self._flags, self._blocklength
        scoring = self._postfile.get(self._dataoffset, self._values_at - self._dataoffset)
        if flags & _PACKED_SCORING_COMPRESSED:
            scoring = zlib.decompress(scoring)
        typecode = _DELTA_TYPECODES[flags & _DELTA_WIDTH]
        split = (postings - 1) * (1 << (flags & _DELTA_WIDTH))
        ids = [self._first]
        ids += _from_little_endian(typecode, scoring[:split])
        kind = flags & _WEIGHTS_KIND
        if kind == WEIGHTS_ONES:
            weights = None
        elif kind == WEIGHTS_BYTES:
            weights = array("f", list(scoring[split:]))
        else:
            weights = _from_little_endian("f", scoring[split:])
        self._data = (ids, weights, _VALUES_NOT_READ)

    def _read_values(self):
        if self._data is None:
            self._read_data()
        if self._data[2] is _VALUES_NOT_READ:
            values = _values_part(self._postfile, self._values_at, self._nextoffset,
                                  self._values_compressed)
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
        where = (self._postfile, self._values_at, self._nextoffset, self._values_compressed)
        read = []

        def values():
            if not read:
                read.append(_values_part(*where))
            return read[0]
        return values


def _values_part(postfile, start: int, end: int, compressed: bool):
    values = postfile.get(start, end - start)
    if compressed:
        values = zlib.decompress(values)
    return safe_loads(values)


# What of W3's block matcher (Whoosh's or ours) the functions below and the
# readers of blocks (search.ranking.term_scoring, .array_scoring, .phrase_matching) use.
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
