"""Postings gathered term by term while a segment is written.

Whoosh's ``PostingPool`` keeps each posting as a ``(field, term, doc, weight,
value)`` tuple, sorts all of them when the segment is flushed and, past its
memory limit, pickles them one call per posting into run files that it reads
back one call per posting. Izde writes about three times the postings per
paragraph of a one-field index (a language field, ``exact``, a companion
field), so that per-posting work was a third of indexing time.

:class:`TermPostingPool` groups postings under their field and term as they
arrive. A writer adds documents in docnum order, so each term's postings are
already sorted: the flush sorts only the terms, and a run is written and read
as a few large pickles. :func:`write_postings` hands the terms to the codec
with each document's field length read once per field, not once per posting.
"""

import heapq
import os
import pickle
from array import array
from itertools import chain, groupby
from operator import itemgetter

import numpy as np
from whoosh.system import pack_ushort
from whoosh.writing import SegmentWriter

from search.storage.codec import IzdeCodec
from search.storage.shared_analysis import PositionValues, SharedAnalysisWriting
from search.storage.term_batches import TermBatchWriter, writes_batches
from search.storage.term_table import TermTable
from search.storage.word_columns import WordColumns

# The pool's memory as a sum per term and per posting, the two measured with
# sys.getsizeof over the pool of the 10k bench build (1.33M postings, 124k terms,
# no spill): a term costs ~392 bytes (its key, a TermPostings and its three empty
# columns, a dict slot), a posting ~29 (its column entries with their slack, the
# value bytes of several positions). Most terms have one to three postings, so a
# flat figure per posting (110 bytes, taken with tracemalloc on 2,000 paragraphs)
# overstated a large pool's size by half and spilled it early: a 10k build
# spilled one run and merged it back, though its pool held 83 MiB of 128.
BYTES_PER_TERM = 400
BYTES_PER_POSTING = 32
# A word kept in a field's WordColumns costs 4 bytes (its term number), but a flush
# sorts and cuts the words with numpy arrays of ~60 bytes per word, one field at a
# time; a term ~200 bytes (its key and number). Measured on the 10k bench build.
BYTES_PER_WORD = 20
BYTES_PER_COLUMN_TERM = 200
# A word form's term number(s) remembered by WordColumns.add_forms: its dict slot and,
# for a form of several terms, their tuple (the form's string is the analyzers' own).
BYTES_PER_COLUMN_FORM = 100
# Postings per pickle in a run file: enough that pickling runs in C, few enough
# that merging the runs holds little of each in memory (one chunk per run; a 1M
# paragraph build merges ~45 runs per worker). Merging 14 runs of a 10k build
# peaked 17 MB above the adding at 1,024, 44 MB at 8,192, 248 MB at 65,536.
POSTINGS_PER_CHUNK = 1024

_field_and_term = itemgetter(0, 1)
_field_of = itemgetter(0)


class TermPostings:
    """One term's postings as three columns: docnums, weights, values (in docnum order).

    Columns rather than a tuple per posting: a posting costs 4 + 8 bytes and a
    reference, and the block writer takes a block's columns by slicing.
    Iterating gives Whoosh's ``(docnum, weight, value)`` tuples.
    """

    __slots__ = ("docs", "weights", "values")

    def __init__(self, docs=None, weights=None, values=None):
        self.docs = docs if docs is not None else array("i")
        self.weights = weights if weights is not None else array("d")
        self.values = values if values is not None else []

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self):
        return zip(self.docs, self.weights, self.values)

    def extend(self, other: "TermPostings") -> None:
        # Columns are arrays or lists (search.storage.word_columns): extend takes either.
        self.docs.extend(other.docs)
        self.weights.extend(other.weights)
        self.values.extend(other.values)

    def __reduce__(self):
        return TermPostings, (self.docs, self.weights, self.values)


