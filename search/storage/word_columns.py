"""One field's words kept as columns of term numbers, grouped into postings only when flushed.

Gathering postings term by term as documents arrive (``{term: positions}`` per
document, then three appends per posting) cost a Python loop over every word and
another over every posting: with ~1.4M postings at 10k paragraphs, a fifth of
indexing time. :class:`WordColumns` keeps, per document, only each word's term
number (looked up by ``map`` in C, a new term numbered by its dictionary's
``__missing__``); when the pool flushes, numpy sorts the words by term, cuts
them into postings and numbers positions for all documents at once. The
postings (docnums, frequencies, weights, position values, field lengths) are
those :meth:`IndexPlan.positions` and the pool's ``add_document_positions``
make, and the tests compare them with Whoosh's own writer.
"""

from array import array
from pickle import dumps
from collections import defaultdict
from itertools import chain, count

import numpy as np
from whoosh.formats import Positions
from whoosh.system import pack_uint

# Postings turned into Python lists at a time while a flush yields its terms: large
# enough that numpy's per-call cost is nothing, small enough to hold little memory.
POSTINGS_PER_BATCH = 1 << 16
_DROPPED = -1  # a dropped word's term number (a stop word, a word with no term)


class WordColumns:
    """The words of one field: a term number per word (``_DROPPED`` for a dropped word)
    or, for an analyzer that gives a word several terms, the number of terms per word
    and the terms' numbers; and per document its docnum, words and weight factors."""

    def __init__(self, values, several_terms: bool):
        self.values = values  # search.storage.shared_analysis.PositionValues
        self.several_terms = several_terms
        self._numbers = defaultdict(count().__next__)  # term -> number, by first use
        self._numbers[None] = _DROPPED
        self.term_numbers = array("i")
        self.terms_per_word = array("H")  # several_terms only
        self.docnums, self.word_counts, self.offsets = array("i"), array("i"), array("i")
        self.boosts, self.fieldboosts = array("d"), array("d")
        # term_of or terms_of -> {word form: its term's number, or its terms' numbers}
        self._forms: dict = {}

    def __len__(self) -> int:
        """Terms known, for the pool's memory estimate."""
        return len(self._numbers) - 1

    def forms_known(self) -> int:
        """Word forms numbered by :meth:`add_forms`, for the pool's memory estimate."""
        return sum(map(len, self._forms.values()))

    def add_forms(self, docnum: int, words: list, term_of, first_kept: bool, boost: float,
                  fieldboost: float) -> int:
        """:meth:`add` of ``list(map(term_of, words))``, with each word form's term number
        remembered: one look-up per word, not a term's and then its number's."""
        if self.several_terms:
            raise ValueError("this field's words have several terms each")
        forms = self._forms.get(term_of)
        if forms is None:
            forms = self._forms[term_of] = _FormNumbers(term_of, self._numbers.__getitem__)
        numbers = list(map(forms.__getitem__, words))
        self.term_numbers.fromlist(numbers)
        length = len(numbers)
        dropped = numbers.count(_DROPPED)
        offset = 0
        if first_kept and dropped:
            offset = next((i for i, n in enumerate(numbers) if n != _DROPPED), 0)
        self._add_document(docnum, length, offset, boost, fieldboost)
        return length - dropped

    def add_several_forms(self, docnum: int, words: list, terms_of, boost: float,
                          fieldboost: float) -> int:
        """:meth:`add_several` of ``list(map(terms_of, words))``, each word form's term
        numbers remembered as :meth:`add_forms` remembers them."""
        if not self.several_terms:
            raise ValueError("this field's words have one term each")
        forms = self._forms.get(terms_of)
        if forms is None:
            numbers_of = self._numbers.__getitem__
            forms = self._forms[terms_of] = _FormNumbers(
                terms_of, lambda terms: tuple(map(numbers_of, terms)))
        numbers = list(map(forms.__getitem__, words))
        counts = array("H", map(len, numbers))
        self.terms_per_word += counts
        self.term_numbers.extend(chain.from_iterable(numbers))
        self._add_document(docnum, len(words), 0, boost, fieldboost)
        return sum(counts)

    def add(self, docnum: int, terms: list, first_kept: bool, boost: float,
            fieldboost: float) -> int:
        """Add a document's words as their terms, one per word (None: dropped), and
        return the field's length (terms kept). Positions count kept words from 0, or,
        with ``first_kept``, from the first kept word's place among all words
        (Whoosh's StopFilter with ``renumber``)."""
        length = len(terms)
        if self.several_terms:
            raise ValueError("this field's words have several terms each")
        self.term_numbers.extend(map(self._numbers.__getitem__, terms))
        dropped = terms.count(None)
        offset = 0
        if first_kept and dropped:
            offset = next((i for i, term in enumerate(terms) if term is not None), 0)
        self._add_document(docnum, length, offset, boost, fieldboost)
        return length - dropped

    def add_several(self, docnum: int, terms: list[tuple], boost: float,
                    fieldboost: float) -> int:
        """Add a document's words as tuples of terms that share the word's position
        (an empty tuple: dropped); return the field's length."""
        if not self.several_terms:
            raise ValueError("this field's words have one term each")
        counts = array("H", map(len, terms))
        self.terms_per_word += counts
        self.term_numbers.extend(map(self._numbers.__getitem__, chain.from_iterable(terms)))
        self._add_document(docnum, len(terms), 0, boost, fieldboost)
        return sum(counts)

    def _add_document(self, docnum, words, offset, boost, fieldboost) -> None:
        self.docnums.append(docnum)
        self.word_counts.append(words)
        self.offsets.append(offset)
        self.boosts.append(boost)
        self.fieldboosts.append(fieldboost)

    def terms(self):
        """``(term, docnums, weights, values)`` in term order, each term's postings in
        docnum order (documents are added in docnum order), as lists."""
        for terms, counts, docs, weights, values in self.batches():
            docs, weights = docs.tolist(), weights.tolist()
            end = 0
            for term, count in zip(terms, counts.tolist()):
                start, end = end, end + count
                yield term, docs[start:end], weights[start:end], values[start:end]

    def batches(self):
        """The postings of :meth:`terms` a batch of terms at a time, for writers that take
        them so (search.storage.term_batches): ``(terms, postings per term, docnums,
        weights, values)``, the postings of all the batch's terms one after another,
        docnums and weights as numpy arrays (int64, float64), values as a list."""
        term_of_rank, term, doc, position = self._occurrences()
        if not len(term):
            return
        # Stable: a term's occurrences stay in document, then position, order. Ranks
        # that fit 16 bits sort by numpy's radix sort, ~6x faster than int32's merge sort.
        order = np.argsort(term.astype(np.uint16) if len(term_of_rank) <= 1 << 16 else term,
                           kind="stable")
        term, doc, position = term[order], doc[order], position[order]
        del order
        starts = _run_starts(term, doc)  # a posting per (term, document)
        frequencies = np.diff(np.append(starts, len(term)))
        posting_terms, posting_docs = term[starts], doc[starts]
        # Whoosh's weight: frequency * field boost, times the document's field boost.
        weights = (frequencies.astype(np.float64) * np.frombuffer(self.boosts)[posting_docs]
                   * np.frombuffer(self.fieldboosts)[posting_docs])
        docnums = _int32(self.docnums)[posting_docs].astype(np.int64)
        term_starts = np.flatnonzero(np.diff(posting_terms, prepend=-1))
        lone, encode = self.values.lone, self.values.encode
        plain_positions = getattr(encode, "__func__", None) is Positions.encode
        postings = len(starts)
        batch_start = 0
        for batch_end in _batch_ends(term_starts, postings):
            first = position[starts[batch_start:batch_end]].tolist()
            values = list(map(lone.__getitem__, first))
            several = np.flatnonzero(frequencies[batch_start:batch_end] > 1)
            if len(several):
                # The batch's positions as a list, sliced per posting of several.
                base = int(starts[batch_start])
                end_of_batch = int(starts[batch_end - 1] + frequencies[batch_end - 1])
                where = starts[batch_start + several] - base
                ends = where + frequencies[batch_start + several]
                spans = zip(several.tolist(), where.tolist(), ends.tolist())
                if plain_positions:
                    # Positions.encode's bytes: the count, then the gaps pickled
                    # (protocol 2), the gaps taken for the whole batch at once.
                    gaps = position[base:end_of_batch].copy()
                    gaps[1:] -= position[base:end_of_batch - 1]
                    gaps[where] = position[base + where]
                    gaps = gaps.tolist()
                    for i, start, end in spans:
                        values[i] = pack_uint(end - start) + dumps(gaps[start:end], 2)
                else:
                    positions = position[base:end_of_batch].tolist()
                    for i, start, end in spans:
                        values[i] = encode(positions[start:end])
            batch_terms = term_starts[(term_starts >= batch_start) & (term_starts < batch_end)]
            counts = np.diff(np.append(batch_terms, batch_end))
            terms = list(map(term_of_rank.__getitem__, posting_terms[batch_terms].tolist()))
            yield (terms, counts, docnums[batch_start:batch_end],
                   weights[batch_start:batch_end], values)
            batch_start = batch_end

    def _occurrences(self):
        """(terms by rank, and per kept occurrence: its term's rank in term order, its
        document's index, its position), in document and position order."""
        words = list(self._numbers)[1:]  # numbered from 0 in this order
        # Term numbers in code point order of their terms (the order of their UTF-8
        # bytes; terms are distinct), and each number's rank in it: the inverse.
        by_term = sorted(range(len(words)), key=words.__getitem__)
        term_of_rank = list(map(words.__getitem__, by_term))
        rank_of_number = np.empty(len(words), np.int32)
        rank_of_number[by_term] = np.arange(len(words), dtype=np.int32)
        word_counts = _int32(self.word_counts)
        documents = len(word_counts)
        numbers = _int32(self.term_numbers)
        if self.several_terms:
            per_word = np.frombuffer(self.terms_per_word, np.uint16)
            kept = per_word > 0
        else:
            kept = numbers != _DROPPED
        doc_of_word = np.repeat(np.arange(documents, dtype=np.int32), word_counts)
        # A kept word's position: kept words before it in its document, plus the offset.
        kept_through = np.cumsum(kept, dtype=np.int32)
        kept_before_document = np.concatenate(([0], kept_through))[
            np.cumsum(word_counts) - word_counts]
        position = (kept_through - 1 - kept_before_document[doc_of_word]
                    + _int32(self.offsets)[doc_of_word])
        if self.several_terms:
            position = np.repeat(position, per_word)
            doc = np.repeat(doc_of_word, per_word)
        else:
            position, doc, numbers = position[kept], doc_of_word[kept], numbers[kept]
        return term_of_rank, rank_of_number[numbers], doc, position


