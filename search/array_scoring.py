"""Term-at-a-time BM25 in numpy arrays, for queries whose words have huge posting lists.

:mod:`search.term_scoring` adds each posting into a dict of scores in Python,
about 1 µs a posting. That is nothing on a small index, but a common word of a
million-paragraph index has 100,000–200,000 postings in each field it is
searched in, and such queries took 250–450 ms. Here a term's postings are
decoded into arrays and added into one array of scores at once.

The arithmetic is the same as the dict's, in the same order, so the scores
are the same to the last bit and either path may answer any query.
"""

from typing import Iterable

import numpy as np

from search.codec import (WEIGHTS_BYTES, WEIGHTS_FLOATS, WEIGHTS_ONES, PackedBlock, is_packed,
                          packed_blocks)
from search.term_scoring import (LENGTH_OF_BYTE, PhraseClause, SegmentTerm,
                                 bm25_parts, length_bytes, phrase_additions,
                                 posting_blocks, Ranked)


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
        docs, tfs = _postings_arrays(reader, fieldname, term)
        if deleted:
            keep = ~_deleted_mask(reader)[docs]
            docs, tfs = docs[keep], tfs[keep]
        norms = _norms(base, per_length)[_length_array(reader, fieldname)[docs]]
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


def _postings_arrays(reader, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(segment docnums, term frequencies) of a term's postings, deletions included."""
    matcher = reader.postings(fieldname, term)
    matcher = getattr(matcher, "child", matcher)  # past the deletion filter: done by the caller
    if is_packed(matcher):
        return packed_arrays(packed_blocks(matcher))
    docs: list[int] = []
    tfs: list[float] = []
    for ids, weights in posting_blocks(reader, fieldname, term):
        docs.extend(ids)
        tfs.extend(weights)
    return (np.fromiter(docs, dtype=np.int64, count=len(docs)),
            np.fromiter(tfs, dtype=np.float64, count=len(tfs)))


_DELTA_DTYPES = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}
_WEIGHT_DTYPES = {WEIGHTS_BYTES: np.dtype("u1"), WEIGHTS_FLOATS: np.dtype("<f4")}


def packed_arrays(blocks: Iterable[PackedBlock]) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, term frequencies) of a term's packed blocks, a block costing one
    ``frombuffer`` per array: each block's first docnum goes in as the gap from the
    last block's last, so one cumulative sum turns every delta into a docnum."""
    gaps, deltas, weights = [], [], []
    previous_last = 0
    for block in blocks:
        gaps.append(block.first - previous_last)
        previous_last = block.last
        split = (block.postings - 1) * block.delta_bytes
        deltas.append(np.frombuffer(block.scoring, _DELTA_DTYPES[block.delta_bytes],
                                    block.postings - 1))
        if block.weights_kind == WEIGHTS_ONES:
            weights.append(_ONES[:block.postings])
        else:
            weights.append(np.frombuffer(block.scoring, _WEIGHT_DTYPES[block.weights_kind],
                                         block.postings, split))
    counts = np.fromiter((len(part) for part in weights), np.int64, len(weights))
    starts = np.cumsum(counts) - counts
    docs = np.empty(int(counts.sum()), np.int64)
    gap_at = np.zeros(len(docs), bool)
    gap_at[starts] = True
    docs[starts] = gaps
    docs[~gap_at] = np.concatenate(deltas)
    return np.cumsum(docs, out=docs), np.concatenate(weights).astype(np.float64)


_ONES = np.ones(1 << 16, np.uint8)  # a block holds at most 65,535 postings (its header's H)


def _deleted_mask(reader) -> np.ndarray:
    cache = reader.__dict__
    if "_izde_deleted_mask" not in cache:
        mask = np.zeros(reader.doc_count_all(), dtype=bool)
        mask[list(reader.deleted_docs_set)] = True
        cache["_izde_deleted_mask"] = mask
    return cache["_izde_deleted_mask"]


def _length_array(reader, fieldname: str) -> np.ndarray:
    cache = reader.__dict__.setdefault("_izde_length_arrays", {})
    if fieldname not in cache:
        lengths = length_bytes(reader, fieldname)
        if not isinstance(lengths, bytes):  # another codec: asked per document
            lengths = bytes(lengths[doc] for doc in range(reader.doc_count_all()))
        cache[fieldname] = np.frombuffer(lengths, dtype=np.uint8)
    return cache[fieldname]


def _mask_of_set(searcher, allowed: set[int]) -> np.ndarray:
    # Filter sets are remembered by the searcher (term_scoring.filter_documents),
    # so their masks are too; the set is kept with its mask so its id stays its own.
    cache = searcher.__dict__.setdefault("_izde_filter_masks", {})
    if id(allowed) not in cache:
        if len(cache) >= 16:
            cache.clear()
        mask = np.zeros(searcher.doc_count_all(), dtype=bool)
        mask[np.fromiter(allowed, dtype=np.int64, count=len(allowed))] = True
        cache[id(allowed)] = (allowed, mask)
    return cache[id(allowed)][1]