class TermPostingPool:
    """Whoosh's posting pool interface (``add``, ``iter_postings``, ``cleanup``),
    grouped by term and spilled to run files beyond ``limitmb``."""

    def __init__(self, tempstore, limitmb: int = 128):
        self.tempstore = tempstore
        self.max_bytes = limitmb * 1024 * 1024
        self.fieldnames: set[str] = set()  # read by Whoosh's multiprocessing writer
        self.runs: list[str] = []
        self._fields: dict[str, dict[bytes, TermPostings]] = {}
        # Terms as text, from add_document_positions: encoded once per term when
        # written, not once per posting. UTF-8 keeps code point order, so they sort
        # as their bytes do.
        self._words: dict[str, dict[str, TermPostings]] = {}
        # Words as term numbers, from add_document_words: grouped when flushed.
        self._columns: dict[str, WordColumns] = {}
        self._bytes = 0  # estimated, from BYTES_PER_TERM and BYTES_PER_POSTING

    def add(self, posting: tuple) -> None:
        """Add one ``(fieldname, term bytes, docnum, weight, value bytes)`` posting.

        Postings of a term must come in docnum order, as a writer produces them.
        """
        fieldname, term, docnum, weight, value = posting
        self.add_document_terms(fieldname, docnum, ((term, weight, value),))

    def add_document_terms(self, fieldname: str, docnum: int, items) -> None:
        """Add the postings of one document in one field: ``(term bytes, weight, value)``."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        get = terms.get
        added = new = 0
        for term, weight, value in items:
            postings = get(term)
            if postings is None:
                postings = terms[term] = TermPostings()
                new += 1
            postings.docs.append(docnum)
            postings.weights.append(weight)
            postings.values.append(value)
            added += 1
        self._bytes += added * BYTES_PER_POSTING + new * BYTES_PER_TERM
        if self._bytes >= self.max_bytes:
            self._spill()

    def add_document_positions(self, fieldname: str, docnum: int, positions: dict,
                               values: PositionValues, boost: float = 1.0,
                               fieldboost: float = 1.0) -> None:
        """Add the postings of one document in one field from its terms' positions
        (``{term: [position, ...]}``), with the values ``values(positions)`` and the
        weights Whoosh gives them: a sum of ``boost`` per position, times ``fieldboost``."""
        terms = self._words.get(fieldname)
        if terms is None:
            terms = self._words[fieldname] = {}
            self.fieldnames.add(fieldname)
        get = terms.get
        lone, encode = values.lone, values.encode
        new = 0
        for term, where in positions.items():
            postings = get(term)
            if postings is None:
                postings = terms[term] = TermPostings()
                new += 1
            postings.docs.append(docnum)
            postings.weights.append(len(where) * boost * fieldboost)
            postings.values.append(lone[where[0]] if len(where) == 1 else encode(where))
        self._bytes += len(positions) * BYTES_PER_POSTING + new * BYTES_PER_TERM
        if self._bytes >= self.max_bytes:
            self._spill()

    def add_document_words(self, fieldname: str, docnum: int, terms: list,
                           values: PositionValues, boost: float = 1.0, fieldboost: float = 1.0,
                           first_kept: bool = False) -> int:
        """Add the postings of one document in one field from its words' terms, one per
        word (None for a dropped word), and return the field's length; positions and
        weights as :meth:`add_document_positions` gives them for the positions
        ``IndexPlan.positions`` numbers (``first_kept``: its FIRST_KEPT numbering)."""
        columns = self._word_columns(fieldname, values, several_terms=False)
        known = len(columns)
        length = columns.add(docnum, terms, first_kept, boost, fieldboost)
        self._count_words(len(terms), len(columns) - known)
        return length

    def add_document_word_terms(self, fieldname: str, docnum: int, terms: list[tuple],
                                values: PositionValues, boost: float = 1.0,
                                fieldboost: float = 1.0) -> int:
        """:meth:`add_document_words` for words with several terms each (a tuple per
        word, empty for a dropped one), numbered as IndexPlan's CLOSE numbering."""
        columns = self._word_columns(fieldname, values, several_terms=True)
        known = len(columns)
        length = columns.add_several(docnum, terms, boost, fieldboost)
        self._count_words(length, len(columns) - known)
        return length

    def add_document_forms(self, fieldname: str, docnum: int, words: list, term_of,
                           values: PositionValues, boost: float = 1.0,
                           fieldboost: float = 1.0, first_kept: bool = False) -> int:
        """:meth:`add_document_words` of ``list(map(term_of, words))``: the field's
        columns remember each word form's term number (WordColumns.add_forms)."""
        columns = self._word_columns(fieldname, values, several_terms=False)
        known, forms = len(columns), columns.forms_known()
        length = columns.add_forms(docnum, words, term_of, first_kept, boost, fieldboost)
        self._count_words(len(words), len(columns) - known,
                          columns.forms_known() - forms)
        return length

    def add_document_form_terms(self, fieldname: str, docnum: int, words: list, terms_of,
                                values: PositionValues, boost: float = 1.0,
                                fieldboost: float = 1.0) -> int:
        """:meth:`add_document_word_terms` of ``list(map(terms_of, words))``, each word
        form's term numbers remembered as :meth:`add_document_forms` does."""
        columns = self._word_columns(fieldname, values, several_terms=True)
        known, forms = len(columns), columns.forms_known()
        length = columns.add_several_forms(docnum, words, terms_of, boost, fieldboost)
        self._count_words(len(words), len(columns) - known,
                          columns.forms_known() - forms)
        return length

    def _word_columns(self, fieldname, values, several_terms) -> WordColumns:
        columns = self._columns.get(fieldname)
        if columns is None:
            columns = self._columns[fieldname] = WordColumns(values, several_terms)
            self.fieldnames.add(fieldname)
        return columns

    def _count_words(self, words: int, new_terms: int, new_forms: int = 0) -> None:
        self._bytes += (words * BYTES_PER_WORD + new_terms * BYTES_PER_COLUMN_TERM
                        + new_forms * BYTES_PER_COLUMN_FORM)
        if self._bytes >= self.max_bytes:
            self._spill()

    def terms(self):
        """``(fieldname, term bytes, TermPostings)`` in field and term order."""
        if not self.runs:
            return self._sorted_terms()
        sources = [self._read_run(name) for name in self.runs] + [self._sorted_terms()]
        # heapq.merge keeps sources in order on equal keys, and later runs hold later
        # documents, so joining a term's columns in that order keeps its postings sorted.
        merged = heapq.merge(*sources, key=_field_and_term)
        return ((fieldname, term, _joined(group))
                for (fieldname, term), group in groupby(merged, key=_field_and_term))

    def iter_postings(self):
        """Every posting as Whoosh's 5-tuple, sorted (Whoosh's own flush reads this)."""
        for fieldname, term, postings in self.terms():
            for docnum, weight, value in postings:
                yield fieldname, term, docnum, weight, value

    def cleanup(self) -> None:
        for name in self.runs:
            try:
                self.tempstore.delete_file(name)
            except OSError:
                pass
        self.runs = []

    def field_terms(self):
        """``(fieldname, its terms)`` in field order, for writing a segment: the terms as
        ``(term bytes, TermPostings)`` in order, or, for a field whose terms are all in
        its WordColumns (no runs spilled, nothing added another way), that WordColumns,
        whose ``batches`` a writer may take whole (:func:`write_postings`)."""
        if self.runs:
            for fieldname, group in groupby(self.terms(), key=_field_of):
                yield fieldname, ((term, postings) for _f, term, postings in group)
            return
        for fieldname, terms, added, columns in self._taken():
            if columns is not None and not terms and not added:
                yield fieldname, columns
            else:
                yield fieldname, _field_terms(terms, added, columns)

    def _sorted_terms(self):
        for fieldname, terms, added, columns in self._taken():
            for term, postings in _field_terms(terms, added, columns):
                yield fieldname, term, postings

    def _taken(self):
        """Each field's pooled terms, leaving the pool empty: (fieldname, terms from
        add_document_terms, from add_document_positions, its WordColumns or None)."""
        fields, words, all_columns = self._fields, self._words, self._columns
        self._fields, self._words, self._columns, self._bytes = {}, {}, {}, 0
        for fieldname in sorted(fields.keys() | words.keys() | all_columns.keys()):
            yield (fieldname, fields.get(fieldname, {}), words.get(fieldname, {}),
                   all_columns.pop(fieldname, None))

    def _spill(self) -> None:
        name = self._run_name()
        self.runs.append(name)
        run = self.tempstore.create_file(name)
        try:
            chunk, postings = [], 0
            for entry in self._sorted_terms():
                chunk.append(entry)
                postings += len(entry[2])
                if postings >= POSTINGS_PER_CHUNK:
                    pickle.dump(chunk, run, pickle.HIGHEST_PROTOCOL)
                    chunk, postings = [], 0
            if chunk:
                pickle.dump(chunk, run, pickle.HIGHEST_PROTOCOL)
        finally:
            run.close()

    def _run_name(self) -> str:
        # Every writer of an index, a parallel build's workers too, spills into the same
        # temporary folder (Whoosh's "<index>.tmp"), and forked workers can hold their
        # pools at the same address: the process id keeps their runs apart.
        return f"{os.getpid()}-{id(self):x}-{len(self.runs)}.termrun"

    def _read_run(self, name: str):
        with self.tempstore.open_file(name).raw_file() as run:
            while True:
                try:
                    chunk = pickle.load(run)
                except EOFError:
                    return
                yield from chunk


