"""Term-at-a-time BM25 in numpy arrays, for queries whose words have huge posting lists.

:mod:`search.ranking.term_scoring` adds each posting into a dict of scores in Python,
about 1 µs a posting. That is nothing on a small index, but a common word of a
million-paragraph index has 100,000–200,000 postings in each field it is
searched in, and such queries took 250–450 ms. Here a term's postings are
decoded into arrays and added into one array of scores at once.

The arithmetic is the same as the dict's, in the same order, so the scores
are the same to the last bit and either path may answer any query.
"""

import numpy as np

from search.ranking.bm25 import bm25_parts
from search.ranking.term_scoring import PhraseClause, Ranked, SegmentTerm, phrase_additions
from search.storage.posting_arrays import deleted_mask, length_array, postings_arrays
from search.storage.postings import LENGTH_OF_BYTE
from search.storage.cache import memo


def top_documents(searcher, weighting, found: list[SegmentTerm], limit: int,
                  allowed: set[int] | None = None,
                  phrases: list[PhraseClause] = ()) -> list[tuple[int, float]]:
    """:func:`search.term_scoring.top_documents` of the query terms ``found`` in each
    segment (:func:`search.term_scoring.segment_terms`), computed in arrays."""
    size = searcher.doc_count_all()
    scores = np.zeros(size)
    matched = np.zeros(size, dtype=bool)
    allowed_mask = None if allowed is None else _mask_of_set(searcher, allowed)
    for reader, offset, deleted, fieldname, term, boost, _ in found:
        factor, base, per_length = bm25_parts(searcher, weighting, fieldname, term, boost)
        docs, tfs = postings_arrays(reader, fieldname, term)
        if deleted:
            keep = ~deleted_mask(reader)[docs]
            docs, tfs = docs[keep], tfs[keep]
        norms = _norms(base, per_length)[length_array(reader, fieldname)[docs]]
        if offset:
            docs += offset
        if allowed_mask is not None:
            keep = allowed_mask[docs]
            docs, tfs, norms = docs[keep], tfs[keep], norms[keep]
        # factor·tf / (tf + norm), in the dict path's order of operations.
        scores[docs] += factor * tfs / (tfs + norms)
        matched[docs] = True
    if phrases:
        best = best_of(np.flatnonzero(matched), scores, limit)
        for docnum, gains in phrase_additions(searcher, weighting, phrases, allowed, limit,
                                              lambda doc: float(scores[doc]), best).items():
            for gain in gains:
                scores[docnum] += gain
            matched[docnum] = True
    docs = np.flatnonzero(matched)
    return Ranked(best_of(docs, scores, limit), total=len(docs))


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
    order = np.lexsort((docs, -found))[:limit]  # docnums break ties
    return list(zip(docs[order].tolist(), found[order].tolist()))


def _norms(base: float, per_length: float) -> np.ndarray:
    # The denominator's length part of each length byte, computed as the dict path does.
    return np.array([base + per_length * length for length in LENGTH_OF_BYTE])


def _mask_of_set(searcher, allowed: set[int]) -> np.ndarray:
    # Filter sets are remembered by the searcher (term_scoring.filter_documents),
    # so their masks are too; the set is kept with its mask so its id stays its own.
    cache = memo(searcher, "filter_masks")
    if id(allowed) not in cache:
        if len(cache) >= 16:
            cache.clear()
        mask = np.zeros(searcher.doc_count_all(), dtype=bool)
        mask[np.fromiter(allowed, dtype=np.int64, count=len(allowed))] = True
        cache[id(allowed)] = (allowed, mask)
    return cache[id(allowed)][1]