class _FormNumbers(dict):
    """Word form -> ``number_of(terms_of(form))``, computed on a form's first look."""

    __slots__ = ("terms_of", "number_of")

    def __init__(self, terms_of, number_of):
        super().__init__()
        self.terms_of, self.number_of = terms_of, number_of

    def __missing__(self, form: str):
        number = self[form] = self.number_of(self.terms_of(form))
        return number


def _int32(column: array) -> np.ndarray:
    return np.frombuffer(column, np.int32) if len(column) else np.zeros(0, np.int32)


def _run_starts(term: np.ndarray, doc: np.ndarray) -> np.ndarray:
    change = np.empty(len(term), bool)
    change[0] = True
    np.not_equal(term[1:], term[:-1], out=change[1:])
    change[1:] |= doc[1:] != doc[:-1]
    return np.flatnonzero(change)


def _batch_ends(term_starts: np.ndarray, postings: int):
    """Posting indexes that end batches of about POSTINGS_PER_BATCH, at term starts."""
    wanted = np.arange(POSTINGS_PER_BATCH, postings, POSTINGS_PER_BATCH)
    cuts = np.unique(term_starts[np.searchsorted(term_starts, wanted).clip(
        max=len(term_starts) - 1)])
    return [int(cut) for cut in cuts if cut > 0] + [postings]