def _field_terms(terms: dict, words: dict, columns: "WordColumns | None"):
    """One field's ``(term bytes, TermPostings)`` in term order, from the pool's three
    ways of adding them."""
    added = [(word.encode("utf-8"), postings) for word, postings in words.items()]
    if columns is not None:
        grouped = _column_terms(columns)
        if not terms and not added:  # the usual case: already in term order
            yield from grouped
            return
        added += grouped
    for term, postings in added:
        if term in terms:  # the same term added several ways: docnum order
            terms[term] = _in_docnum_order(terms[term], postings)
        else:
            terms[term] = postings
    for term in sorted(terms):
        yield term, terms[term]


def _column_terms(columns: "WordColumns"):
    """A WordColumns' terms as ``(term bytes, TermPostings)``, in term order."""
    return ((word.encode("utf-8"), TermPostings(docs, weights, values))
            for word, docs, weights, values in columns.terms())


def _in_docnum_order(one: TermPostings, other: TermPostings) -> TermPostings:
    rows = sorted(chain(one, other), key=itemgetter(0))
    return TermPostings(array("i", (row[0] for row in rows)),
                        array("d", (row[1] for row in rows)), [row[2] for row in rows])


def _joined(group) -> TermPostings:
    # A term's postings from each run that holds it, in run order (docnum order).
    _fieldname, _term, postings = next(group)
    for _f, _t, more in group:
        postings.extend(more)
    return postings


