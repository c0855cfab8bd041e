"""Documents of one segment that hold a phrase: its words at consecutive positions.

Whoosh matches a phrase with span matchers that step through every word's
postings one method call at a time and decode each posting's positions; a phrase
of two common words took 100–200 ms on a 100k-paragraph index. Here the rarest
word's postings lead; the others jump to each of its documents by the block
headers (a block is skipped without reading its data), and positions are decoded
only for documents that hold every word.

The match is Whoosh's ``Phrase`` with its default slop of 1: the words in order,
each at the position after the one before.
"""

from bisect import bisect_left
from itertools import accumulate
from pickle import loads
from typing import Iterator


def phrase_postings(reader, fieldname: str, terms: list[bytes]) -> Iterator[tuple[int, list]]:
    """(segment docnum, each word's term frequency) of the documents holding the phrase.

    ``terms`` are the phrase's index terms in order, all present in the segment;
    deleted documents are included (the caller drops them).
    """
    cursors = [_cursor(reader, fieldname, term) for term in terms]
    # The rarest word leads; a repeated word shares nothing, each has its own cursor.
    order = sorted(range(len(terms)), key=lambda i: cursors[i].count)
    lead, others = cursors[order[0]], [cursors[i] for i in order[1:]]
    doc = lead.seek(0)
    while doc is not None:
        for cursor in others:
            found = cursor.seek(doc)
            if found is None:
                return
            if found != doc:
                doc = lead.seek(found)
                break
        else:
            if _consecutive([_positions(cursor.value()) for cursor in cursors]):
                yield doc, [cursor.weight() for cursor in cursors]
            doc = lead.seek(doc + 1)


def _positions(value: bytes) -> list[int]:
    """A posting's positions: Whoosh's Positions.decode_positions, deltas summed in C."""
    # The value is the frequency (4 bytes), then the position deltas pickled.
    return list(accumulate(loads(value[4:] if value.endswith(b".") else value[4:] + b".")))


def _consecutive(positions: list[list[int]]) -> bool:
    """Whether some position p of the first word has word k at p + k for every k."""
    later = [set(p) for p in positions[1:]]
    return any(all(start + k in word for k, word in enumerate(later, start=1))
               for start in positions[0])


def _cursor(reader, fieldname: str, term: bytes):
    matcher = reader.postings(fieldname, term)
    matcher = getattr(matcher, "child", matcher)  # past the deletion filter
    count = reader.doc_frequency(fieldname, term)
    if all(hasattr(matcher, name) for name in _W3_BLOCK_API):
        return _BlockCursor(matcher, count)
    return _ListCursor(matcher, count)


_W3_BLOCK_API = ("_atend", "_maxid", "_next_block", "_read_data", "_data", "_read_weights",
                 "_read_values", "_weights", "_values")


class _BlockCursor:
    """A term's postings in Whoosh's W3 blocks, moved forward to a docnum at a time."""

    def __init__(self, matcher, count: int):
        self._matcher, self.count = matcher, count
        self._ids: tuple | None = None
        self._i = 0

    def seek(self, target: int) -> int | None:
        """Move to the first posting at or after ``target``; its docnum, or None at the end."""
        matcher = self._matcher
        while not matcher._atend and matcher._maxid < target:
            matcher._next_block()  # reads the next block's header only
            self._ids = None
        if matcher._atend:
            return None
        if self._ids is None:
            matcher._read_data()
            self._ids, self._i = tuple(accumulate(matcher._data[0])), 0  # docnum deltas
        self._i = bisect_left(self._ids, target, self._i)
        return self._ids[self._i]  # the block's last id is >= target

    def weight(self) -> float:
        if self._matcher._weights is None:
            self._matcher._read_weights()
        return self._matcher._weights[self._i]

    def value(self) -> bytes:
        if self._matcher._values is None:
            self._matcher._read_values()
        return self._matcher._values[self._i]


class _ListCursor:
    """Any other matcher (inlined postings), read whole: such lists are short."""

    def __init__(self, matcher, count: int):
        self.count = count
        self._ids, self._weights, self._values = [], [], []
        while matcher.is_active():
            self._ids.append(matcher.id())
            self._weights.append(matcher.weight())
            self._values.append(matcher.value())
            matcher.next()
        self._i = 0

    def seek(self, target: int) -> int | None:
        self._i = bisect_left(self._ids, target, self._i)
        return self._ids[self._i] if self._i < len(self._ids) else None

    def weight(self) -> float:
        return self._weights[self._i]

    def value(self) -> bytes:
        return self._values[self._i]
