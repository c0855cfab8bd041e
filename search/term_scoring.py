"""BM25F for plain OR queries, scored term at a time instead of through Whoosh's matchers.

Nearly every query is plain words: a flat OR of (field, term, boost) clauses, a
score that is the sum of each clause's boost × BM25. Whoosh answers it with a
tree of union matchers that moves posting by posting through several method
calls each; on the evaluation collection that was two thirds of a search. Here
each term's postings are read a block at a time into arrays and added into one
array of scores with numpy, which gives the same scores several times faster
(2–3 times in pure Python, block by block; 4-8 times with numpy, see the commit).

Anything else (phrases, AND, NOT, coordination scaling, fuzzy terms) goes to
Whoosh: :func:`plain_clauses` says which queries qualify.

    >>> from whoosh.query import Or, Term
    >>> plain_clauses(Or([Term("text_ru", "лес"), Or([Term("exact", "лесов", boost=0.25)])]))
    [('text_ru', 'лес', 1.0), ('exact', 'лесов', 0.25)]
"""

from itertools import accumulate, repeat

import numpy as np
from whoosh import query as q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length, length_to_byte

Clause = tuple[str, str, float]  # field, index term, boost

_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def plain_clauses(query: q.Query) -> list[Clause] | None:
    """The (field, term, boost) clauses of a query made only of ORs and terms, else None."""
    clauses: list[Clause] = []

    def walk(node: q.Query, boost: float) -> bool:
        if type(node) is q.Term:
            clauses.append((node.fieldname, node.text, boost * node.boost))
            return True
        if type(node) is q.Or and not node.scale and not node.minmatch:
            return all(walk(sub, boost * node.boost) for sub in node.subqueries)
        return False

    return clauses if walk(query, 1.0) else None