def write_postings(fieldwriter, schema, lengths, doc_count: int, terms) -> None:
    """Write ``terms`` (as :meth:`TermPostingPool.terms` yields them) through a codec's field writer.

    ``lengths`` is the new segment's per-document reader (None when the codec
    keeps no length statistics); each posting is written with its document's
    length in that field, as Whoosh's ``FieldWriter.add_postings`` does. A term's
    postings go to the codec's postings writer in one call where it takes them so
    (search.storage.codec), else one call per posting.
    """
    write_fields(fieldwriter, schema, lengths, doc_count,
                 ((fieldname, ((term, postings) for _f, term, postings in group))
                  for fieldname, group in groupby(terms, key=_field_of)))


def write_fields(fieldwriter, schema, lengths, doc_count: int, fields) -> None:
    """:func:`write_postings` of ``(fieldname, terms)`` as :meth:`TermPostingPool.field_terms`
    gives them: a field's WordColumns is written a batch of terms at a time."""
    for fieldname, field_terms in fields:
        fieldwriter.start_field(fieldname, schema[fieldname])
        length_of = lengths.doc_field_length_reader(fieldname) if lengths else None
        # Every document's length in the field (None or 0 where it has none), read once.
        field_lengths = list(map(length_of, range(doc_count))) if length_of else [0] * doc_count
        postwriter = getattr(fieldwriter, "_postwriter", None)
        bulk = getattr(postwriter, "add_postings", None)
        batch = None
        if writes_batches(postwriter):
            # Terms a few thousand at a time, common ones too (search.storage.term_batches),
            # their rows given to the term table as W3FieldWriter.finish_term gives them.
            term_table = TermTable(fieldwriter._tindex)
            batch = TermBatchWriter(postwriter, schema[fieldname].format, field_lengths,
                                    term_table, pack_ushort(fieldwriter._fieldid))
        if isinstance(field_terms, WordColumns):
            if batch is not None:
                field_terms = _unbatched_terms(field_terms, batch)
            else:
                field_terms = _column_terms(field_terms)
        add = fieldwriter.add
        for term, postings in field_terms:
            docs, weights, values = postings.docs, postings.weights, postings.values
            if docs and min(docs) < 0:  # Whoosh's marker for spelling words, not postings
                kept = [i for i, docnum in enumerate(docs) if docnum >= 0]
                docs = array("i", (docs[i] for i in kept))
                weights = array("d", (weights[i] for i in kept))
                values = [values[i] for i in kept]
            if batch is not None and batch.fits(len(docs)):
                batch.add(term, docs, weights, values)
                continue
            fieldwriter.start_term(term)
            if bulk is not None:
                bulk(docs, weights, values, list(map(field_lengths.__getitem__, docs)))
            else:
                for docnum, weight, value in zip(docs, weights, values):
                    add(docnum, weight, value or b"", field_lengths[docnum])
            if batch is not None:  # its row after those of the terms the batch holds
                batch.add_written(*_finished_term_row(fieldwriter))
            else:
                fieldwriter.finish_term()
        if batch is not None:
            batch.flush()
            term_table.flush()
        fieldwriter.finish_field()


