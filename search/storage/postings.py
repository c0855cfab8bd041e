"""Reading a term's postings: docnums and frequencies a block at a time, positions when asked.

The public face of :mod:`search.storage.codec` for ranking and highlighting:
nothing outside this package walks a Whoosh matcher's blocks or reads its
per-document length column. Every function takes a segment reader (deletions
are included: callers drop them).
"""

from bisect import bisect_left
from itertools import accumulate, repeat
from typing import Callable

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length, length_to_byte

from search.storage.codec import block_docnums, block_weights, reads_blocks
from search.storage.safe_pickle import safe_loads
from search.storage.cache import memo

# The field length each of Whoosh's 256 length bytes stands for.
LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]
# A posting's value, not yet read: (its block's values, read on first call; index).
ValueHandle = tuple[Callable[[], tuple], int]


def posting_blocks(reader, fieldname, term):
    """(docnums, term frequencies) of the term's postings, a block at a time, deletions included.

    Reads the block arrays of Whoosh's W3 codec directly (the per-posting
    matcher calls were the cost); any other matcher is walked posting by posting.
    """
    matcher = reader.postings(fieldname, term)
    matcher = getattr(matcher, "child", matcher)  # past the deletion filter: done above
    if not reads_blocks(matcher):
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield ids, weights
        return
    while matcher.is_active():
        yield block_docnums(matcher), block_weights(matcher)
        matcher._next_block()


def length_bytes(reader, fieldname):
    """The field's length byte of every document of the segment, read once per reader."""
    cache = memo(reader, "length_bytes")
    if fieldname not in cache:
        try:
            column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            raw = column._dbfile.get(column._basepos, column._count)
            cache[fieldname] = raw + bytes(reader.doc_count_all() - len(raw))
        except AttributeError:  # another codec: ask per document
            cache[fieldname] = _LengthBytesByDocument(reader, fieldname)
    return cache[fieldname]


class _LengthBytesByDocument:
    def __init__(self, reader, fieldname):
        self._reader, self._fieldname = reader, fieldname

    def __getitem__(self, docnum):
        return length_to_byte(self._reader.doc_field_length(docnum, self._fieldname, 0))


def term_positions(reader, fieldname: str, term: bytes, docs: list[int]) -> dict[int, list[int]]:
    """The positions of the term in each of ``docs`` (segment docnums, ascending) that
    holds it; blocks holding none of them are skipped by their headers."""
    postings = look_up(term_matcher(reader, fieldname, term), docs)
    found = {}
    for doc in postings.where:
        values, slot = postings.handle(doc)
        found[doc] = decode_positions(values()[slot])
    return found


def decode_positions(value: bytes) -> list[int]:
    """A posting's positions: Whoosh's Positions.decode_positions, deltas summed in C."""
    # The value is the frequency (4 bytes), then the position deltas pickled.
    return list(accumulate(safe_loads(value[4:] if value.endswith(b".") else value[4:] + b".")))


def term_matcher(reader, fieldname: str, term: bytes):
    matcher = reader.postings(fieldname, term)
    return getattr(matcher, "child", matcher)  # past the deletion filter


class Postings:
    """Some postings of a term: each one's number in ``where``, its term frequency,
    its block's values reader and its place in the block in lists by that number.
    (Lists, not a tuple per posting: filling the table with 190,000 tuples took
    440 ms against 36 ms.)"""

    def __init__(self):
        self.where: dict[int, int] = {}
        self.weights: list[float] = []
        self.values: list[Callable[[], tuple]] = []
        self.slots: list[int] = []

    def add_block(self, ids, weights, values: Callable[[], tuple]) -> None:
        start = len(self.weights)
        self.weights.extend(weights)
        size = len(self.weights) - start
        self.where.update(zip(ids, range(start, start + size)))
        self.values.extend(repeat(values, size))
        self.slots.extend(range(size))

    def add(self, doc: int, weight: float, values: Callable[[], tuple], slot: int) -> None:
        self.where[doc] = len(self.weights)
        self.weights.append(weight)
        self.values.append(values)
        self.slots.append(slot)

    def handle(self, doc: int) -> ValueHandle:
        number = self.where[doc]
        return self.values[number], self.slots[number]


def read_whole(matcher) -> Postings:
    """Every posting of the term."""
    postings = Postings()
    if not reads_blocks(matcher):  # inlined postings: one, or a few
        while matcher.is_active():
            value = (matcher.value(),)
            postings.add(matcher.id(), matcher.weight(), lambda value=value: value, 0)
            matcher.next()
        return postings
    while not matcher._atend:
        postings.add_block(block_docnums(matcher), block_weights(matcher), values_reader(matcher))
        matcher._next_block()
    return postings


def look_up(matcher, docs: list[int]) -> Postings:
    """The postings of those of ``docs`` (ascending) the term has; blocks none of them
    can be in are skipped by their headers, never read."""
    if not reads_blocks(matcher):
        return read_whole(matcher)
    postings = Postings()
    ids = None
    for doc in docs:
        if matcher._maxid < doc:
            while not matcher._atend and matcher._maxid < doc:
                matcher._next_block()  # reads the next block's header only
            if matcher._atend:
                break
            ids = None
        if ids is None:
            ids = block_docnums(matcher)
            weights = values = None
        i = bisect_left(ids, doc)
        if ids[i] == doc:  # the block's last docnum is >= doc
            if weights is None:
                weights, values = list(block_weights(matcher)), values_reader(matcher)
            postings.add(doc, weights[i], values, i)
    return postings


def values_reader(matcher) -> Callable[[], tuple]:
    """A function that reads the current block's values when first called, even after
    the matcher has moved on (Izde's two-part blocks; others are read now)."""
    later = getattr(matcher, "values_reader", None)
    if later is not None:
        return later()
    matcher._read_values()
    values = matcher._values
    return lambda: values
