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

from typing import NamedTuple

from search.storage.postings import (Postings, ValueHandle, decode_positions, look_up,
                                     read_whole, term_matcher)

# A word at most this many times more common than the rarest is read whole and
# intersected; a more common one is looked up by seeking. Measured on the 65
# phrase queries of the 1M bench set (total time): 1 -> 5,086 ms, 8 -> 5,006,
# 64 -> 5,804; seeking every word, as before, 5,424.
_READ_WHOLE_RATIO = 8


class PhraseCandidates(NamedTuple):
    """The documents of a segment that hold every word of a phrase, and the words' postings."""
    docs: list[int]  # segment docnums, ascending
    words: list["Postings"]  # in phrase order

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
    found: list[Postings | None] = [None] * len(terms)
    docs: list[int] = []
    for rank, i in enumerate(order):
        if rank and counts[i] > _READ_WHOLE_RATIO * rarest:
            continue
        found[i] = read_whole(term_matcher(reader, fieldname, terms[i]))
        docs = list(found[i].where) if not rank else [d for d in docs if d in found[i].where]
    for i in order:
        if found[i] is None:
            found[i] = look_up(term_matcher(reader, fieldname, terms[i]), docs)
            docs = [doc for doc in docs if doc in found[i].where]
    return PhraseCandidates(docs, found)


def holds_phrase(handles: list[ValueHandle]) -> bool:
    """Whether the words whose postings these are stand in order, one after another."""
    return _consecutive([decode_positions(values()[i]) for values, i in handles])


def _consecutive(positions: list[list[int]]) -> bool:
    """Whether some position p of the first word has word k at p + k for every k."""
    later = [set(p) for p in positions[1:]]
    return any(all(start + k in word for k, word in enumerate(later, start=1))
               for start in positions[0])