def _finished_term_row(fieldwriter) -> tuple[bytes, bytes]:
    """``W3FieldWriter.finish_term``'s term table row, returned rather than added."""
    terminfo = fieldwriter._postwriter.finish_postings()
    return pack_ushort(fieldwriter._fieldid) + fieldwriter._btext, terminfo.to_bytes()


def _unbatched_terms(columns: WordColumns, batch):
    """Write a WordColumns' terms that ``batch`` takes a batch at a time, without a list
    per term; yield the others (too few postings: inlined in their term info) as
    ``(term bytes, TermPostings)``, in their place in term order, for the general path."""
    for terms, counts, docs, weights, values in columns.batches():
        terms = list(map(str.encode, terms))  # UTF-8
        outside = np.flatnonzero(counts < batch.least).tolist()
        if not outside:
            batch.add_batch(terms, counts, docs, weights, values)
            continue
        ends = np.cumsum(counts)
        starts = (ends - counts).tolist()
        ends = ends.tolist()
        done = 0  # terms before this one are written
        for i in outside:
            if i > done:
                a, b = starts[done], starts[i]
                batch.add_batch(terms[done:i], counts[done:i], docs[a:b], weights[a:b],
                                values[a:b])
            a, b = starts[i], ends[i]
            yield terms[i], TermPostings(docs[a:b].tolist(), weights[a:b].tolist(), values[a:b])
            done = i + 1
        if done < len(terms):
            a = starts[done]
            batch.add_batch(terms[done:], counts[done:], docs[a:], weights[a:], values[a:])


class TermPoolWriting:
    """Mixin for Whoosh segment writers: pool postings in a :class:`TermPostingPool`
    and write segments with :class:`search.codec.IzdeCodec`."""

    def __init__(self, ix, *args, limitmb: int = 128, codec=None, **kwargs):
        super().__init__(ix, *args, limitmb=limitmb, codec=codec or IzdeCodec(), **kwargs)
        self.pool = TermPostingPool(self._tempstorage, limitmb)

    def _flush_segment(self):
        # SegmentWriter._flush_segment with the pool's terms written directly.
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        write_fields(self.fieldwriter, self.schema, lengths, self.docnum, self.pool.field_terms())
        self.fieldwriter.close()
        if lengths:
            lengths.close()


class TermPoolSegmentWriter(SharedAnalysisWriting, TermPoolWriting, SegmentWriter):
    """Whoosh's ``SegmentWriter`` with postings pooled by term and each text tokenized
    once for the fields that share it (search.storage.shared_analysis)."""
