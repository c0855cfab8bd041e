"""Documents of one segment that hold a phrase: its words at consecutive positions.

Whoosh matches a phrase with span matchers that step through every word's
postings one method call at a time and decode each posting's positions; a phrase
of two common words took 100–200 ms on a 100k-paragraph index. Here the rarest
word's postings are read whole, and each other word is either read whole too
and intersected as a table (when it is not much more common), or looked up
document by document, skipping blocks by their headers without reading them.
Positions are decoded only for documents that hold every word, and only when
asked (:mod:`search.ranking.term_scoring` asks only where a match could change the top):
a posting carries a handle to its block's values, read on first use.

The match is Whoosh's ``Phrase`` with its default slop of 1: the words in order,
each at the position after the one before.
"""

from bisect import bisect_left
from itertools import accumulate, repeat
from pickle import loads
from typing import Callable, NamedTuple

from search.storage.codec import block_docnums, block_weights, reads_blocks

# A posting's value, not yet read: (its block's values, read on first call; index).
ValueHandle = tuple[Callable[[], tuple], int]

# A word at most this many times more common than the rarest is read whole and
# intersected; a more common one is looked up by seeking. Measured on the 65
# phrase queries of the 1M bench set (total time): 1 -> 5,086 ms, 8 -> 5,006,
# 64 -> 5,804; seeking every word, as before, 5,424.
_READ_WHOLE_RATIO = 8


class PhraseCandidates(NamedTuple):
    """The documents of a segment that hold every word of a phrase, and the words' postings."""
    docs: list[int]  # segment docnums, ascending
    words: list["_Postings"]  # in phrase order

    def frequencies(self, word: int, docs: list[int]) -> list[float]:
        """The word's term frequency in each of ``docs`` (some of :attr:`docs`)."""
        postings = self.words[word]
        weights, where = postings.weights, postings.where
        return [weights[where[doc]] for doc in docs]

    def handles(self, doc: int) -> list[ValueHandle]:
        """Each word's value handle in ``doc``, for :func:`holds_phrase`."""
        return [word.handle(doc) for word in self.words]


def phrase_candidates(reader, fieldname: str, terms: list[bytes]) -> PhraseCandidates:
    """The documents of the segment holding every word of the phrase; :func:`holds_phrase`
    says whether the words stand together there.

    ``terms`` are the phrase's index terms in order, all present in the segment;
    deleted documents are included (the caller drops them).
    """
    counts = [reader.doc_frequency(fieldname, term) for term in terms]
    order = sorted(range(len(terms)), key=counts.__getitem__)
    rarest = counts[order[0]]
    found: list[_Postings | None] = [None] * len(terms)
    docs: list[int] = []
    for rank, i in enumerate(order):
        if rank and counts[i] > _READ_WHOLE_RATIO * rarest:
            continue
        found[i] = _read_whole(_matcher(reader, fieldname, terms[i]))
        docs = list(found[i].where) if not rank else [d for d in docs if d in found[i].where]
    for i in order:
        if found[i] is None:
            found[i] = _look_up(_matcher(reader, fieldname, terms[i]), docs)
            docs = [doc for doc in docs if doc in found[i].where]
    return PhraseCandidates(docs, found)


def term_positions(reader, fieldname: str, term: bytes, docs: list[int]) -> dict[int, list[int]]:
    """The positions of the term in each of ``docs`` (segment docnums, ascending) that
    holds it; blocks holding none of them are skipped by their headers."""
    postings = _look_up(_matcher(reader, fieldname, term), docs)
    found = {}
    for doc in postings.where:
        values, slot = postings.handle(doc)
        found[doc] = _positions(values()[slot])
    return found


def holds_phrase(handles: list[ValueHandle]) -> bool:
    """Whether the words whose postings these are stand in order, one after another."""
    return _consecutive([_positions(values()[i]) for values, i in handles])


def _positions(value: bytes) -> list[int]:
    """A posting's positions: Whoosh's Positions.decode_positions, deltas summed in C."""
    # The value is the frequency (4 bytes), then the position deltas pickled.
    return list(accumulate(loads(value[4:] if value.endswith(b".") else value[4:] + b".")))


def _consecutive(positions: list[list[int]]) -> bool:
    """Whether some position p of the first word has word k at p + k for every k."""
    later = [set(p) for p in positions[1:]]
    return any(all(start + k in word for k, word in enumerate(later, start=1))
               for start in positions[0])


def _matcher(reader, fieldname: str, term: bytes):
    matcher = reader.postings(fieldname, term)
    return getattr(matcher, "child", matcher)  # past the deletion filter


class _Postings:
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


def _read_whole(matcher) -> _Postings:
    """Every posting of the term."""
    postings = _Postings()
    if not reads_blocks(matcher):  # inlined postings: one, or a few
        while matcher.is_active():
            value = (matcher.value(),)
            postings.add(matcher.id(), matcher.weight(), lambda value=value: value, 0)
            matcher.next()
        return postings
    while not matcher._atend:
        postings.add_block(block_docnums(matcher), block_weights(matcher), _values_reader(matcher))
        matcher._next_block()
    return postings


def _look_up(matcher, docs: list[int]) -> _Postings:
    """The postings of those of ``docs`` (ascending) the term has; blocks none of them
    can be in are skipped by their headers, never read."""
    if not reads_blocks(matcher):
        return _read_whole(matcher)
    postings = _Postings()
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
                weights, values = list(block_weights(matcher)), _values_reader(matcher)
            postings.add(doc, weights[i], values, i)
    return postings


def _values_reader(matcher) -> Callable[[], tuple]:
    """A function that reads the current block's values when first called, even after
    the matcher has moved on (Izde's two-part blocks; others are read now)."""
    later = getattr(matcher, "values_reader", None)
    if later is not None:
        return later()
    matcher._read_values()
    values = matcher._values
    return lambda: values