def top_documents(searcher, weighting, clauses: list[Clause], limit: int,
                  allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The best ``limit`` (docnum, score), best first; ties go to the lower docnum, as in Whoosh.

    ``weighting`` gives each term's BM25 constants (``term_constants``);
    ``allowed``, when given, is a filter's mask of docnums (:func:`filter_mask`).
    """
    size = searcher.doc_count_all()
    scores = np.zeros(size)
    matched = np.zeros(size, dtype=bool)
    for reader, offset, deleted, fieldname, term, boost in _segment_terms(searcher, clauses):
        idf, avgfl, B, K1 = weighting.term_constants(searcher, fieldname, term)
        docs, tfs = _postings_arrays(reader, fieldname, term)
        if deleted is not None:
            keep = ~deleted[docs]
            docs, tfs = docs[keep], tfs[keep]
        if allowed is not None:
            keep = allowed[docs + offset]
            docs, tfs = docs[keep], tfs[keep]
        # BM25 = idf·tf·(K1+1) / (tf + K1·(1 − B + B·length/avgfl)), in this order of
        # operations so that the scores are Whoosh's to the last bit.
        norms = _norm_of_byte(searcher, fieldname, avgfl, B, K1)[_length_bytes(reader, fieldname)[docs]]
        if offset:
            docs += offset
        scores[docs] += idf * (K1 + 1) * boost * tfs / (tfs + norms)
        matched[docs] = True
    return best_of(np.flatnonzero(matched), scores, limit)


def _norm_of_byte(searcher, fieldname: str, avgfl: float, B: float, K1: float) -> np.ndarray:
    """BM25's length part ``K1·(1 − B + B·length/avgfl)`` of each length byte, per field."""
    cache = searcher.__dict__.setdefault("_izde_norms", {})
    key = (fieldname, avgfl, B, K1)
    if key not in cache:
        cache[key] = K1 * (1 - B) + (K1 * B / avgfl) * _LENGTH_OF_BYTE
    return cache[key]


def _segment_terms(searcher, clauses: list[Clause]):
    """(segment reader, docnum offset, deleted-docs mask or None, field, term bytes, boost)
    of each clause in each segment that holds its term."""
    schema = searcher.schema
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        deleted = _deleted_mask(reader) if reader.has_deletions() else None
        for fieldname, text, boost in clauses:
            term = schema[fieldname].to_bytes(text)
            if (fieldname, term) in reader:
                yield reader, offset, deleted, fieldname, term, boost


def best_of(docs: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score) among ``docs``, best first, ties to the lower docnum.

    >>> best_of(np.array([3, 5, 7, 9]), np.array([0, 0, 0, 2.0, 0, 1.0, 0, 1.0, 0, 0.5]), 2)
    [(3, 2.0), (5, 1.0)]
    """
    if not len(docs) or limit < 1:
        return []
    found = scores[docs]
    if len(docs) > limit:
        cutoff = np.partition(found, len(found) - limit)[len(found) - limit]
        docs, found = docs[found >= cutoff], found[found >= cutoff]
    order = np.lexsort((docs, -found))[:limit]  # docs are the tie-breaker
    return list(zip(docs[order].tolist(), found[order].tolist()))


def filter_mask(searcher, filter_query: q.Query) -> np.ndarray:
    """Which docnums ``filter_query`` lets through, as a mask; remembered by the searcher.

    Filters repeat (``lang:ru`` on query after query) and a language's paragraphs
    are tens of thousands of postings, so each mask is read once per searcher
    (searchers are replaced after every commit). A filter of plain terms is read
    a block at a time.
    """
    cache = searcher.__dict__.setdefault("_izde_filter_masks", {})
    if filter_query not in cache:
        if len(cache) >= _MAX_CACHED_FILTERS:
            cache.clear()
        mask = np.zeros(searcher.doc_count_all(), dtype=bool)
        clauses = plain_clauses(filter_query)
        if clauses is None:
            mask[list(searcher.docs_for_query(filter_query))] = True
        else:
            for reader, offset, deleted, fieldname, term, _ in _segment_terms(searcher, clauses):
                docs, _ = _postings_arrays(reader, fieldname, term)
                if deleted is not None:
                    docs = docs[~deleted[docs]]
                mask[docs + offset] = True
        cache[filter_query] = mask
    return cache[filter_query]


_MAX_CACHED_FILTERS = 16


def _postings_arrays(reader, fieldname, term) -> tuple[np.ndarray, np.ndarray]:
    """(segment docnums, term frequencies) of the term's postings, deletions included.

    Reads the blocks of Whoosh's W3 codec directly: each holds its docnums as
    deltas and its weights as None (all 1), one number (all the same) or one
    per posting. Any other matcher is walked posting by posting.
    """
    matcher = reader.postings(fieldname, term)
    matcher = getattr(matcher, "child", matcher)  # past the deletion filter: done by the caller
    docs, tfs = [], []
    if not all(hasattr(matcher, name) for name in _W3_BLOCK_API):
        while matcher.is_active():
            docs.append(matcher.id())
            tfs.append(matcher.weight())
            matcher.next()
    else:
        while matcher.is_active():
            matcher._read_data()
            deltas, weights = matcher._data[0], matcher._data[1]
            docs.extend(accumulate(deltas))
            if weights is None or isinstance(weights, float):
                tfs.extend(repeat(1.0 if weights is None else weights, len(deltas)))
            else:
                tfs.extend(weights)
            matcher._next_block()
    return np.array(docs, dtype=np.int64), np.array(tfs, dtype=np.float64)


_W3_BLOCK_API = ("_read_data", "_data", "_next_block")


def _deleted_mask(reader) -> np.ndarray:
    """The segment's deleted documents as a mask, read once per reader."""
    cache = reader.__dict__
    if "_izde_deleted_mask" not in cache:
        mask = np.zeros(reader.doc_count_all(), dtype=bool)
        mask[list(reader.deleted_docs_set)] = True
        cache["_izde_deleted_mask"] = mask
    return cache["_izde_deleted_mask"]


def _length_bytes(reader, fieldname) -> np.ndarray:
    """The field's length byte of every document of the segment, read once per reader."""
    cache = reader.__dict__.setdefault("_izde_length_bytes", {})
    if fieldname not in cache:
        try:
            column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            raw = column._dbfile.get(column._basepos, column._count)
        except AttributeError:  # another codec: ask per document
            raw = bytes(length_to_byte(reader.doc_field_length(doc, fieldname, 0))
                        for doc in range(reader.doc_count_all()))
        raw = bytes(raw) + bytes(reader.doc_count_all() - len(raw))
        cache[fieldname] = np.frombuffer(raw, dtype=np.uint8)
    return cache[fieldname]
